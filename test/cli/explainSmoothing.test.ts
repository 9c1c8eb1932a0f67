import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-cli-smooth-'));

interface Case {
  model: string;
  layer: string;
  class: number;
  method: string;
  eigenSmooth: boolean;
  augSmooth: boolean;
  width: number;
  height: number;
  data?: number[];
  u16?: string;
}
const { cases } = JSON.parse(readFileSync(fixture('explain', 'cam-methods.json'), 'utf8')) as { cases: Case[] };

function expected(find: (c: Case) => boolean): Case & { values: number[] } {
  const c = cases.find(find)!;
  const values = c.data ?? Array.from({ length: c.width * c.height }, (_, i) => Buffer.from(c.u16!, 'base64').readUInt16LE(2 * i) / 65535);
  return { ...c, values };
}

function worst(ours: number[], theirs: number[]): number {
  const norm = (v: number[]): number[] => {
    const lo = Math.min(...v);
    const range = Math.max(...v) - lo;
    return v.map((x) => (range > 0 ? (x - lo) / range : 0));
  };
  const a = norm(ours);
  const b = norm(theirs);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

const explain = (c: Case, flags: string[]): ReturnType<typeof runCli> =>
  runCli(['explain', fixture('explain', 'input.png'), '--model', fixture('explain', `${c.model}.onnx`), '--method', c.method, '--class', String(c.class), '--layer', c.layer, '--json', ...flags]);

test('explain --eigen-smooth matches the PyTorch reference of pytorch-grad-cam eigen_smooth', () => {
  const c = expected((x) => x.model === 'mobilenetv3' && x.method === 'layercam' && x.eigenSmooth && !x.augSmooth && x.class === 3 && x.width === 16);
  const result = explain(c, ['--eigen-smooth']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(doc.smooth, { eigen: true, aug: false });
  assert.deepEqual([doc.map.width, doc.map.height], [16, 16]);
  assert.ok(worst(doc.map.data, c.values) <= 1e-3);
});

test('explain --aug-smooth --eigen-smooth gives the averaged map at the model input size, as pytorch-grad-cam does', () => {
  const c = expected((x) => x.model === 'vit' && x.method === 'gradcam' && x.eigenSmooth && x.augSmooth);
  const result = explain(c, ['--aug-smooth', '--eigen-smooth']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual([doc.map.width, doc.map.height], [64, 64]);
  assert.ok(worst(doc.map.data, c.values) <= 1e-3);
  assert.ok(doc.notes.some((n: string) => n.startsWith('aug_smooth: the mean of 6 maps')));
  const text = explain(c, ['--aug-smooth']);
  assert.equal(text.status, 0, text.stderr);
});

test('explain --eigen-smooth with a method that has no terms to project is a usage error; with EigenCAM a note', () => {
  const c = expected((x) => x.model === 'resnet' && x.method === 'eigencam');
  const bad = explain({ ...c, method: 'scorecam' }, ['--eigen-smooth']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /eigen_smooth applies to Grad-CAM, Grad-CAM\+\+, HiResCAM, XGradCAM and LayerCAM .*not to scorecam/);
  const eigen = explain(c, ['--eigen-smooth']);
  assert.equal(eigen.status, 0, eigen.stderr);
  const doc = JSON.parse(eigen.stdout);
  assert.ok(worst(doc.map.data, c.values) <= 1e-3);
  assert.match(doc.notes.join('\n'), /eigen_smooth leaves EigenCAM unchanged/);
});
