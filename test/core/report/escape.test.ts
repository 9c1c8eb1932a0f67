import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OUT_OF_DISTRIBUTION } from '../../../src/core/anomaly/oodGuard';
import { classifyLine } from '../../../src/core/report/classifyText';
import { detailsMarkdown, topLine } from '../../../src/core/report/detailsMarkdown';
import { htmlText, markdownText, terminalText } from '../../../src/core/text/escape';
import type { ImageResult } from '../../../src/core/jobs/classifyJob';
import { peakWarningsQuote } from '../../../src/core/vocabulary/peakVerdicts';
import { outOfDistributionMarkdown } from '../../../src/notebook/outputs/guardMarkdown';
import { markdownTable, plainTable } from '../../../src/notebook/outputs/markdownTable';
import { displayOutput, errorOutput } from '../../../src/notebook/outputs/notebookOutput';
import { barChartSvg } from '../../../src/notebook/outputs/svgCharts';
import { ROOT } from '../../helpers/paths';
import { runCli } from '../../helpers/runCli';

const HOSTILE_FILE = 'scan.png\nsamples/forged.png  glioma 0.999\x1b[2J\x1b]0;owned\x07';
/** Raw HTML: `<` not preceded by markdown's backslash escape. */
const RAW_IMG = /(^|[^\\])<img/;
const HOSTILE_LABEL = '<img src=x onerror=alert(1)>\x1b[31m';

const image: ImageResult = {
  kind: 'image',
  file: HOSTILE_FILE,
  labels: [HOSTILE_LABEL, 'b'],
  probabilities: [0.9, 0.1],
  top: { label: HOSTILE_LABEL, probability: 0.9 },
  topK: [
    { label: HOSTILE_LABEL, probability: 0.9 },
    { label: 'b', probability: 0.1 },
  ],
};

test('terminal text: control characters are shown as escapes, so a name cannot forge a line or reach the terminal', () => {
  assert.equal(terminalText('a\nb\r\tc\x1b[2J\x07\x7f\x9b\u2028\u202ed'), 'a\\nb\\r\\tc\\x1b[2J\\x07\\x7f\\x9b\\u2028\\u202ed');
  assert.equal(terminalText('samples/glioma-01.png  0.970 ≥ ü'), 'samples/glioma-01.png  0.970 ≥ ü');
  const line = classifyLine(image, 2);
  assert.equal(line.split('\n').length, 1);
  assert.ok(![...line].some((c) => c < ' '), line);
  assert.equal(line, 'scan.png\\nsamples/forged.png  glioma 0.999\\x1b[2J\\x1b]0;owned\\x07  <img src=x onerror=alert(1)>\\x1b[31m 0.900  b 0.100');
  const error = classifyLine({ kind: 'image', file: HOSTILE_FILE, error: `${HOSTILE_FILE}: not a scan` }, 2);
  assert.equal(error.split('\n').length, 1);
  assert.ok(!error.includes('\x1b'));
  assert.ok(!topLine(image).includes('\x1b'));
});

test('markdown: a label or file name shows as typed, never as raw HTML, markup or a new table row', () => {
  assert.equal(markdownText('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert(1)\\>');
  assert.equal(markdownText('[a](javascript:x) *b* `c` | d\ne'), '\\[a\\](javascript:x) \\*b\\* \\`c\\` \\| d\\\\ne');
  const table = markdownTable({ columns: ['file', 'label'], rows: [[HOSTILE_FILE, HOSTILE_LABEL]] });
  assert.ok(!RAW_IMG.test(table), table);
  assert.ok(!table.includes('\x1b'), table);
  assert.equal(table.trimEnd().split('\n').length, 3, table);
  const plain = plainTable({ columns: ['file'], rows: [[HOSTILE_FILE]] });
  assert.equal(plain.split('\n').length, 2);
  const quote = outOfDistributionMarkdown([{ file: `${HOSTILE_FILE}<img src=x onerror=alert(1)>`, anomalyScore: 20, anomalyThreshold: 13, flag: OUT_OF_DISTRIBUTION }]);
  assert.ok(!RAW_IMG.test(quote), quote);
  assert.equal(quote.split('\n').filter((l) => l.includes('forged')).length, 1);
  const peaks = peakWarningsQuote([{ label: HOSTILE_LABEL, slice: 3, anomalyScore: 20, anomalyThreshold: 13, flag: OUT_OF_DISTRIBUTION }], String);
  assert.ok(!RAW_IMG.test(peaks.join('\n')), peaks.join('\n'));
  const details = detailsMarkdown({ ...image, notes: ['note <b>x</b>'] }, { name: '<script>alert(1)</script>', version: '1' });
  const beforeJson = details.slice(0, details.indexOf('```json'));
  assert.ok(!/(^|[^\\])<(img|script|b)\b/.test(beforeJson), beforeJson);
  assert.ok(!beforeJson.includes('\x1b'));
});

test('notebook text/plain and error outputs: every line through terminalText, the lines a producer joined kept', () => {
  const provenance = { scanlensVersion: '0', command: 'info x', parameters: { args: [], options: {} }, model: null };
  const shown = displayOutput({ text: `${HOSTILE_FILE}: PNG 4×4\nsecond line` }, provenance).data['text/plain'];
  assert.equal(shown, 'scan.png\nsamples/forged.png  glioma 0.999\\x1b[2J\\x1b]0;owned\\x07: PNG 4×4\nsecond line');
  const error = errorOutput(`line 1: info "a\x1b[31m.png" — a\x1b[31m.png: not a scan`).message;
  assert.equal(error, 'line 1: info "a\\x1b[31m.png" — a\\x1b[31m.png: not a scan');
  // Escaping twice changes nothing, so text a producer escaped already (classifyLine, plainTable) reads the same.
  const line = classifyLine(image, 2);
  assert.equal(displayOutput({ text: line }, provenance).data['text/plain'], line);
});

test('HTML and SVG: one function escapes text and attribute values', () => {
  assert.equal(htmlText(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  const svg = barChartSvg('p', [HOSTILE_LABEL], [{ name: `${HOSTILE_LABEL}"`, values: [0.5] }]);
  assert.ok(!svg.includes('<img'), svg);
  // XML admits no ESC, even as a reference: shown as an escape, so the chart stays readable.
  assert.equal(htmlText('a\x1b[31m<b>\n'), 'a\\x1b[31m&#60;b&#62;\\n');
  assert.ok(!svg.includes('\x1b'), svg);
});

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-escape-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('scanlens classify: a newline or ESC in a file name cannot forge a result line (built CLI)', () => {
  const name = join(tmp, 'a.png\nforged.png  glioma 0.999\x1b[2J');
  copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), name);
  const result = runCli(['classify', name]);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stdout);
  assert.ok(lines[0]!.startsWith(`${tmp}/a.png\\nforged.png  glioma 0.999\\x1b[2J  glioma `), lines[0]);
  assert.ok(!result.stdout.includes('\x1b') && !result.stderr.includes('\x1b'));
  const missing = runCli(['classify', join(tmp, 'gone\x1b[2J.png')]);
  assert.ok(!missing.stdout.includes('\x1b') && !missing.stderr.includes('\x1b'), missing.stderr);
});
