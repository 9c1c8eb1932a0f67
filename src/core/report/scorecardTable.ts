import type { Scorecard } from '../explain/scorecard/scorecard';
import { CAUSAL_STEPS } from '../explain/scorecard/causalCurve';
import { terminalText } from '../text/escape';

export interface ScorecardTable {
  readonly columns: string[];
  readonly rows: (string | number | null)[][];
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/**
 * The scorecard as one table every surface shows (the CLI's text, the
 * notebook's markdown, the viewer's panel): each check, its value and which
 * way is faithful. The randomisation check shows its first step (the top
 * layer re-initialised) and its last (every layer); the JSON has each step.
 */
export function scorecardTable(card: Scorecard): ScorecardTable {
  const { confidence, road, randomisation } = card;
  const percentages = road.mostRelevantFirst.percentages;
  const span = `${percentages[0]}…${percentages[percentages.length - 1]} %`;
  const rows: (string | number | null)[][] = [
    ['class probability', confidence.original, ''],
    ['probability on input × map', confidence.explanationMap, ''],
    ['confidence drop (Grad-CAM++)', confidence.drop, 'low'],
    ['confidence increase (Grad-CAM++)', yesNo(confidence.increase), 'yes'],
    [`deletion AUC (RISE, ${CAUSAL_STEPS} steps)`, card.deletion.auc, 'low'],
    [`insertion AUC (RISE, ${CAUSAL_STEPS} steps)`, card.insertion.auc, 'high'],
    [`ROAD most relevant first, mean over ${span}`, road.mostRelevantFirst.mean, 'low'],
    [`ROAD least relevant first, mean over ${span}`, road.leastRelevantFirst.mean, 'high'],
    ['ROAD combined', road.combined, 'high'],
  ];
  if ('skipped' in randomisation) rows.push(['randomisation check', 'not run', randomisation.skipped]);
  else {
    const first = randomisation.steps[0];
    const last = randomisation.steps[randomisation.steps.length - 1];
    if (first && last) {
      rows.push([`randomised ${first.layer}: Spearman`, first.spearman, 'near 0'], [`randomised ${first.layer}: SSIM`, first.ssim, 'low']);
      if (randomisation.steps.length > 1) {
        const all = `randomised all ${randomisation.steps.length} layers`;
        rows.push([`${all}: Spearman`, last.spearman, 'near 0'], [`${all}: SSIM`, last.ssim, 'low']);
      }
    }
  }
  if (card.mask) rows.push(['pointing game (mask)', yesNo(card.mask.pointingGame), 'yes'], ['relevance mass in mask', card.mask.relevanceMass, 'high']);
  for (const note of card.notes) rows.push(['note', note, '']);
  return { columns: ['check', 'value', 'faithful when'], rows };
}

/** A number as every surface prints it: 4 decimals; a value that does not exist (a constant map's correlation) as —. */
export function scorecardCell(value: string | number | null): string {
  if (value === null) return '—';
  return typeof value === 'number' ? value.toFixed(4) : value;
}

/** The table as aligned terminal lines; names (a layer's) through terminalText, so none can forge a line. */
export function scorecardText(card: Scorecard): string {
  const { columns, rows } = scorecardTable(card);
  const cells = [columns, ...rows.map((r) => r.map(scorecardCell))].map((r) => r.map(terminalText));
  const widths = columns.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells
    .map((r) =>
      r
        .map((v, c) => (c === 1 ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
