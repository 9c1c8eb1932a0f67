import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { launchChromium } from '../helpers/browser';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { ROOT } from '../helpers/paths';
import { reportRows } from '../helpers/reportRows';
import { runCli } from '../helpers/runCli';

/**
 * The report as a colleague without ScanLens sees it: opened from disk in
 * headless Chromium with JavaScript off and no network, then photographed
 * (.cache/screenshots/report.png; the README's media/report.png is a copy).
 */

const CHROMIUM = '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'scanlens-report-chromium-'));
after(() => rmSync(work, { recursive: true, force: true }));

test(
  'the report renders in Chromium with JavaScript off and no network: every picture decodes, nothing is fetched or refused, a hostile name stays text',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)` },
  async () => {
    const folder = join(work, 'scans');
    await writeLabelledVariants(folder, 3, 7, 4);
    copyFileSync(join(ROOT, 'samples', 'meningioma-02.png'), join(folder, 'meningioma', '<img src=x onerror=alert(1)>.png'));
    mkdirSync(join(folder, 'notumor'), { recursive: true });
    writeFileSync(join(folder, 'notumor', 'truncated.png'), readFileSync(join(ROOT, 'samples', 'notumor-02.png')).subarray(0, 200));
    const report = join(work, 'report.html');
    // Run from the folder, with relative paths, as the README's screenshot shows it.
    const result = runCli(['classify', 'scans', '--report', 'report.html', '--report-overlays'], work);
    assert.equal(result.status, 2, result.stderr);
    const rows = reportRows(readFileSync(report, 'utf8'));
    const classified = rows.filter((r) => r['error'] === undefined).length;

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true, viewport: { width: 1200, height: 1500 } });
      const page = await context.newPage();
      const requests: string[] = [];
      const console: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => console.push(message.text()));
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      // Playwright's own evaluation still runs with page scripts off; the page has none to run.
      // A string, as the other browser tests evaluate: the test files compile without the DOM's types.
      const seen = (await page.evaluate(`({
      scripts: document.scripts.length,
      images: [...document.images].map((i) => ({ alt: i.alt, decoded: i.complete && i.naturalWidth > 0 })),
      svgs: document.querySelectorAll('svg').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      rows: document.querySelectorAll('#rows tbody tr').length,
      audit: document.querySelector('#audit')?.textContent ?? '',
    })`)) as { scripts: number; images: { alt: string; decoded: boolean }[]; svgs: number; handlers: number; rows: number; audit: string };
      assert.deepEqual(requests, [pathToFileURL(report).href], 'nothing is fetched but the page itself');
      assert.deepEqual(console, [], 'no CSP refusal or other message');
      assert.equal(seen.scripts, 0);
      assert.equal(seen.handlers, 0, 'the file name added no element with a handler');
      assert.equal(seen.rows, rows.length);
      assert.equal(seen.images.filter((i) => i.alt === 'scan' && i.decoded).length, classified, 'every classified row shows its thumbnail');
      assert.equal(seen.images.filter((i) => i.alt === 'explanation' && i.decoded).length, classified, 'and its explanation');
      assert.equal(seen.images.length, 2 * classified);
      assert.equal(seen.svgs, 2, 'the confusion matrix and the reliability diagram');
      assert.match(seen.audit, /^Accuracy [\d.]+ % on \d+ row\(s\), labels from class folders/);
      assert.ok(rows.some((r) => r['file']!.endsWith('<img src=x onerror=alert(1)>.png')));

      const screenshots = join(ROOT, '.cache', 'screenshots');
      mkdirSync(screenshots, { recursive: true });
      const shot = await page.screenshot({ path: join(screenshots, 'report.png'), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1750 } });
      assert.ok(shot.length > 50_000, `a screenshot with pictures in it (${shot.length} bytes)`);
      await context.close();
    } finally {
      await browser.close();
    }
  },
);
