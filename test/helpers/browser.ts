import { build, type BuildOptions } from 'esbuild';
import { basename } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** A made-up origin: pages and bundles are served from memory, nothing from the network or the file system's null origin. */
export const ORIGIN = 'http://scanlens.test';

export interface Served {
  readonly body: string | Buffer;
  readonly type: string;
}

/** Headless Debian chromium, launched as the real-host suite launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that answers requests to ORIGIN from `files` (by path) and fails the test on any script error. */
export async function servingPage(browser: Browser, files: Readonly<Record<string, Served>>, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ body: file.body, contentType: file.type }) : route.fulfill({ status: 404, body: 'not served' });
  });
  return page;
}

/** Bundles a browser entry point as the build does, into memory: served files by name (`/viewer.js`, `/viewer.css`, …). */
export async function bundle(entry: string, options: Pick<BuildOptions, 'format'>): Promise<Record<string, Served>> {
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', target: 'es2022', outdir: '/out', write: false, logLevel: 'warning', ...options });
  const types: Record<string, string> = { js: 'text/javascript', css: 'text/css' };
  return Object.fromEntries(result.outputFiles.map((f) => [`/${basename(f.path)}`, { body: f.text, type: types[f.path.split('.').pop()!] ?? 'application/octet-stream' }]));
}
