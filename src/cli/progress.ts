/**
 * Progress on stderr so stdout stays a clean JSON document. On a terminal one
 * line redraws; otherwise a line at most every two seconds, and the last.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  const started = Date.now();
  let lastPrinted = 0;
  return (done, total) => {
    const now = Date.now();
    const finished = done === total;
    if (!finished && now - lastPrinted < (stream.isTTY ? 100 : 2000)) return;
    lastPrinted = now;
    const seconds = (now - started) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const text = `${label}: ${done}/${total} (${rate.toFixed(1)}/s${finished ? '' : `, ~${eta}s left`})`;
    if (stream.isTTY) stream.write(`\r${text}${finished ? '\n' : ''}`);
    else stream.write(`${text}\n`);
  };
}
