import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { outOfDistributionMarkdown } from '../../src/notebook/outputs/guardMarkdown';

const flagged = { anomalyScore: 20.414, anomalyThreshold: 13.1391, flag: OUT_OF_DISTRIBUTION };
const passed = { anomalyScore: 4.2, anomalyThreshold: 13.1391 };

test('nothing flagged (or no guard at all): no quote, so the table stays the first thing in the output', () => {
  const rows = [{ file: 'a.png', ...passed }, { file: 'b.png' }, { file: 'c.png', error: 'not a scan' }];
  assert.equal(outOfDistributionMarkdown(rows), '');
});

test('flagged files are listed by name, markdown and line breaks escaped so a name cannot leave the quote', () => {
  const markdown = outOfDistributionMarkdown([
    { file: 'a`b.png', ...flagged },
    { file: 'ok.png', ...passed },
    { file: 'two\nlines.png', ...flagged },
  ]);
  assert.equal(
    markdown,
    [
      '> ⚠️ **Out of distribution: 2 of 3 file(s)**',
      '>',
      '> - a\\`b.png: Out of distribution (anomaly score 20.41 ≥ threshold 13.14): this scan is unlike the data the model was trained on, so its probabilities should not be trusted.',
      '> - two\\\\nlines.png: Out of distribution (anomaly score 20.41 ≥ threshold 13.14): this scan is unlike the data the model was trained on, so its probabilities should not be trusted.',
      '',
      '',
    ].join('\n'),
  );
});
