/**
 * Progress on stderr so stdout stays a clean JSON document. On a terminal one
 * line redraws; otherwise a line at most every two seconds, and the last.
 * Rate and ETA count from the first report, so start-up (loading the model,
 * starting workers) does not inflate the estimate.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  let first: { at: number; done: number } | undefined;
  let lastPrinted = 0;
  return (done, total) => {
    const now = Date.now();
    first ??= { at: now, done };
    const finished = done === total;
    if (!finished && now - lastPrinted < (stream.isTTY ? 100 : 2000)) return;
    lastPrinted = now;
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0 ? (done - first.done) / seconds : 0;
    const eta = rate > 0 ? `, ~${Math.round((total - done) / rate)}s left` : '';
    const text = `${label}: ${done}/${total}${rate > 0 ? ` (${rate.toFixed(1)}/s${finished ? '' : eta})` : ''}`;
    if (stream.isTTY) stream.write(`\r${text}${finished ? '\n' : ''}`);
    else stream.write(`${text}\n`);
  };
}
