import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `count` scan files in a fresh temp folder: the sample PNGs copied round-robin. */
export function sampleFolder(root: string, count: number, prefix = 'scanlens-bench-'): { folder: string; files: string[] } {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const samples = readdirSync(join(root, 'samples'))
    .filter((f) => f.endsWith('.png'))
    .sort();
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const target = join(folder, `${String(i).padStart(5, '0')}.png`);
    copyFileSync(join(root, 'samples', samples[i % samples.length]!), target);
    files.push(target);
  }
  return { folder, files };
}
