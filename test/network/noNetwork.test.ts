import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, ROOT } from '../helpers/paths';

/**
 * Analysis never touches the network: the CLI runs with a preload that makes
 * every socket, name lookup and HTTP(S) request record itself and throw
 * (worker threads inherit it). The controls show the hook catches each kind
 * of attempt, so a silent log means nothing tried.
 */

const HOOK = join(__dirname, 'blockNetwork.cjs');

function runHooked(args: readonly string[]): { status: number | null; stdout: string; stderr: string; attempts: string[] } {
  const log = join(mkdtempSync(join(tmpdir(), 'scanlens-net-')), 'attempts.log');
  const result = spawnSync(process.execPath, ['--require', HOOK, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, SCANLENS_NET_LOG: log, SCANLENS_CACHE_DIR: mkdtempSync(join(tmpdir(), 'scanlens-net-cache-')) },
  });
  const attempts = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, attempts };
}

const cli = (...args: string[]) => runHooked([join(ROOT, 'bin', 'scanlens.js'), ...args]);

const CONTROLS: [string, string, RegExp][] = [
  ['net.connect', "require('node:net').connect(8080, '127.0.0.1')", /net\.Socket\.connect/],
  ['http.get', "require('node:http').get('http://example.com/')", /node:http\.get/],
  ['https.request', "require('node:https').request('https://example.com/')", /node:https\.request/],
  ['dns.lookup', "require('node:dns').lookup('example.com', () => {})", /dns\.lookup/],
  ['tls.connect', "require('node:tls').connect(443, 'example.com')", /tls\.connect/],
  ['dgram.createSocket', "require('node:dgram').createSocket('udp4')", /dgram\.createSocket/],
  ['fetch', "fetch('http://127.0.0.1:8080/').catch(() => {})", /net\.Socket\.connect/],
  ['a worker thread', "new (require('node:worker_threads').Worker)(\"require('node:net').connect(8080, '127.0.0.1')\", { eval: true }).on('error', () => {})", /net\.Socket\.connect/],
];

for (const [name, code, recorded] of CONTROLS) {
  test(`positive control: the hook records and stops ${name}`, () => {
    const result = runHooked(['-e', code]);
    assert.equal(result.attempts.length, 1, result.stderr);
    assert.match(result.attempts[0]!, recorded);
  });
}

test('classify (PNG, DICOM, NIfTI) opens no socket', () => {
  const result = cli('classify', join(ROOT, 'samples', 'glioma-01.png'), fixture('dicom', 'mr-jpeg-lossless.dcm'), fixture('nifti', 'dtype-int16.nii'), '--json');
  assert.equal(result.status, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { summary: { classified: number } }).summary.classified, 3);
  assert.deepEqual(result.attempts, []);
});

test('explain (gradient model derived and cached) opens no socket', () => {
  const result = cli('explain', fixture('dicom', 'mr-explicit-le.dcm'), '--method', 'gradcam', '--json');
  assert.equal(result.status, 0, result.stderr);
  assert.ok((JSON.parse(result.stdout) as { map: { width: number } }).map.width > 0);
  assert.deepEqual(result.attempts, []);
});

test('a notebook cell (model, classify, explain, info) opens no socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-net-nb-'));
  const source = [
    `model ${join(ROOT, 'models', 'brain-mri-demo', 'model.json')}`,
    `classify ${join(ROOT, 'samples', 'glioma-01.png')}`,
    `explain ${fixture('dicom', 'mr-explicit-le.dcm')} method=gradcam++`,
    `info ${fixture('dicom', 'mr-explicit-le.dcm')}`,
  ].join('\n');
  const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'c0', metadata: {}, source, outputs: [], execution_count: null }] };
  writeFileSync(join(dir, 'n.ipynb'), JSON.stringify(notebook));
  // The notebook reads the repository's samples and fixtures: --root grants it that folder, as a workspace would.
  const result = cli('run', join(dir, 'n.ipynb'), '--root', ROOT);
  assert.equal(result.status, 0, result.stderr);
  const saved = JSON.parse(readFileSync(join(dir, 'n.ipynb'), 'utf8')) as { cells: { outputs: unknown[] }[] };
  assert.ok(saved.cells[0]!.outputs.length >= 3);
  assert.deepEqual(result.attempts, []);
});
