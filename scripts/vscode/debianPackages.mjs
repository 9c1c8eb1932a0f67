// The runner needs a few Debian packages: chromium (the headless browser),
// ripgrep (fed to code-server's install instead of a download) and
// libkrb5-dev (code-server's kerberos module builds from source). CI machines
// start fresh, so when one is missing and we are root, apt installs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  { name: 'chromium', file: '/usr/bin/chromium' },
  { name: 'ripgrep', file: '/usr/bin/rg' },
  { name: 'libkrb5-dev', file: '/usr/include/krb5.h' },
];

export function ensureDebianPackages(log = console.log) {
  const missing = PACKAGES.filter((p) => !existsSync(p.file)).map((p) => p.name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(', ')} (run: sudo apt-get install -y ${missing.join(' ')})`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args[0]} failed with exit code ${result.status}`);
  }
}

export const CHROMIUM = '/usr/bin/chromium';
