import { rank } from '../classify/classify';
import { isVolumeResult, rowError, type ClassifyResult, type ImageResult } from '../jobs/classifyJob';
import { verdictLine } from '../vocabulary/outOfDistribution';
import { terminalText } from '../text/escape';
import { peakMark, peakVerdictsLine } from '../vocabulary/peakVerdicts';

/**
 * One result as one line of text (terminal, notebook text/plain): the top
 * `top` classes of an image with the guard's verdict, or a volume's peak
 * slices; an error row says ERROR and why. `file` is the name to show.
 * File names, labels and errors are attacker text: terminalText shows their
 * control characters as escapes, so no name can forge a line or reach the terminal.
 */
export function classifyLine(row: ClassifyResult, top: number, file = row.file): string {
  return terminalText(rawLine(row, top, file));
}

function rawLine(row: ClassifyResult, top: number, file: string): string {
  const error = rowError(row);
  if (error !== undefined) return `${file}  ERROR  ${error}`;
  if (isVolumeResult(row)) {
    const peaks = row.peaks.map((p) => `${p.label} ${p.probability.toFixed(3)}@${p.slice}${peakMark(p)}`).join('  ');
    const verdicts = peakVerdictsLine(row.peaks, String);
    return `${file}  ${row.axis} ${row.sliceCount} slices  peaks: ${peaks}${verdicts ? `  ${verdicts}` : ''}`;
  }
  // What failed has returned: this is an image's row.
  const image = row as ImageResult;
  const ranked = image.labels && image.probabilities ? rank(image.labels, image.probabilities, top) : [];
  const verdict = verdictLine(image);
  const set = image.predictionSet ? `  set {${image.predictionSet.join(', ')}}` : '';
  return `${file}  ${ranked.map((r) => `${r.label} ${r.probability.toFixed(3)}`).join('  ')}${set}${verdict ? `  ${verdict}` : ''}`;
}
