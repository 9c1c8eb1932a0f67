/** The PyTorch side-by-side: scripts/bench/pytorch_gradcam.py run by Debian's python with torch, on the same input tensor. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

export interface PyTorchResult {
  readonly torch: string;
  readonly forward_ms: number;
  readonly gradcam_ms: number;
  readonly top: number;
}

/** Undefined with a reason when python or torch is missing. */
export function pytorchGradCam(root: string, input: Float32Array, threads: number, runs: number): PyTorchResult | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-torch-'));
  try {
    const file = join(dir, 'input.bin');
    writeFileSync(file, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    const result = spawnSync(PYTHON, ['pytorch_gradcam.py', file, String(threads), String(runs)], { cwd: join(root, 'scripts', 'bench'), encoding: 'utf8', timeout: 600_000 });
    if (result.status !== 0) return `PyTorch run failed: ${(result.stderr || String(result.error)).trim().split('\n').at(-1)}`;
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as PyTorchResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
