import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ManifestSchema } from '../../../src/core/model/manifest';
import { reportEntry } from '../../../src/core/report/html/reportEntry';
import { REPORT_CSP, reportHtml, type ReportView } from '../../../src/core/report/html/reportHtml';
import type { ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { reportRows } from '../../helpers/reportRows';

/** Labels and names from a hostile manifest and folder: each would be markup if written raw. */
const EVIL_LABEL = '<script>alert(1)</script>';
const EVIL_FILE = `scans/</td><style>*{display:none}</style>"onmouseover="x.png`;

const manifest = ManifestSchema.parse({
  schema: 'scanlens.model/1',
  name: 'model <b>bold</b>',
  version: '1',
  file: 'm.onnx',
  sha256: '0'.repeat(64),
  input: { layout: 'NCHW', channels: 1, size: { width: 8, height: 8 } },
  labels: [EVIL_LABEL, 'plain'],
  card: { description: 'a card & <i>markup</i>', metrics: { accuracy: 0.5 } },
});

const rows: ClassifyResult[] = [
  {
    kind: 'image',
    file: EVIL_FILE,
    labels: manifest.labels,
    probabilities: [0.7, 0.3],
    top: { label: EVIL_LABEL, probability: 0.7 },
    anomalyScore: 9,
    anomalyThreshold: 5,
    flag: 'input unlike the training data',
  },
  { kind: 'image', file: 'b.png', error: 'b.png: cannot decode <PNG>' },
  {
    kind: 'volume',
    file: 'brain.nii.gz',
    axis: 'axial',
    labels: manifest.labels,
    slices: [
      { slice: 0, probabilities: [0.5, 0.5], top: { label: EVIL_LABEL, probability: 0.5 } },
      { slice: 1, probabilities: [0.1, 0.9], top: { label: 'plain', probability: 0.9 } },
    ],
    peaks: [
      { label: EVIL_LABEL, slice: 0, probability: 0.5 },
      { label: 'plain', slice: 1, probability: 0.9 },
    ],
    top: { label: 'plain', slice: 1, probability: 0.9, anomalyScore: 1, anomalyThreshold: 5 },
    sliceCount: 2,
  },
];

function view(extra: Partial<ReportView> = {}): ReportView {
  return {
    scanlensVersion: '0.0.0',
    generated: '2026-01-01T00:00:00.000Z',
    model: { manifest, sha256: '0'.repeat(64), assumptions: [] },
    summary: { files: 3, classified: 2, failed: 1, skipped: 0, cancelled: false },
    entries: rows.map(reportEntry),
    ...extra,
  };
}

test('reportHtml: no script, a CSP that allows only data: images and its own style block, by hash', () => {
  const html = reportHtml(view());
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no event handler attribute');
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  assert.equal((html.match(/<style>/g) ?? []).length, 1, 'one style block');
  const hash = createHash('sha256').update(style).digest('base64');
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`));
  assert.match(REPORT_CSP, /^default-src 'none'; img-src data:; style-src 'sha256-/);
  assert.ok(REPORT_CSP.includes(`'sha256-${hash}'`), 'the hash is of the style block as written');
  assert.doesNotMatch(html, /\sstyle="/, 'no style attribute (the hash does not cover them)');
});

test('reportHtml: labels, names, card text and errors are escaped and read back as written', () => {
  const html = reportHtml(view());
  for (const raw of [EVIL_LABEL, EVIL_FILE, '<b>bold</b>', '<i>markup</i>', '<PNG>']) assert.ok(!html.includes(raw), `${raw} is written raw`);
  const [first, second, third] = reportRows(html);
  assert.equal(first!['file'], EVIL_FILE);
  assert.equal(first!['top'], EVIL_LABEL);
  assert.equal(second!['error'], 'b.png: cannot decode <PNG>');
  assert.equal(third!['slice'], '1');
});

test("reportHtml: margin, entropy and the guard's verdict per row; a volume's numbers are its top peak slice's", () => {
  const html = reportHtml(view());
  const [image, , volume] = reportRows(html);
  assert.equal(Number(image!['margin']), 0.7 - 0.3);
  assert.equal(Number(image!['entropy']), -(0.7 * Math.log2(0.7) + 0.3 * Math.log2(0.3)));
  assert.equal(image!['ood'], 'true');
  assert.equal(volume!['ood'], 'false');
  assert.equal(Number(volume!['margin']), 0.9 - 0.1);
  assert.match(html, /<th>out of distribution<\/th>/);
  assert.match(html, /<span class="ood">out of distribution<\/span> \(9\.000\)/);
  assert.match(html, /volume, axial slice 2\/2/);
  // The per-class summary counts each top class once, the flagged one as flagged.
  assert.match(
    html,
    /<tr><td>&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/td><td class="num">1<\/td><td class="num">1<\/td><\/tr><tr><td>plain<\/td><td class="num">1<\/td><td class="num">0<\/td><\/tr>/,
  );
});

test('reportHtml: a model without a guard has no out-of-distribution column; a folder whose labels are not the classes says why it is not audited', () => {
  const unguarded: ClassifyResult[] = [{ kind: 'image', file: 'a.png', labels: manifest.labels, probabilities: [0.2, 0.8], top: { label: 'plain', probability: 0.8 } }];
  const html = reportHtml(view({ entries: unguarded.map(reportEntry), audit: { none: "sub-folders named 'cats', not among the model's classes" } }));
  assert.doesNotMatch(html, /out of distribution/);
  assert.match(html, /Not audited: sub-folders named &#39;cats&#39;, not among the model&#39;s classes\./);
});
