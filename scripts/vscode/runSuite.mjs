// `npm run test:vscode`: provisions code-server, then runs the Mocha suite in
// dist/test/vscode inside its real extension host three times: trusted, in
// restricted mode, and with the packaged linux-x64 .vsix installed instead of
// the development folder. Exits non-zero if any run fails.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtension, startCodeServer } from './codeServer.mjs';
import { packageTarget } from './package.mjs';
import { runInBrowser } from './driveBrowser.mjs';
import { ROOT, provision } from './provision.mjs';
import { makeWorkspace } from './workspace.mjs';

const SUITE = join(ROOT, 'dist', 'test', 'vscode', 'index.js');
const LOGS = join(ROOT, '.cache', 'vscode-logs');
const TIMEOUT_MS = 5 * 60_000;

/** One code-server, one browser, one suite run; always stops what it started. */
async function runPhase(name, { trust, settings, extensionsDir, extensionDevelopmentPath = ROOT }) {
  const log = (line) => console.log(`[${name}] ${line}`);
  const workspace = makeWorkspace({ settings });
  const server = await startCodeServer({ trust, extensionsDir, logFile: join(LOGS, `code-server-${name}.log`) });
  log(`code-server pid ${server.pid} on ${server.origin}, workspace ${workspace}`);
  const stopAll = () => void server.stop();
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const code = await runInBrowser({
      origin: server.origin,
      folder: workspace,
      extensionDevelopmentPath,
      extensionTestsPath: SUITE,
      timeoutMs: TIMEOUT_MS,
      log,
    });
    log(code === 0 ? 'suite passed' : `suite failed (exit code ${code})`);
    return code;
  } finally {
    process.off('SIGINT', stopAll);
    process.off('SIGTERM', stopAll);
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * Packages the linux-x64 .vsix and installs it into a fresh extensions folder.
 * The host still needs a development extension to run tests from: an empty
 * probe, so the ScanLens it sees is the installed one.
 */
async function installedPhaseOptions(scratch) {
  const vsix = packageTarget('linux-x64');
  console.log(`[installed] ${vsix}: ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
  const extensionsDir = join(scratch, 'extensions');
  console.log(`[installed] ${await installExtension(vsix, extensionsDir)}`);
  const probe = join(scratch, 'probe');
  mkdirSync(probe);
  const manifest = { name: 'scanlens-vsix-probe', publisher: 'scanlens-tests', version: '0.0.0', engines: { vscode: '^1.100.0' } };
  writeFileSync(join(probe, 'package.json'), JSON.stringify(manifest, null, 2));
  return { trust: true, extensionsDir, extensionDevelopmentPath: probe };
}

async function main() {
  const started = Date.now();
  provision();
  if (!existsSync(SUITE)) throw new Error(`${SUITE} is missing: run npm run build first`);
  mkdirSync(LOGS, { recursive: true });
  const phases = [
    ['trusted', { trust: true }],
    // Restricted settings from the workspace, which VS Code must withhold: a model, and a provider no Linux runtime has.
    ['restricted', { trust: false, settings: { 'scanlens.model': 'models/tiny/tiny-labels.onnx', 'scanlens.provider': 'dml' } }],
  ];
  let failed = 0;
  // SCANLENS_VSCODE_GREP (see test/vscode/index.ts) picks suites of the trusted host only: the other phases are skipped.
  if (process.env.SCANLENS_VSCODE_GREP) phases.splice(1);
  for (const [name, options] of phases) {
    if ((await runPhase(name, options)) !== 0) failed++;
  }
  if (process.env.SCANLENS_VSCODE_GREP) {
    console.log(`test:vscode: suites matching '${process.env.SCANLENS_VSCODE_GREP}' ${failed === 0 ? 'passed' : 'failed'} in ${Math.round((Date.now() - started) / 1000)} s`);
    return failed === 0 ? 0 : 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'scanlens-vsix-'));
  try {
    phases.push(['installed', {}]);
    if ((await runPhase('installed', await installedPhaseOptions(scratch))) !== 0) failed++;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`test:vscode: ${phases.length - failed}/${phases.length} runs passed in ${Math.round((Date.now() - started) / 1000)} s (code-server logs in ${LOGS})`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`test:vscode: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
