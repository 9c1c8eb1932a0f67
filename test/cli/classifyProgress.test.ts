import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { progressReporter } from '../../src/cli/progress';

function fakeStream(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  return { stream: { isTTY: false, write: (text: string) => lines.push(text.trim()) } as unknown as NodeJS.WriteStream, lines };
}

test('progress: the rate and ETA count from the first report, not from start-up; the last line always prints', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const { stream, lines } = fakeStream();
    const report = progressReporter('classify', stream);
    mock.timers.tick(30_000); // a slow start-up: model load, workers
    report(10, 100);
    mock.timers.tick(1_000);
    report(20, 100); // within two seconds of the last line: not printed
    mock.timers.tick(1_000);
    report(30, 100);
    mock.timers.tick(7_000);
    report(100, 100);
    assert.deepEqual(lines, ['classify: 10/100', 'classify: 30/100 (10.0/s, ~7s left)', 'classify: 100/100 (10.0/s)']);
  } finally {
    mock.timers.reset();
  }
});
