import { join } from 'node:path';
import { ScanLensError } from '../../src/core/errors';
import { FIXTURES } from '../helpers/paths';
import type { Target } from './targets';

/**
 * Deliberately broken targets, one per failure the harness must catch, so
 * the harness's own test can fail. Never part of a campaign.
 */

const seeds = [join(FIXTURES, 'fuzz-seeds', 'cells', 'quoting.txt')];
const retained: Buffer[] = [];

export const SELF_TEST_TARGETS: readonly Target[] = [
  {
    name: 'selftest-hang',
    seeds,
    text: true,
    warmUp: false,
    async run() {
      for (;;);
    },
  },
  {
    name: 'selftest-crash',
    seeds,
    text: true,
    warmUp: false,
    async run() {
      process.kill(process.pid, 'SIGSEGV');
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    },
  },
  {
    name: 'selftest-memory',
    seeds,
    text: true,
    warmUp: false,
    async run() {
      retained.push(Buffer.alloc(256 * 1024 * 1024, 1));
    },
  },
  {
    name: 'selftest-stray-error',
    seeds,
    text: true,
    warmUp: false,
    async run() {
      throw new TypeError('undefined is not a function');
    },
  },
  {
    name: 'selftest-phi',
    seeds,
    text: true,
    warmUp: false,
    async run(_bytes, file) {
      throw new ScanLensError('unknown transfer syntax 1.2.840 PAT-12345', file);
    },
  },
];
