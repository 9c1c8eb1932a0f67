import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths';
import { addGoodSample, GOOD, GOOD_SAMPLE, type HostileCase } from './hostileCase';
import { notebookJson } from './containment';
import { demoModelCopy } from './declaredSizes';

/*
 * Text an attacker controls reaching the terminal or markup (issue 20 item
 * 7): a file name with a newline must not forge a result line, ESC sequences
 * must show as escapes, not drive the terminal; labels carrying ESC or
 * `<img onerror>` likewise. (hostileCase.assertContained already refuses any
 * raw ESC on either stream.)
 */

export const FORGED_NAME = 'a.png\nforged.png  glioma 0.999';
export const ESC_NAME = 'evil\x1b[2J\x1b]0;owned\x07.png';
export const HOSTILE_LABELS = ['glioma\x1b[2J\x1b]0;owned\x07', '<img src=x onerror=alert(1)>', 'notumor', 'pituitary'];

const lines = (text: string): string[] => text.trimEnd().split('\n');

interface SavedOutput {
  readonly output_type: string;
  readonly data?: Record<string, unknown>;
  readonly evalue?: string;
  readonly traceback?: string[];
}

/** The outputs `scanlens run` saved in a notebook, cell by cell. */
export function savedOutputs(notebook: string): SavedOutput[][] {
  return (JSON.parse(readFileSync(notebook, 'utf8')) as { cells: { outputs?: SavedOutput[] }[] }).cells.map((c) => c.outputs ?? []);
}

/** Raw HTML: `<` not preceded by markdown's backslash escape. */
const RAW_IMG = /(^|[^\\])<img/;
const text = (value: unknown): string => (Array.isArray(value) ? value.join('') : String(value));

/**
 * What a notebook shows of attacker-controlled text: no raw ESC in any
 * text/plain, markdown, SVG or error output (VS Code and Jupyter render ANSI
 * escapes in text/plain and tracebacks), no raw `<img` in markdown or SVG,
 * and text/plain lines as many as `plainLines` says (a newline in a name or
 * label must not add one). JSON payloads carry the values as they are.
 */
export function assertNotebookShowsEscaped(outputs: readonly SavedOutput[], plainLines?: readonly number[]): void {
  const plain: string[] = [];
  for (const output of outputs) {
    const shown: [string, string][] =
      output.output_type === 'error'
        ? [['error', `${output.evalue}\n${(output.traceback ?? []).join('\n')}`]]
        : Object.entries(output.data ?? {})
            .filter(([mime]) => !mime.endsWith('json'))
            .map(([mime, v]) => [mime, text(v)]);
    for (const [mime, value] of shown) {
      assert.ok(!value.includes('\x1b'), `raw ESC in ${mime}: ${JSON.stringify(value)}`);
      if (mime === 'text/markdown' || mime === 'image/svg+xml') assert.doesNotMatch(value, RAW_IMG, `raw <img in ${mime}`);
      if (mime === 'text/plain') plain.push(value);
    }
  }
  if (plainLines)
    assert.deepEqual(
      plain.map((p) => p.split('\n').length),
      plainLines,
      `text/plain lines: ${JSON.stringify(plain)}`,
    );
}

export const forgedTextCases: readonly HostileCase[] = [
  {
    name: 'file name with a newline forging a result line (classify)',
    build: (dir) => {
      copyFileSync(GOOD_SAMPLE, join(dir, FORGED_NAME));
      return { args: ['classify', FORGED_NAME] };
    },
    expect: {
      exit: 0,
      check: (run) => {
        assert.equal(lines(run.stdout).length, 1, `one result line: ${JSON.stringify(run.stdout)}`);
        assert.match(run.stdout, /^a\.png\\nforged\.png {2}glioma 0\.999 {2}glioma 0\.970 /);
      },
    },
  },
  {
    name: 'file name with ESC sequences, not a scan (classify, beside a good scan)',
    build: (dir) => {
      writeFileSync(join(dir, ESC_NAME), 'not a scan\n');
      return { args: ['classify', ESC_NAME, addGoodSample(dir)] };
    },
    expect: {
      exit: 2,
      errors: [{ file: ESC_NAME, reason: /not a recognised scan format/ }],
      check: (run) => {
        const out = lines(run.stdout);
        assert.equal(out.length, 2, run.stdout);
        assert.ok(out.includes(`evil\\x1b[2J\\x1b]0;owned\\x07.png  ERROR  evil\\x1b[2J\\x1b]0;owned\\x07.png: not a recognised scan format (DICOM, NIfTI, PNG, JPEG, TIFF or WebP)`), run.stdout);
        assert.ok(
          out.some((l) => l.startsWith(`${GOOD}  glioma 0.970`)),
          run.stdout,
        );
      },
    },
  },
  {
    name: 'model whose labels carry ESC and <img onerror> (classify --model)',
    build: (dir) => {
      demoModelCopy(dir, 'labels', (m) => (m.labels = HOSTILE_LABELS));
      return { args: ['classify', addGoodSample(dir), '--model', 'labels/model.json'] };
    },
    expect: {
      exit: 0,
      check: (run) => {
        assert.deepEqual(lines(run.stdout), [`${GOOD}  glioma\\x1b[2J\\x1b]0;owned\\x07 0.970  pituitary 0.013  <img src=x onerror=alert(1)> 0.010`]);
      },
    },
  },
  {
    name: 'model whose labels carry ESC and <img onerror>, in a notebook (run)',
    build: (dir) => {
      demoModelCopy(dir, 'labels', (m) => (m.labels = HOSTILE_LABELS));
      addGoodSample(dir);
      writeFileSync(join(dir, 'labels.ipynb'), notebookJson([`model labels/model.json\nclassify ${GOOD}`]));
      return { args: ['run', 'labels.ipynb'] };
    },
    expect: { exit: 0, check: (_run, dir) => assertNotebookShowsEscaped(savedOutputs(join(dir, 'labels.ipynb')).flat()) },
  },
  {
    name: 'file names with ESC sequences, a scan and not, in a notebook (run)',
    build: (dir) => {
      copyFileSync(GOOD_SAMPLE, join(dir, 'e\x1b[31m.png'));
      writeFileSync(join(dir, ESC_NAME), 'not a scan\n');
      writeFileSync(join(dir, 'names.ipynb'), notebookJson(['info "e\x1b[31m.png"', `info "${ESC_NAME}"`]));
      return { args: ['run', 'names.ipynb'] };
    },
    expect: {
      exit: 2,
      stderr: [/^scanlens: cell 2: line 1: info "evil\\x1b\[2J\\x1b\]0;owned\\x07\.png" — evil\\x1b\[2J\\x1b\]0;owned\\x07\.png: not a recognised scan format/],
      check: (_run, dir) => assertNotebookShowsEscaped(savedOutputs(join(dir, 'names.ipynb')).flat()),
    },
  },
  {
    name: 'file name with a newline in a scored folder, in a notebook (run anomaly score)',
    build: (dir) => {
      mkdirSync(join(dir, 'scans'));
      copyFileSync(GOOD_SAMPLE, join(dir, 'scans', 'x.png\nforged.png  0.0001  normal'));
      cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), join(dir, 'detector'), { recursive: true });
      writeFileSync(join(dir, 'score.ipynb'), notebookJson(['anomaly score scans detector=detector']));
      return { args: ['run', 'score.ipynb'] };
    },
    // One text/plain line for the one scan scored.
    expect: { exit: 0, check: (_run, dir) => assertNotebookShowsEscaped(savedOutputs(join(dir, 'score.ipynb')).flat(), [1]) },
  },
  {
    name: 'model whose label carries a newline, in a notebook (run)',
    build: (dir) => {
      demoModelCopy(dir, 'labels', (m) => (m.labels = ['glioma\nforged  notumor 0.999', 'meningioma', 'notumor', 'pituitary']));
      addGoodSample(dir);
      writeFileSync(join(dir, 'labels.ipynb'), notebookJson([`model labels/model.json`]));
      return { args: ['run', 'labels.ipynb'] };
    },
    // The model's one-line summary stays one line.
    expect: { exit: 0, check: (_run, dir) => assertNotebookShowsEscaped(savedOutputs(join(dir, 'labels.ipynb')).flat(), [1]) },
  },
];
