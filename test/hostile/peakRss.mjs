// Test-only preload for the hostile-input suite (test/hostile/): `node --import
// <this file> dist/cli.js …` writes the process's peak resident set size, in
// kilobytes, to the file named by SCANLENS_PEAK_RSS_FILE when the process
// exits. On Linux that is VmHWM from /proc/self/status: the high-water mark of
// this program's own memory, every thread (worker threads included).
// getrusage's ru_maxrss is the fallback elsewhere; on Linux it is not used
// because it keeps the high-water mark of the process before exec, i.e. of
// the test runner that forked it (a runner holding 500 MB while it built an
// input made every case read 500 MB). Plain JavaScript, so the child needs
// no TypeScript loader.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No procfs: fall back below.
  }
  return process.resourceUsage().maxRSS;
}

const target = process.env.SCANLENS_PEAK_RSS_FILE;
if (target) {
  process.on('exit', () => {
    try {
      writeFileSync(target, String(peakKb()));
    } catch {
      // Nothing to report to: the suite reads a missing file as "not measured".
    }
  });
}
