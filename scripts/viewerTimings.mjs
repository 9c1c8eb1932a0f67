// `node scripts/viewerTimings.mjs [N]`: opens scans in the scan viewer of a real
// VS Code host (code-server + headless Chromium, as npm run test:vscode) N times
// each and prints the median time of every step of opening, host and page side
// (see test/timing/viewerTimings.ts). Needs `npm run build` first.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from './vscode/codeServer.mjs';
import { runInBrowser } from './vscode/driveBrowser.mjs';
import { ROOT, provision } from './vscode/provision.mjs';
import { makeWorkspace } from './vscode/workspace.mjs';

const DRIVER = join(ROOT, 'dist', 'test', 'timing', 'viewerTimings.js');
const LOGS = join(ROOT, '.cache', 'vscode-logs');

async function main() {
  const opens = process.argv[2] ?? '7';
  if (!/^[1-9]\d*$/.test(opens)) throw new Error(`N must be a positive whole number, not '${opens}'`);
  provision();
  if (!existsSync(DRIVER)) throw new Error(`${DRIVER} is missing: run npm run build first`);
  mkdirSync(LOGS, { recursive: true });
  process.env.SCANLENS_TIMING_OPENS = opens;
  const workspace = makeWorkspace();
  const server = await startCodeServer({ trust: true, logFile: join(LOGS, 'code-server-timings.log') });
  try {
    return await runInBrowser({
      origin: server.origin,
      folder: workspace,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: DRIVER,
      timeoutMs: 20 * 60_000,
      log: (line) => line.includes('[scanlens:timings]') && console.log(line.replace('[scanlens:timings] ', '')),
    });
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`viewerTimings: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
