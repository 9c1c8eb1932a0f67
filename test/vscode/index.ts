import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** Suites that need a particular host; every other suite runs in the plain, trusted one. */
const SPECIAL = { restricted: 'restricted.suite.js', installed: 'installed.suite.js' } as const;

/** Which host this is, decided by what the host really is, not by a flag. */
function hostKind(): 'restricted' | 'installed' | 'development' {
  if (!vscode.workspace.isTrusted) return 'restricted';
  const extension = vscode.extensions.getExtension('scanlens.scanlens');
  // Suites live in <repo>/dist/test/vscode; an installed .vsix lives elsewhere.
  return extension && resolve(extension.extensionPath) !== resolve(__dirname, '..', '..', '..') ? 'installed' : 'development';
}

/** Entry point the extension host calls (same contract as @vscode/test-electron). */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false });
  const kind = hostKind();
  const special = Object.values(SPECIAL) as string[];
  const suites = readdirSync(__dirname)
    .filter((file) => file.endsWith('.suite.js'))
    .filter((file) => (kind === 'development' ? !special.includes(file) : file === SPECIAL[kind]))
    // SCANLENS_VSCODE_GREP=results (or results,classify) runs only the suites whose file name holds one of its words.
    .filter((file) => !process.env.SCANLENS_VSCODE_GREP || process.env.SCANLENS_VSCODE_GREP.split(',').some((word) => file.includes(word)))
    .sort();
  for (const file of suites) mocha.addFile(join(__dirname, file));
  console.log(`[scanlens] ${kind} host: running ${suites.join(', ')}`);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
