import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyCsv } from '../../../src/core/report/classifyCsv';

test('classifyCsv: one column per label, error rows keep their reason', () => {
  const csv = classifyCsv(
    ['glioma', 'notumor'],
    [
      { kind: 'image', file: 'a.png', labels: ['glioma', 'notumor'], probabilities: [0.75, 0.25], top: { label: 'glioma', probability: 0.75 } },
      { kind: 'image', file: 'b.png', error: 'b.png: cannot decode PNG' },
    ],
    false,
  );
  assert.equal(
    csv,
    'file,top_label,top_probability,p_glioma,p_notumor,error,kind,axis,slices,top_slice,peak_slices\na.png,glioma,0.75,0.75,0.25,,image,,,,\nb.png,,,,,b.png: cannot decode PNG,image,,,,\n',
  );
});

test('classifyCsv: quotes commas and quotes, and defuses spreadsheet formulas', () => {
  const csv = classifyCsv(['x'], [{ kind: 'image', file: '=cmd|"a,b".png', error: 'bad, "very"' }], false);
  assert.equal(csv.split('\n')[1], `"'=cmd|""a,b"".png",,,,"bad, ""very""",image,,,,`);
});

test('classifyCsv for a guarded model: anomaly_score, anomaly_threshold and flag after error, filled only where the guard spoke', () => {
  const labels = ['glioma', 'notumor'];
  const csv = classifyCsv(
    labels,
    [
      { kind: 'image', file: 'a.png', labels, probabilities: [0.75, 0.25], top: { label: 'glioma', probability: 0.75 }, anomalyScore: 5.5, anomalyThreshold: 13 },
      {
        kind: 'image',
        file: 'odd.png',
        labels,
        probabilities: [0.5, 0.5],
        top: { label: 'glioma', probability: 0.5 },
        anomalyScore: 21.25,
        anomalyThreshold: 13,
        flag: 'input unlike the training data',
      },
      { kind: 'image', file: 'b.png', error: 'b.png: cannot decode PNG' },
    ],
    true,
  );
  assert.equal(
    csv,
    'file,top_label,top_probability,p_glioma,p_notumor,error,anomaly_score,anomaly_threshold,flag,kind,axis,slices,top_slice,peak_slices\n' +
      'a.png,glioma,0.75,0.75,0.25,,5.5,13,,image,,,,\n' +
      'odd.png,glioma,0.5,0.5,0.5,,21.25,13,input unlike the training data,image,,,,\n' +
      'b.png,,,,,b.png: cannot decode PNG,,,,image,,,,\n',
  );
  assert.equal(classifyCsv(labels, [], true).trim(), csv.split('\n')[0], 'the header alone, before any row, is the same');
});
