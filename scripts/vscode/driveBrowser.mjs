// Opens the code-server workbench in headless Debian chromium with the
// extension-test payload in the URL, relays the extension host's console, and
// resolves with the code the workbench passes to codeAutomationExit.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './debianPackages.mjs';

/** A test prints this, followed by the absolute .png path it wants; see test/vscode/screenshot.ts. */
const SCREENSHOT_MARKER = '[scanlens:screenshot] ';

/**
 * @param {{ origin: string, folder: string, extensionDevelopmentPath: string,
 *   extensionTestsPath: string, timeoutMs: number, log: (line: string) => void }} options
 */
export async function runInBrowser({ origin, folder, extensionDevelopmentPath, extensionTestsPath, timeoutMs, log }) {
  const authority = new URL(origin).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionDevelopmentPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${extensionTestsPath}`],
  ];
  const url = `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const profile = mkdtempSync(join(tmpdir(), 'scanlens-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    // Screenshots are taken one after another, in the order the suite asks.
    let shots = Promise.resolve();
    const onLine = (line) => {
      const at = line.indexOf(SCREENSHOT_MARKER);
      if (at < 0) return log(line);
      const file = line.slice(at + SCREENSHOT_MARKER.length).trim();
      mkdirSync(join(file, '..'), { recursive: true });
      // Notifications slide in; let them settle so the picture shows what a person sees.
      shots = shots.then(() => page.waitForTimeout(800)).then(() => page.screenshot({ path: file }).then(
        () => log(`screenshot: ${file}`),
        (error) => log(`screenshot failed: ${file}: ${error.message}`),
      ));
    };
    const exited = new Promise((resolve) => {
      void page.exposeFunction('codeAutomationExit', async (code) => {
        await shots;
        resolve(Number(code));
      });
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // Mocha's reporter logs printf-style ("%s (%dms)", ...).
      const text = Array.isArray(args) ? format(...args) : String(args);
      for (const line of text.split('\n')) onLine(type === 'info' || type === 'log' ? line : `[${type}] ${line}`);
    });
    page.on('pageerror', (error) => log(`[page error] ${error.message}`));
    await page.goto(url);
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => {
        log(`suite did not finish within ${timeoutMs / 1000} s`);
        resolve(1);
      }, timeoutMs);
    });
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    return code;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
