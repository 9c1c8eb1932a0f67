import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../helpers/paths';

// src/core/onnx/schema/onnx.js and onnx.d.ts are generated from the vendored onnx.proto;
// an edit to either side without `npm run gen:onnx` must not go unnoticed.
test('the committed ONNX static code matches what the vendored onnx.proto generates', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-onnx.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stderr}${run.stdout}`);
});
