// Test-only preload for the hostile-input suite (test/hostile/): `node --import
// <this file> dist/cli.js …` writes the process's peak resident set size, in
// kilobytes (getrusage's ru_maxrss, which counts every thread of the process,
// worker threads included), to the file named by SCANLENS_PEAK_RSS_FILE when
// the process exits. Plain JavaScript, so the child needs no TypeScript loader.
import { writeFileSync } from 'node:fs';

const target = process.env.SCANLENS_PEAK_RSS_FILE;
if (target) {
  process.on('exit', () => {
    try {
      writeFileSync(target, String(process.resourceUsage().maxRSS));
    } catch {
      // Nothing to report to: the suite reads a missing file as "not measured".
    }
  });
}
