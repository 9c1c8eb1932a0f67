import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { writePng } from '../helpers/pngWriter';
import { runCli } from '../helpers/runCli';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-cli-score-'));
// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = join(tmp, 'cache');

test('explain --mask with a mask off the scan grid: one line naming the mask as typed, exit 2, and the JSON error document; nothing scored', () => {
  const small = join(tmp, 'small-mask.png');
  writeFileSync(small, writePng({ width: 64, height: 64, colourType: 0, bitDepth: 8, samples: new Array<number>(64 * 64).fill(255) }));
  const given = relative(ROOT, small);
  const text = runCli(['explain', 'samples/glioma-01.png', '--mask', given]);
  assert.equal(text.status, 2);
  assert.equal(text.stdout, '');
  assert.equal(text.stderr, `scanlens: ${given}: is 64×64, the explained slice 128×128: the mask must be on the scan's grid\n`);
  const json = runCli(['explain', 'samples/glioma-01.png', '--mask', given, '--json']);
  assert.equal(json.status, 2);
  const doc = JSON.parse(json.stdout) as { error: string; scorecard?: unknown };
  assert.equal(doc.error, `${given}: is 64×64, the explained slice 128×128: the mask must be on the scan's grid`);
  assert.equal(doc.scorecard, undefined);
});

test('explain --score-seed takes a whole number only (a usage error, exit 1)', () => {
  const bad = runCli(['explain', 'samples/glioma-01.png', '--score', '--score-seed', '4.5']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /seed must be a whole number, got '4\.5'/);
});
