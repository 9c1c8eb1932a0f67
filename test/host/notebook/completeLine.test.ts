import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellCompletions } from '../../../src/host/notebook/cellCompletions';
import { completeLine } from '../../../src/host/notebook/completeLine';
import { completionData } from '../../../src/notebook/parser/completions';
import { COMMAND_NAMES } from '../../../src/notebook/parser/commandSpecs';

const data = completionData();
const at = (line: string) => completeLine(data, line, line.length);
const labels = (line: string): string[] => at(line).items.map((i) => i.label);

test('the first word completes to every command the parser knows', () => {
  assert.deepEqual(labels('cl'), [...COMMAND_NAMES]);
  assert.equal(completeLine(data, '  cl', 4).start, 2);
});

test('anomaly offers its subcommands, then options', () => {
  assert.deepEqual(labels('anomaly f'), ['fit', 'score', 'eval', 'threshold', 'add']);
});

test('options are offered as name=, minus those already given; values after =', () => {
  const options = labels('explain a.png method=gradcam ');
  assert.ok(options.includes('class=') && options.includes('alpha='));
  assert.ok(!options.includes('method='), 'method is already set');
  const values = at('explain a.png method=grad');
  assert.ok(values.items.map((i) => i.label).includes('gradcam++'));
  assert.equal(values.start, 'explain a.png method='.length, 'a value replaces only what follows =');
  assert.ok(labels('explain a.png colormap=').includes('viridis'));
});

test('a command taking files asks for paths; quoted words are paths only; comments get nothing', () => {
  assert.equal(at('classify sam').pathPrefix, 'sam');
  const quoted = at('info "my sc');
  assert.deepEqual([quoted.items.length, quoted.pathPrefix, quoted.start], [0, 'my sc', 6]);
  assert.equal(at('model threads=2 ').pathPrefix, '');
  assert.deepEqual(at('# classify sa'), { start: 13, items: [] });
  assert.deepEqual(at('classify a.png  # sa').items, []);
  assert.deepEqual(labels('nonsense x'), []);
});

test('paths come from the notebook folder: folders end in /, hidden entries only after a dot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-complete-'));
  mkdirSync(join(dir, 'scans'));
  writeFileSync(join(dir, 'scans', 'b.png'), '');
  writeFileSync(join(dir, 'scans', 'a.png'), '');
  writeFileSync(join(dir, '.hidden'), '');
  const top = (await cellCompletions(dir, 'classify ', 9)).items.filter((i) => i.kind === 'path').map((i) => i.label);
  assert.deepEqual(top, ['scans/']);
  const inside = await cellCompletions(dir, 'classify scans/', 15);
  assert.deepEqual(
    inside.items.filter((i) => i.kind === 'path').map((i) => i.label),
    ['scans/a.png', 'scans/b.png'],
  );
  assert.equal(inside.start, 9);
  // The editor filters by what is typed; hidden entries are offered once a word starts with a dot.
  assert.deepEqual(
    (await cellCompletions(dir, 'classify .h', 11)).items.filter((i) => i.kind === 'path').map((i) => i.label),
    ['.hidden', 'scans/'],
  );
  assert.deepEqual(
    (await cellCompletions(dir, 'classify nowhere/', 17)).items.filter((i) => i.kind === 'path'),
    [],
  );
});
