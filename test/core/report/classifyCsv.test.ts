import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { classifyCsv, rowsFromCsv } from '../../../src/core/report/classifyCsv';

test('classifyCsv: one column per label, error rows keep their reason', () => {
  const csv = classifyCsv(
    ['glioma', 'notumor'],
    [
      { kind: 'image', file: 'a.png', labels: ['glioma', 'notumor'], probabilities: [0.75, 0.25], top: { label: 'glioma', probability: 0.75 } },
      { kind: 'image', file: 'b.png', error: 'b.png: cannot decode PNG' },
    ],
    { guarded: false, conformal: false },
  );
  assert.equal(
    csv,
    'file,top_label,top_probability,p_glioma,p_notumor,error,kind,axis,slices,top_slice,peak_slices,check\na.png,glioma,0.75,0.75,0.25,,image,,,,,3ba5e111\nb.png,,,,,b.png: cannot decode PNG,image,,,,,c440ee01\n',
  );
});

test('classifyCsv: quotes commas and quotes, and defuses spreadsheet formulas', () => {
  const csv = classifyCsv(['x'], [{ kind: 'image', file: '=cmd|"a,b".png', error: 'bad, "very"' }], { guarded: false, conformal: false });
  assert.equal(csv.split('\n')[1], `"'=cmd|""a,b"".png",,,,"bad, ""very""",image,,,,,aee9585c`);
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
    { guarded: true, conformal: false },
  );
  assert.equal(
    csv,
    'file,top_label,top_probability,p_glioma,p_notumor,error,anomaly_score,anomaly_threshold,flag,kind,axis,slices,top_slice,peak_slices,check\n' +
      'a.png,glioma,0.75,0.75,0.25,,5.5,13,,image,,,,,7f2db43b\n' +
      'odd.png,glioma,0.5,0.5,0.5,,21.25,13,input unlike the training data,image,,,,,30bb3853\n' +
      'b.png,,,,,b.png: cannot decode PNG,,,,image,,,,,4d984801\n',
  );
  assert.equal(classifyCsv(labels, [], { guarded: true, conformal: false }).trim(), csv.split('\n')[0], 'the header alone, before any row, is the same');
});

test('the check column: the first 8 hex digits of the SHA-256 of the other cells as a JSON array; a row cut anywhere or changed is not trusted', () => {
  const labels = ['glioma', 'notumor'];
  const csv = classifyCsv(labels, [{ kind: 'image', file: 'a.png', labels, probabilities: [0.97, 0.03], top: { label: 'glioma', probability: 0.97 } }], { guarded: false, conformal: false });
  const [header, line] = csv.split('\n');
  const cells = ['a.png', 'glioma', '0.97', '0.97', '0.03', '', 'image', '', '', '', ''];
  assert.equal(line, `${cells.join(',')},${createHash('sha256').update(JSON.stringify(cells)).digest('hex').slice(0, 8)}`);
  assert.deepEqual(rowsFromCsv(csv, labels)[0], {
    kind: 'image',
    file: 'a.png',
    labels,
    probabilities: [0.97, 0.03],
    top: { label: 'glioma', probability: 0.97 },
    topK: [
      { label: 'glioma', probability: 0.97 },
      { label: 'notumor', probability: 0.03 },
    ],
  });
  // Every cut of the row, the case among them: cut inside the last probability (`…,0.`), which made notumor the top class.
  for (let cut = 1; cut < line!.length; cut++) {
    const [row] = rowsFromCsv(`${header}\n${line!.slice(0, cut)}`, labels);
    assert.ok(row && 'error' in row, `cut at ${cut} (${line!.slice(0, cut)}) was trusted`);
  }
  const changed = `${header}\n${line!.replace('0.97,0.03', '0.03,0.97')}\n`;
  assert.ok('error' in rowsFromCsv(changed, labels)[0]!, 'a changed row is not trusted');
  assert.deepEqual(rowsFromCsv(csv.replace(',check', '').replace(/,[0-9a-f]{8}$/m, ''), labels), [], 'a CSV without the check column gives no rows');
});

test('a conformally calibrated model adds a prediction_set column (labels most probable first, ;-separated) that --resume reads back; names that look like formulas stay text', () => {
  const labels = ['glioma', '=cmd', 'notumor'];
  const row = { kind: 'image' as const, file: 'a.png', labels, probabilities: [0.3, 0.5, 0.2], top: { label: '=cmd', probability: 0.5 }, predictionSet: ['=cmd', 'glioma'] };
  const csv = classifyCsv(labels, [row], { guarded: false, conformal: true });
  const [header, line] = csv.split('\n');
  assert.match(header!, /,error,prediction_set,kind,/);
  assert.ok(line!.includes(",'=cmd;glioma,"), `a set cell that starts like a formula is guarded: ${line}`);
  assert.deepEqual((rowsFromCsv(csv, labels)[0] as { predictionSet?: string[] }).predictionSet, ['=cmd', 'glioma']);
  assert.doesNotMatch(classifyCsv(labels, [row], { guarded: false, conformal: false }), /prediction_set/, 'no column for a model without sets');
});
