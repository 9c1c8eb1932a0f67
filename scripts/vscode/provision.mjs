// Installs code-server (a real VS Code 1.100.3 whose extension host runs on
// Node 20) into .cache/vscode/, like test-electron's .vscode-test folder.
// Skips everything when already provisioned. Run directly or from runSuite.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './debianPackages.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, '.cache', 'vscode');
const PACKAGE_DIR = join(CACHE, 'node_modules', 'code-server');
export const CODE_SERVER_BIN = join(PACKAGE_DIR, 'out', 'node', 'entry.js');
const DONE_MARKER = join(CACHE, `provisioned-${CODE_SERVER_VERSION}`);

/**
 * @vscode/ripgrep downloads rg at install time; it looks in this cache first,
 * so a tarball of Debian's rg stands in for the download.
 */
function seedRipgrepCache(log) {
  const folder = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(folder, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  mkdirSync(folder, { recursive: true });
  log(`seeding ${tarball} from /usr/bin/rg`);
  const result = spawnSync('tar', ['-czf', tarball, '-C', '/usr/bin', 'rg'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('could not build the ripgrep tarball');
}

export function provision(log = console.log) {
  ensureDebianPackages(log);
  if (existsSync(DONE_MARKER) && existsSync(CODE_SERVER_BIN)) return;
  seedRipgrepCache(log);
  mkdirSync(CACHE, { recursive: true });
  const manifest = join(CACHE, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'scanlens-vscode-cache', private: true }, null, 2) + '\n');
  log(`installing code-server@${CODE_SERVER_VERSION} into ${CACHE} (native modules build from source; takes minutes)`);
  const started = Date.now();
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: CACHE,
    stdio: 'inherit',
    // code-server's postinstall refuses root without unsafe-perm; node-pty runs `npx node-gyp`.
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  if (result.status !== 0) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed with exit code ${result.status}`);
  const installed = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version;
  if (installed !== CODE_SERVER_VERSION) throw new Error(`expected code-server ${CODE_SERVER_VERSION}, found ${installed}`);
  writeFileSync(DONE_MARKER, new Date().toISOString() + '\n');
  log(`code-server ${CODE_SERVER_VERSION} provisioned in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    provision();
  } catch (error) {
    console.error(`provision: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
