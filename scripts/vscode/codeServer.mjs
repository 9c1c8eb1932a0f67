// Starts code-server on 127.0.0.1 with throwaway config, data and settings,
// and stops it (with the extension host it spawned) by process group.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_BIN } from './provision.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(origin, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    const ok = await fetch(`${origin}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${origin}/healthz within ${timeoutMs / 1000} s`);
}

/**
 * @param {{ trust: boolean, extensionsDir?: string, logFile: string }} options
 * trust=false turns workspace trust on and never prompts, so the opened
 * folder stays in restricted mode.
 */
export async function startCodeServer({ trust, extensionsDir, logFile }) {
  const home = mkdtempSync(join(tmpdir(), 'scanlens-code-server-'));
  const userData = join(home, 'user-data');
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': !trust ? true : false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
  };
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [
    CODE_SERVER_BIN,
    '--config', join(home, 'config.yaml'),
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userData,
    '--extensions-dir', extensionsDir ?? join(home, 'extensions'),
    ...(trust ? ['--disable-workspace-trust'] : []),
  ];
  writeFileSync(join(home, 'config.yaml'), '');
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, args, {
    detached: true, // own process group, so stop() reaches the extension host too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);

  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the whole group is already gone
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    signalGroup('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // The extension host can outlive the server; nothing of the group may remain.
    signalGroup('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, child, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, port, pid: child.pid, stop };
}

/** Runs `code-server --install-extension` into a given extensions folder. */
export function installExtension(vsix, extensionsDir) {
  return new Promise((resolve, reject) => {
    const home = mkdtempSync(join(tmpdir(), 'scanlens-install-'));
    const child = spawn(process.execPath, [CODE_SERVER_BIN, '--extensions-dir', extensionsDir, '--user-data-dir', join(home, 'u'), '--install-extension', vsix], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(home, { recursive: true, force: true });
      if (code === 0) resolve(output.trim());
      else reject(new Error(`code-server --install-extension ${vsix} failed (${code}): ${output.trim()}`));
    });
  });
}
