import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyCsv } from '../../../src/core/report/classifyCsv';

test('classifyCsv: one column per label, error rows keep their reason', () => {
  const csv = classifyCsv(
    ['glioma', 'notumor'],
    [
      { file: 'a.png', labels: ['glioma', 'notumor'], probabilities: [0.75, 0.25], top: { label: 'glioma', probability: 0.75 } },
      { file: 'b.png', error: 'b.png: cannot decode PNG' },
    ],
  );
  assert.equal(csv, 'file,top_label,top_probability,p_glioma,p_notumor,error\na.png,glioma,0.75,0.75,0.25,\nb.png,,,,,b.png: cannot decode PNG\n');
});

test('classifyCsv: quotes commas and quotes, and defuses spreadsheet formulas', () => {
  const csv = classifyCsv(['x'], [{ file: '=cmd|"a,b".png', error: 'bad, "very"' }]);
  assert.equal(csv.split('\n')[1], `"'=cmd|""a,b"".png",,,,"bad, ""very"""`);
});
