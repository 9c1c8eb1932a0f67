import type { ClassifyRow } from '../classify/classify';
import type { VolumeRow } from '../classify/classifyVolume';
import { checkCellText, checkPassedText, warningFor } from '../vocabulary/outOfDistribution';
import { peakMark, peakWarningsQuote } from '../vocabulary/peakVerdicts';
import { markdownText, terminalText } from '../text/escape';

function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Title and model line every details document starts with. */
function heading(file: string, model: Record<string, unknown>): string[] {
  const sha = typeof model.sha256 === 'string' ? ` (sha256 ${model.sha256.slice(0, 12)}…)` : '';
  return [`# ScanLens: ${markdownText(file)}`, '', `Model: ${markdownText(`${String(model.name)} ${String(model.version ?? '')}`)}${sha}`, ''];
}

/** The disclaimer and the raw JSON every details document ends with. */
function closing(model: Record<string, unknown>, result: unknown): string[] {
  return ['> Research tool, not a medical device.', '', '```json', JSON.stringify({ model, result }, null, 2), '```', ''];
}

/** The guard's verdict, above the probabilities it qualifies; nothing for a model without a guard. */
function guardLines(row: ClassifyRow): string[] {
  const { anomalyScore: score, anomalyThreshold: threshold } = row;
  if (score === undefined || threshold === undefined) return [];
  const warning = warningFor(row);
  return warning ? [`> ⚠️ **${warning}**`, ''] : [`${checkPassedText(score, threshold)}.`, ''];
}

/** One file's result for people: the guard's verdict, every class by probability, notes, then the raw JSON. */
export function detailsMarkdown(row: ClassifyRow, model: Record<string, unknown>): string {
  const labels = row.labels ?? [];
  const order = labels.map((label, i) => ({ label, p: row.probabilities?.[i] ?? 0 })).sort((a, b) => b.p - a.p);
  return [
    ...heading(row.file, model),
    ...guardLines(row),
    ...(row.error !== undefined ? [`Error: ${markdownText(row.error)}`] : ['| Class | Probability |', '|---|---|', ...order.map((r) => `| ${markdownText(r.label)} | ${percent(r.p)} |`)]),
    '',
    ...(row.predictionSet ? [`Conformal prediction set: ${row.predictionSet.map(markdownText).join(', ')}`, ''] : []),
    ...(row.notes?.length ? ['Notes:', ...row.notes.map((n) => `- ${markdownText(n)}`), ''] : []),
    ...closing(model, row),
  ].join('\n');
}

/** The one-line summary a notification shows: top classes with percentages. */
export function topLine(row: ClassifyRow): string {
  return terminalText((row.topK ?? []).map((r) => `${r.label} ${percent(r.probability)}`).join(' · '));
}

/** Slices are numbered from 1 for people; the JSON keeps the engine's 0-based index. */
function sliceOf(slice: number, row: VolumeRow): string {
  return `${slice + 1}/${row.slices.length}`;
}

/** Each class's peak, most probable first. */
function peaksByProbability(row: VolumeRow): VolumeRow['peaks'][number][] {
  return [...row.peaks].sort((a, b) => b.probability - a.probability);
}

/** Each class's peak slice, most probable first: "glioma 0.91 at slice 87/181", marked "⚠" where the guard flagged the slice. */
export function peakLine(row: VolumeRow): string {
  return terminalText(
    peaksByProbability(row)
      .map((p) => `${p.label} ${p.probability.toFixed(2)} at slice ${sliceOf(p.slice, row)}${peakMark(p)}`)
      .join(' · '),
  );
}

/**
 * What a volume's notification ends with when the guard flagged a peak slice:
 * the full warning for the most probable flagged peak, then the other flagged
 * slices by name, since a notification has room for one warning; undefined
 * when none is flagged (or there is no guard).
 */
export function volumeWarning(row: VolumeRow): string | undefined {
  const flagged = peaksByProbability(row).filter((p) => warningFor(p) !== undefined);
  const first = flagged[0];
  if (!first) return undefined;
  const others = [...new Set(flagged.map((p) => p.slice))].filter((s) => s !== first.slice);
  const also = others.length > 0 ? ` Also flagged: ${others.map((s) => `slice ${sliceOf(s, row)}`).join(', ')}.` : '';
  return `slice ${sliceOf(first.slice, row)}: ${warningFor(first)!}${also}`;
}

/**
 * A volume's result for people: the guard's warnings on flagged peak slices,
 * each class's peak slice (with the guard's check for a guarded model),
 * notes, then the raw JSON with the per-slice profile.
 */
export function volumeDetailsMarkdown(row: VolumeRow, model: Record<string, unknown>): string {
  const peaks = peaksByProbability(row);
  const guarded = peaks.some((p) => p.anomalyScore !== undefined) || (row.notes?.length ?? 0) > 0;
  const name = (slice: number): string => sliceOf(slice, row);
  return [
    ...heading(row.file, model),
    `Volume: ${row.slices.length} ${row.axis} slices, each classified; per class, the slice it scored highest on.`,
    '',
    ...peakWarningsQuote(row.peaks, name),
    `| Class | Peak probability | Slice |${guarded ? ' Out-of-distribution check |' : ''}`,
    `|---|---|---|${guarded ? '---|' : ''}`,
    ...peaks.map((p) => `| ${markdownText(p.label)} | ${percent(p.probability)} | ${name(p.slice)} |${guarded ? ` ${checkCellText(p)} |` : ''}`),
    '',
    ...(row.notes?.length ? ['Notes:', ...row.notes.map((n) => `- ${markdownText(n)}`), ''] : []),
    ...closing(model, row),
  ].join('\n');
}
