import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionData } from '../../src/notebook/parser/completions';
import { formatProblem, parseCell } from '../../src/notebook/parser/parseCell';
import { tokenizeLine } from '../../src/notebook/parser/tokenize';

test('a cell becomes commands with typed options; comments and blank lines are skipped', () => {
  const result = parseCell(
    '# the demo\nmodel ../models/brain-mri-demo/model.json threads=2\n\nclassify *.png top=2   # all of them\nexplain "my scans/a b.png" method=gradcam++ class=glioma alpha=0.4',
  );
  assert.ok(result.ok);
  assert.deepEqual(
    result.commands.map((c) => [c.name, c.line, c.args, c.options]),
    [
      ['model', 2, ['../models/brain-mri-demo/model.json'], { threads: 2 }],
      ['classify', 4, ['*.png'], { top: 2 }],
      ['explain', 5, ['my scans/a b.png'], { method: 'gradcam++', class: 'glioma', alpha: 0.4 }],
    ],
  );
});

test('quotes keep spaces and #, a quoted word with = is a path, key="a b" is an option', () => {
  assert.deepEqual(
    tokenizeLine(`info 'a # b.png' # note`).map((t) => t.text),
    ['info', 'a # b.png'],
  );
  const result = parseCell(`classify "x=1.png"\nexplain a.png layer="/features/Relu out"`);
  assert.ok(result.ok);
  assert.deepEqual(result.commands[0]!.args, ['x=1.png']);
  assert.deepEqual(result.commands[1]!.options, { layer: '/features/Relu out' });
});

test('stages parse as a list of known stage names', () => {
  const result = parseCell('preprocess a.png stages=denoise,clahe');
  assert.ok(result.ok);
  assert.deepEqual(result.commands[0]!.options, { stages: ['denoise', 'clahe'] });
});

test('explain and preprocess take axis= and slice=; stages=classic is the classic six', () => {
  const result = parseCell('explain a.nii axis=coronal slice=3\npreprocess a.nii stages=classic,denoise slice=0');
  assert.ok(result.ok);
  assert.deepEqual(result.commands[0]!.options, { axis: 'coronal', slice: 3 });
  assert.deepEqual(result.commands[1]!.options, { stages: ['denoise', 'clahe', 'sharpen', 'edges', 'normalize', 'skullstrip', 'denoise'], slice: 0 });
  const bad = parseCell('explain a.nii axis=oblique\nexplain a.nii slice=-1');
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.problems.map((p) => p.line),
    [1, 2],
  );
});

test('every mistake names its line, shows it, and says what was expected', () => {
  const result = parseCell('model m.json\nclasify a.png\nexplain a.png method=magic\nexplain a.png colour=red\nclassify\ninfo "a.png\nexplain a.png alpha=2\nanomaly fit normal/');
  assert.ok(!result.ok);
  const messages = result.problems.map(formatProblem);
  assert.equal(messages.length, 6);
  assert.match(messages[0]!, /^line 2: clasify a\.png — unknown command 'clasify'; expected one of model, classify, /);
  assert.match(messages[1]!, /^line 3: .* — option 'method': expected one of gradcam, gradcam\+\+, /);
  assert.match(messages[2]!, /^line 4: .* — unknown option 'colour'; explain takes method=, class=, layer=, colormap=, alpha=/);
  assert.match(messages[3]!, /^line 5: classify — expected classify <file\|folder\|glob>\.\.\./);
  assert.match(messages[4]!, /^line 6: .* — unterminated double quote at column 6/);
  assert.match(messages[5]!, /^line 7: .* — option 'alpha': expected a number between 0 and 1/);
});

test('anomaly needs a sub-command; options given twice and extra arguments are refused', () => {
  const result = parseCell('anomaly train x\nclassify a.png top=1 top=2\nexplain a.png b.png\nevaluate labels.csv batch=0');
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => [p.line, p.message]),
    [
      [1, 'expected anomaly fit|score|eval|threshold|add'],
      [2, "option 'top' given twice"],
      [3, 'too many arguments; expected explain <file>'],
      [4, "option 'batch': expected a whole number of at least 1"],
    ],
  );
  const ok = parseCell('anomaly score scans/ detector=d.json');
  assert.ok(ok.ok);
  assert.equal(ok.commands[0]!.subcommand, 'score');
});

test('completion data lists every command with its options and allowed values', () => {
  const data = completionData();
  assert.deepEqual(
    data.commands.map((c) => c.name),
    ['model', 'classify', 'explain', 'preprocess', 'info', 'volume', 'evaluate', 'export', 'anomaly', 'train'],
  );
  const explain = data.commands.find((c) => c.name === 'explain')!;
  assert.ok(explain.options.find((o) => o.name === 'method')!.values.includes('scorecam'));
  assert.deepEqual(explain.options.find((o) => o.name === 'axis')!.values, ['axial', 'coronal', 'sagittal']);
  assert.deepEqual(data.commands.find((c) => c.name === 'anomaly')!.subcommands, ['fit', 'score', 'eval', 'threshold', 'add']);
});

test('anomaly score and eval take axis= and slice= (completed from the spec); fit does not', () => {
  const result = parseCell('anomaly score brain.nii axis=coronal slice=3\nanomaly eval normal/ lesion/ axis=sagittal');
  assert.ok(result.ok);
  assert.deepEqual(result.commands[0]!.options, { axis: 'coronal', slice: 3 });
  assert.deepEqual(result.commands[1]!.options, { axis: 'sagittal' });
  const bad = parseCell('anomaly fit normal/ axis=axial\nanomaly score a.nii axis=oblique\nanomaly score a.nii slice=-1');
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.problems.map((p) => p.line),
    [1, 2, 3],
  );
  const anomaly = completionData().commands.find((c) => c.name === 'anomaly')!;
  for (const sub of ['score', 'eval']) assert.ok(anomaly.subcommandOptions![sub]!.includes('axis') && anomaly.subcommandOptions![sub]!.includes('slice'), sub);
  assert.ok(!anomaly.subcommandOptions!['fit']!.includes('axis'));
  assert.deepEqual(anomaly.options.find((o) => o.name === 'axis')!.values, ['axial', 'coronal', 'sagittal']);
});
