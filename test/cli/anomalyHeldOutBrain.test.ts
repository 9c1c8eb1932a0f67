import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/runCli';

/**
 * The held-out different-brain check (issue 17 item 2), with `anomaly fit`'s
 * default settings. Fixtures: scripts/reference/make_heldout_brain.py. The
 * lesions come from a generator unlike any used to train or fit anything
 * here. Measured levels and the target are in docs/anomaly.md; each floor is
 * just under what the default scores today, so a change that makes the
 * default worse on brains it never saw fails here.
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-heldout-brain-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const FIXTURES = join('test', 'fixtures', 'heldout-brain');

function heldOutAuroc(fitFolder: string, out: string): number {
  const fit = runCli(['anomaly', 'fit', join(FIXTURES, fitFolder), '--out', join(work, out), '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  const result = runCli(['anomaly', 'eval', join(FIXTURES, 'normal'), join(FIXTURES, 'lesion'), '--detector', join(work, out), '--json']);
  assert.equal(result.status, 0, result.stderr);
  const { metrics } = JSON.parse(result.stdout);
  assert.equal(metrics.normal, 30);
  assert.equal(metrics.anomalous, 30);
  return metrics.auroc;
}

test('held-out different brain: fitted on ch2 with the defaults, it ranks lesion slices of nibabel anatomical.nii above its normal ones', (t) => {
  const value = heldOutAuroc('fit', 'cross');
  t.diagnostic(`AUROC ${value.toFixed(3)} (target 0.92)`);
  assert.ok(value >= 0.56, `AUROC ${value}`);
});

test('unseen brain: fitted on other normal slices of anatomical.nii with the defaults, it ranks its lesion slices above its normal ones', (t) => {
  const value = heldOutAuroc('same', 'same');
  t.diagnostic(`AUROC ${value.toFixed(3)} (target 0.92)`);
  assert.ok(value >= 0.69, `AUROC ${value}`);
});
