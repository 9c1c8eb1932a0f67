// `npm run package [-- <target>|all]`: platform-specific .vsix files in out/.
// Each carries only its own platform's onnxruntime and sharp binaries: the
// platform block at the end of .vscodeignore is rewritten per target.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The platforms onnxruntime-node ships binaries for, as vsce names them. */
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const MARKER = '# platform: ';

function platformLines(target) {
  const [os, arch] = target.split('-');
  return [
    `${MARKER}${target}`,
    `!node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/**`,
    `!node_modules/@img/sharp-${target}/**`,
    ...(os === 'win32' ? [] : [`!node_modules/@img/sharp-libvips-${target}/**`]),
  ];
}

/** sharp's binary for a target is an optional dependency, installed only on that platform. */
function sharpInstalled(target) {
  return existsSync(join(ROOT, 'node_modules', '@img', `sharp-${target}`, 'package.json'));
}

export function packageTarget(target) {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const base = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
  const cut = base.indexOf(MARKER);
  if (cut < 0) throw new Error(`.vscodeignore has no "${MARKER}<target>" block`);
  const ignoreFile = join(ROOT, '.cache', `vscodeignore-${target}`);
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  writeFileSync(ignoreFile, base.slice(0, cut) + platformLines(target).join('\n') + '\n');
  const out = join(ROOT, 'out', `scanlens-${version}-${target}.vsix`);
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', '--target', target, '--out', out, '--ignoreFile', ignoreFile, '--allow-missing-repository', '--no-rewrite-relative-links'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`vsce package --target ${target} failed with exit code ${result.status}`);
  const mb = statSync(out).size / 1024 / 1024;
  console.log(`package: ${out} (${mb.toFixed(1)} MB)`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv[2] ?? 'linux-x64';
  const targets = wanted === 'all' ? TARGETS : [wanted];
  let failed = 0;
  for (const target of targets) {
    if (!TARGETS.includes(target)) {
      console.error(`package: unknown target ${target} (one of ${TARGETS.join(', ')}, or all)`);
      failed++;
    } else if (!sharpInstalled(target)) {
      const [os, cpu] = target.split('-');
      console.error(`package: skipped ${target}: sharp's binary for it is not installed (npm install --no-save --os=${os} --cpu=${cpu} sharp)`);
      failed++;
    } else {
      try {
        packageTarget(target);
      } catch (error) {
        console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
        failed++;
      }
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}
