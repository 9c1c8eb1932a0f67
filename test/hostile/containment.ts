import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/paths';
import { GOOD_SAMPLE, type HostileCase } from './hostileCase';

/*
 * Files that try to reach outside their folder: a manifest whose model.onnx
 * is a link to a file elsewhere, a notebook whose cell exports over
 * ../../.bashrc after classifying a file named like a shell command. Nothing
 * outside is read or written (SECURITY.md: containment).
 */

const DEMO_MODEL = join(ROOT, 'models', 'brain-mri-demo');

/** Every path under `dir`, relative, sorted (links not followed). */
export function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

/** A notebook file (nbformat 4) of code cells. */
export function notebookJson(sources: readonly string[]): string {
  const cells = sources.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null }));
  return JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells });
}

/** The notebook's folder is home/project; ../../.bashrc from there is dir/.bashrc. */
const PROJECT = join('home', 'project');
const SHELL_NAME = '$(touch PWNED).png';

export const containmentCases: readonly HostileCase[] = [
  {
    name: 'manifest whose model.onnx links outside its folder (classify --model)',
    build: (dir) => {
      mkdirSync(join(dir, 'outside'));
      mkdirSync(join(dir, 'model'));
      copyFileSync(join(DEMO_MODEL, 'model.onnx'), join(dir, 'outside', 'model.onnx'));
      symlinkSync(join(dir, 'outside', 'model.onnx'), join(dir, 'model', 'model.onnx'));
      copyFileSync(join(DEMO_MODEL, 'model.json'), join(dir, 'model', 'model.json'));
      copyFileSync(GOOD_SAMPLE, join(dir, 'good.png'));
      return { args: ['classify', 'good.png', '--model', 'model/model.json'] };
    },
    expect: {
      exit: 1,
      errors: [{ file: 'model/model.json', reason: /field 'file' points outside the folder of model\.json \(.*\); it must name a file beside it or below it$/ }],
      check: (run) => assert.equal(run.stdout, '', 'nothing was classified'),
    },
  },
  {
    name: 'notebook exporting to ../../.bashrc after classifying "$(touch PWNED).png" (run)',
    build: (dir) => {
      const project = join(dir, PROJECT);
      mkdirSync(project, { recursive: true });
      copyFileSync(GOOD_SAMPLE, join(project, SHELL_NAME));
      writeFileSync(join(dir, '.profile'), 'keep me\n');
      writeFileSync(join(project, 'hostile.ipynb'), notebookJson([`classify "${SHELL_NAME}"\nexport ../../.bashrc format=json`]));
      return { args: ['run', join(PROJECT, 'hostile.ipynb')] };
    },
    expect: {
      exit: 2,
      stderr: [/^scanlens: cell 1: line 2: export \.\.\/\.\.\/\.bashrc format=json — .*writing outside the notebook's folder is not allowed/],
      check: (_run, dir) => {
        assert.equal(existsSync(join(dir, '.bashrc')), false, '.bashrc written');
        assert.equal(readFileSync(join(dir, '.profile'), 'utf8'), 'keep me\n');
        // The CLI ran in dir: only the notebook itself changed (its outputs saved), no PWNED anywhere.
        assert.deepEqual(tree(dir), ['.peak-rss', '.profile', 'home', PROJECT, join(PROJECT, SHELL_NAME), join(PROJECT, 'hostile.ipynb')]);
        const saved = JSON.parse(readFileSync(join(dir, PROJECT, 'hostile.ipynb'), 'utf8')) as { cells: { outputs: { output_type: string }[] }[] };
        assert.deepEqual(
          saved.cells[0]!.outputs.map((o) => o.output_type),
          ['display_data', 'display_data', 'error'],
          'the classification is shown, then the export fails',
        );
      },
    },
  },
];
