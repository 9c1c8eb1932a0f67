// `npm run test:electron`: the same suite under a desktop VS Code downloaded by
// @vscode/test-electron into .vscode-test/ (needs internet, so not on these
// machines; `npm run test:vscode` is the offline route).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './provision.mjs';
import { makeWorkspace } from './workspace.mjs';

const workspace = makeWorkspace();
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'dist', 'test', 'vscode', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`test:electron: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
