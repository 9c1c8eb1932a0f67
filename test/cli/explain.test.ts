import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-cli-explain-'));
const reference = JSON.parse(readFileSync(fixture('explain', 'reference.json'), 'utf8')) as {
  models: Record<string, { cam: { data: number[] } }>;
};

const normalise = (values: number[]): number[] => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (v - lo) / (hi - lo));
};

test('explain --json on a bare torchvision-block export with only labels matches PyTorch Grad-CAM and writes the overlay', () => {
  const out = join(process.env['SCANLENS_CACHE_DIR']!, 'overlay.png');
  const result = runCli(['explain', fixture('explain', 'input.png'), '--model', fixture('explain', 'resnet.onnx'), '--class', 'meningioma', '--out', out, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.method, 'gradcam');
  assert.deepEqual(doc.class, { index: 1, label: 'meningioma' });
  assert.equal(doc.layer.source, 'automatic');
  assert.deepEqual([doc.map.width, doc.map.height], [8, 8]);
  const ours = normalise(doc.map.data);
  const theirs = normalise(reference.models['resnet']!.cam.data);
  assert.ok(ours.every((v, i) => Math.abs(v - theirs[i]!) <= 1e-4));
  const png = readFileSync(out);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [64, 64]);
});

test('explain on the demo model uses the manifest layer and gives a non-negative map', () => {
  const result = runCli(['explain', 'samples/glioma-01.png', '--method', 'gradcam++', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.layer.source, 'manifest');
  assert.equal(doc.map.data.length, doc.map.width * doc.map.height);
  assert.ok(doc.map.data.every((v: number) => v >= 0) && doc.map.data.some((v: number) => v > 0));
  assert.equal(doc.probabilities.length, doc.labels.length);
});

test('a bad scan exits 2 with one line naming it; an unknown class or layer exits 1', () => {
  const bad = runCli(['explain', 'README.md', '--model', fixture('explain', 'resnet.onnx')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^scanlens: README\.md: .+\n$/);
  const cls = runCli(['explain', fixture('explain', 'input.png'), '--model', fixture('explain', 'resnet.onnx'), '--class', 'banana']);
  assert.equal(cls.status, 1);
  assert.match(cls.stderr, /unknown class 'banana'/);
  const layer = runCli(['explain', fixture('explain', 'input.png'), '--model', fixture('explain', 'resnet.onnx'), '--layer', 'nope']);
  assert.equal(layer.status, 1);
  assert.match(layer.stderr, /no tensor 'nope'/);
});
