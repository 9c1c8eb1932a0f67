import { markdownText, terminalText } from '../../../core/text/escape';
import { cp, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { histogram } from '../../../core/anomaly/metrics';
import { withThreshold, type AnomalyScorer } from '../../../core/anomaly/scorer';
import { ScanLensError } from '../../../core/errors';
import {
  AnomalyJobCancelled,
  addToDetector,
  evaluateAnomalies,
  fitAnomalyDetector,
  isScored,
  openAnomalyScorer,
  rethresholdDetector,
  scoreAnomalies,
  type AnomalyEvaluation,
  type AnomalyRow,
  type FittedAnomalyDetector,
} from '../../../core/jobs/anomalyJob';
import { getModel } from '../../../core/model/modelCache';
import type { SliceAxis } from '../../../core/scan/reslice';
import type { SliceChoice } from '../../../core/scan/sliceChoice';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { markdownTable, plainTable } from '../../outputs/markdownTable';
import { displayOutput, type NotebookOutput } from '../../outputs/notebookOutput';
import { rocChart, scoreHistogram, scoreProfile } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { histogramSvg, lineChartSvg } from '../../outputs/svgCharts';
import type { CommandContext, CommandOf, CommandRunner } from '../commandContext';
import type { FittedDetectorRecord, NotebookSession } from '../notebookSession';
import { displayPath, relativeMessage, resolveInputs, resolvePath } from '../resolveInputs';
import { parametersOf } from './parameters';
import { sliceText } from '../../../core/vocabulary/axes';

type Context = CommandContext<CommandOf<'anomaly'>>;
type Anomaly = Extract<NotebookResult, { kind: 'anomaly' }>;
type Row = Extract<Anomaly, { subcommand: 'score' }>['rows'][number];
type Detector = Anomaly['detector'];

/** A job's row as the notebook shows it: paths relative to the notebook, the slice scored, no map bytes (those become PNG outputs). */
function present(base: string, row: AnomalyRow): Row {
  if (!isScored(row)) return { file: displayPath(base, row.file), error: relativeMessage(base, row.error) };
  const { axis, index, count } = row.slice;
  return { file: displayPath(base, row.file), score: row.score, threshold: row.threshold, label: row.label, slice: { axis, index, count }, ...(row.profile ? { profile: [...row.profile] } : {}) };
}

/** Missing inputs come from resolveInputs already as the notebook shows them; the job passes them through. */
function presentAll(base: string, rows: readonly AnomalyRow[], shownAlready: number): Row[] {
  return rows.map((row, i) => (i < shownAlready ? (row as Row) : present(base, row)));
}

/** 'axial slice 3 of 4' for a volume's slice; nothing for a single image (or a row saved without its slice). */

const textRow = (row: Row): string => {
  if ('error' in row) return terminalText(`${row.file}  ERROR  ${row.error}`);
  const where = sliceText(row.slice);
  return terminalText(`${row.file}  ${where ? `${where}  ` : ''}${row.score.toFixed(4)}  ${row.label}`);
};

/** Whether any row scored a volume's slice: only then do tables get the axis and slice columns, so a table of images keeps its shape. */
const anyVolume = (rows: readonly Row[]): boolean => rows.some((r) => 'score' in r && Boolean(r.slice?.axis));

const scoreColumns = (withSlice: boolean, set: boolean): string[] => [...(set ? ['set'] : []), 'file', ...(withSlice ? ['axis', 'slice'] : []), 'score', 'threshold', 'verdict', 'error'];

const scoreTable = (rows: readonly Row[], withSlice: boolean, set?: string): Table['rows'] =>
  rows.map((r) => [
    ...(set ? [set] : []),
    r.file,
    ...(withSlice ? ('error' in r ? [null, null] : [r.slice?.axis ?? null, r.slice?.index ?? null]) : []),
    'error' in r ? null : r.score,
    'error' in r ? null : r.threshold,
    'error' in r ? null : r.label,
    'error' in r ? r.error : null,
  ]);

/** The map over the slice scored, as `scanlens anomaly score --maps` writes it. */
function mapOutput(file: string, row: { score: number; threshold: number; label: string; slice: SliceChoice }, png: Uint8Array, prov: ReturnType<typeof provenance>): NotebookOutput {
  const where = sliceText(row.slice);
  return displayOutput(
    {
      png,
      text: terminalText(
        `${file}${where ? ` ${where}` : ''}: anomaly map (score ${row.score.toFixed(4)} ${row.score >= row.threshold ? '≥' : '<'} threshold ${row.threshold.toFixed(4)}: ${row.label})`,
      ),
    },
    prov,
  );
}

/**
 * The detector a score or eval line uses: detector= (a fitted detector
 * folder, an anomalib export or a reconstruction model, read inside the
 * notebook's scope), or the one this notebook fitted last. Under
 * `run --check` a folder an earlier `anomaly fit out=` line would have
 * written is the detector that line fitted in memory.
 */
async function detectorFor(context: Context): Promise<{ scorer: AnomalyScorer; detector: Detector }> {
  const { command, session } = context;
  const { options } = command;
  const describe = (scorer: AnomalyScorer, path: string | null): Detector => ({ path, method: scorer.kind, threshold: options.threshold ?? scorer.threshold });
  const fromMemory = (record: FittedDetectorRecord) => ({ scorer: record.scorer, detector: describe(record.scorer, record.shown) });
  if (options.detector === undefined) {
    const last = session.fitted.last;
    if (!last) throw new ScanLensError('no detector: name one with detector=, or fit one first with anomaly fit <normal folder>');
    return fromMemory(last);
  }
  const unsaved = session.fitted.unsaved.get(resolvePath(session.baseDir, options.detector));
  if (unsaved) return fromMemory(unsaved);
  const { path, file } = await session.readPath(options.detector);
  const backbone = options.backbone === undefined ? undefined : (await session.readPath(options.backbone)).path;
  await session.checkRunnable(path, file);
  if (backbone !== undefined) await session.checkRunnable(backbone, options.backbone!);
  const model = await session.model();
  const scorer = await openAnomalyScorer(path, { threads: model.threads, provider: model.provider, threshold: options.threshold, backbone });
  return { scorer, detector: describe(scorer, file) };
}

const bool = (value: string | undefined): boolean => value === 'true';

/** `anomaly score <files|folders|globs>`: a score, the threshold and a verdict per scan; bad files become error rows. */
async function score(context: Context): Promise<NotebookOutput[]> {
  const { command, session, signal, onProgress } = context;
  const base = session.baseDir;
  const { scorer, detector } = await detectorFor(context);
  const inputs = await resolveInputs(await session.scope(), base, command.args);
  const maps = bool(command.options.maps);
  const prov = provenance(command.text, parametersOf(command), undefined);
  const jobRows: AnomalyRow[] = [];
  const mapOutputs: NotebookOutput[] = [];
  const progress = (done: number, total: number): void => onProgress({ line: command.line, done, total, message: `scored ${done} of ${total}` });
  const slice = { axis: command.options.axis as SliceAxis | undefined, slice: command.options.slice };
  const wholeVolume = bool(command.options.volume);
  if (wholeVolume && slice.slice !== undefined) throw new ScanLensError('volume=true scores every slice; leave out slice=');
  for await (const row of scoreAnomalies(scorer, inputs, { threshold: command.options.threshold, maps, ...slice, wholeVolume, signal, onProgress: progress })) {
    jobRows.push(row);
    if (isScored(row) && row.mapPng) mapOutputs.push(mapOutput(displayPath(base, row.file), row, row.mapPng, prov));
  }
  const rows = presentAll(base, jobRows, inputs.missing.length);
  const result: NotebookResult = { kind: 'anomaly', subcommand: 'score', detector, rows };
  const withSlice = anyVolume(rows);
  const table: Table = { columns: scoreColumns(withSlice, false), rows: scoreTable(rows, withSlice) };
  session.lastTable = { name: 'anomaly score', table };
  const scored = rows.filter((r): r is Extract<Row, { score: number }> => 'score' in r);
  const flagged = scored.filter((r) => r.label === 'anomalous').length;
  const failed = rows.length - scored.length;
  const heading = `**${flagged} of ${scored.length} scan(s) anomalous** against ${detectorName(detector)}${failed > 0 ? `, ${failed} failed` : ''}\n\n`;
  const outputs = [displayOutput({ result, markdown: heading + markdownTable(table), text: rows.map(textRow).join('\n') || plainTable(table) }, prov)];
  const profiles = scored.filter((r) => r.profile);
  if (profiles.length > 0) {
    const axis = profiles[0]!.slice?.axis ?? 'axial';
    outputs.push(
      displayOutput(
        {
          plotly: scoreProfile(
            profiles.map((r) => ({ name: r.file, scores: r.profile! })),
            axis,
            detector.threshold,
          ),
          svg: lineChartSvg(`Anomaly score by ${axis} slice`, `${axis} slice`, 'anomaly score', [
            ...profiles.map((r) => ({ name: r.file, x: r.profile!.map((_, k) => k), y: r.profile! })),
            { name: 'threshold', x: [0, Math.max(...profiles.map((r) => r.profile!.length - 1))], y: [detector.threshold, detector.threshold], dashed: true },
          ]),
          text: profiles.map((r) => terminalText(`${r.file}: highest ${r.score.toFixed(4)} at ${axis} slice ${r.slice?.index ?? 0} of ${r.profile!.length}`)).join('\n'),
        },
        prov,
      ),
    );
  }
  if (scored.length >= 2) {
    const bins = histogram({ scores: scored.map((r) => r.score), anomalous: scored.map((r) => r.label === 'anomalous') }, 10);
    const groups = [
      { name: 'normal', counts: bins.normal },
      { name: 'anomalous', counts: bins.anomalous },
    ];
    outputs.push(
      displayOutput(
        {
          plotly: scoreHistogram('Anomaly scores by verdict', { edges: bins.edges, groups }, detector.threshold),
          svg: histogramSvg('Anomaly scores by verdict', 'anomaly score', bins.edges, groups, { x: detector.threshold, label: `threshold ${detector.threshold.toFixed(2)}` }),
          text: `histogram of ${scored.length} score(s): ${scored.length - flagged} normal, ${flagged} anomalous (threshold ${detector.threshold.toFixed(4)})`,
        },
        prov,
      ),
    );
  }
  return [...outputs, ...mapOutputs];
}

function detectorName(detector: Detector): string {
  return `${detector.path === null ? 'the detector fitted above' : markdownText(detector.path)} (${detector.method}, threshold ${detector.threshold.toFixed(4)})`;
}

function evaluationText(e: AnomalyEvaluation): string {
  const { metrics, threshold, summary } = e;
  return [
    `${metrics.normal} normal, ${metrics.anomalous} anomalous scans${summary.failed ? ` (${summary.failed} failed)` : ''}`,
    `AUROC ${metrics.auroc.toFixed(4)}  AUPR ${metrics.aupr.toFixed(4)}`,
    `at threshold ${threshold.toFixed(4)}: F1 ${metrics.atThreshold.f1.toFixed(4)} (precision ${metrics.atThreshold.precision.toFixed(4)}, recall ${metrics.atThreshold.recall.toFixed(4)})`,
    `best F1 ${metrics.bestF1.f1.toFixed(4)} at threshold ${metrics.bestF1.threshold.toFixed(4)}`,
  ].join('\n');
}

type Pixel = NonNullable<Extract<Anomaly, { subcommand: 'eval' }>['pixel']>;

/** The pixel-level lines, as `scanlens anomaly eval --masks` prints them; then each mask that could not be used. */
function pixelText(pixel: Pixel): string[] {
  const metric = (name: string, value: number | null): string => `${name} ${value === null ? '—' : value.toFixed(4)}`;
  return [
    `pixels: ${pixel.images} scans (${pixel.masked} with a mask), ${pixel.anomalousPixels} of ${pixel.pixels} pixels anomalous in ${pixel.regions} regions`,
    `${metric('pixel AUROC', pixel.auroc)}  ${metric(`AUPRO (FPR ≤ ${pixel.fprLimit})`, pixel.aupro)}`,
    ...(pixel.unmasked.length > 0 ? [`${pixel.unmasked.length} anomalous scan(s) without a mask left out of the pixel metrics`] : []),
    ...pixel.failed.map((f) => `${f.file}  ERROR  ${f.error}`),
  ].map((line) => terminalText(line));
}

/** `anomaly eval <normal folder> <anomalous folder>`: AUROC, AUPR, F1, the score histogram of both sets and the ROC curve. */
async function evaluate(context: Context): Promise<NotebookOutput[]> {
  const { command, session, signal, onProgress } = context;
  const base = session.baseDir;
  const { scorer, detector } = await detectorFor(context);
  const scope = await session.scope();
  const [normalInputs, anomalousInputs] = [await resolveInputs(scope, base, [command.args[0]!]), await resolveInputs(scope, base, [command.args[1]!])];
  const maps = bool(command.options.maps);
  // The folder must lie in scope; the job lists it without following links, so every mask read lies inside it.
  const masks = command.options.masks === undefined ? undefined : (await session.readPath(command.options.masks)).path;
  const prov = provenance(command.text, parametersOf(command), undefined);
  const mapOutputs: NotebookOutput[] = [];
  let evaluation: AnomalyEvaluation;
  try {
    evaluation = await evaluateAnomalies(scorer, normalInputs, anomalousInputs, {
      threshold: command.options.threshold,
      bins: command.options.bins,
      masks,
      maps,
      axis: command.options.axis as SliceAxis | undefined,
      slice: command.options.slice,
      signal,
      onProgress: (set, done, total) => onProgress({ line: command.line, done, total, message: `scored ${done} of ${total} ${set}` }),
      onRow: (row) => {
        if (isScored(row) && row.mapPng) mapOutputs.push(mapOutput(displayPath(base, row.file), row, row.mapPng, prov));
      },
    });
  } catch (error) {
    if (error instanceof AnomalyJobCancelled) return [];
    throw error;
  }
  const normal = presentAll(base, evaluation.normal, normalInputs.missing.length);
  const anomalous = presentAll(base, evaluation.anomalous, anomalousInputs.missing.length);
  const { metrics, roc, threshold } = evaluation;
  const pixel = evaluation.pixel && {
    ...evaluation.pixel.metrics,
    masked: evaluation.pixel.masked,
    unmasked: evaluation.pixel.unmasked.map((file) => displayPath(base, file)),
    failed: evaluation.pixel.failed.map((f) => ({ file: displayPath(base, f.file), error: relativeMessage(base, f.error) })),
  };
  const result: NotebookResult = {
    kind: 'anomaly',
    subcommand: 'eval',
    detector,
    threshold,
    normal,
    anomalous,
    metrics: {
      normal: metrics.normal,
      anomalous: metrics.anomalous,
      auroc: metrics.auroc,
      aupr: metrics.aupr,
      atThreshold: { ...metrics.atThreshold },
      bestF1: { ...metrics.bestF1 },
      histogram: { edges: [...metrics.histogram.edges], normal: [...metrics.histogram.normal], anomalous: [...metrics.histogram.anomalous] },
    },
    roc: { fpr: [...roc.fpr], tpr: [...roc.tpr] },
    ...(pixel ? { pixel } : {}),
  };
  const withSlice = anyVolume([...normal, ...anomalous]);
  const rowsTable: Table = { columns: scoreColumns(withSlice, true), rows: [...scoreTable(normal, withSlice, 'normal'), ...scoreTable(anomalous, withSlice, 'anomalous')] };
  session.lastTable = { name: 'anomaly eval', table: rowsTable };
  const summary: Table = {
    columns: ['metric', 'value'],
    rows: [
      ['AUROC', metrics.auroc],
      ['AUPR', metrics.aupr],
      [`F1 at threshold ${threshold.toFixed(4)}`, metrics.atThreshold.f1],
      ['precision at threshold', metrics.atThreshold.precision],
      ['recall at threshold', metrics.atThreshold.recall],
      [`best F1 (threshold ${metrics.bestF1.threshold.toFixed(4)})`, metrics.bestF1.f1],
      ...(pixel
        ? [
            [`pixel AUROC (${pixel.images} scans, ${pixel.regions} regions)`, pixel.auroc],
            [`AUPRO (FPR ≤ ${pixel.fprLimit})`, pixel.aupro],
          ]
        : []),
    ],
  };
  const failed = evaluation.summary.failed;
  const heading = `**AUROC ${metrics.auroc.toFixed(4)}** on ${metrics.normal} normal and ${metrics.anomalous} anomalous scans${failed > 0 ? `, ${failed} failed` : ''}, against ${detectorName(detector)}\n\n`;
  const groups = [
    { name: 'normal', counts: metrics.histogram.normal },
    { name: 'anomalous', counts: metrics.histogram.anomalous },
  ];
  const curve = [{ label: 'anomalous', fpr: roc.fpr, tpr: roc.tpr, auc: metrics.auroc }];
  const rocTitle = 'ROC, anomalous against normal';
  return [
    displayOutput(
      {
        result,
        markdown: heading + markdownTable(summary) + '\n' + markdownTable(rowsTable),
        text: [evaluationText(evaluation), ...(pixel ? pixelText(pixel) : []), ...[...normal, ...anomalous].filter((r) => 'error' in r).map(textRow)].join('\n'),
      },
      prov,
    ),
    displayOutput(
      {
        plotly: scoreHistogram('Anomaly scores of normal and anomalous scans', { edges: metrics.histogram.edges, groups }, threshold),
        svg: histogramSvg('Anomaly scores of normal and anomalous scans', 'anomaly score', metrics.histogram.edges, groups, { x: threshold, label: `threshold ${threshold.toFixed(2)}` }),
        text: `score histogram (bin start: normal / anomalous): ${metrics.histogram.normal.map((c, i) => `${metrics.histogram.edges[i]!.toFixed(3)}: ${c}/${metrics.histogram.anomalous[i]}`).join(', ')}`,
      },
      prov,
    ),
    displayOutput(
      {
        plotly: rocChart(curve, rocTitle),
        svg: lineChartSvg(rocTitle, 'false-positive rate', 'true-positive rate', [
          { name: `AUROC ${metrics.auroc.toFixed(3)}`, x: roc.fpr, y: roc.tpr },
          { name: 'chance', x: [0, 1], y: [0, 1], dashed: true },
        ]),
        text: `ROC curve: AUROC ${metrics.auroc.toFixed(4)} over ${roc.fpr.length} points`,
      },
      prov,
    ),
    ...mapOutputs,
  ];
}

/**
 * A detector folder `anomaly fit out=` may write: new, empty, or holding a
 * detector (refitted in place). Its files are checked one by one too, once
 * their names are known.
 */
async function checkOutFolder(session: NotebookSession, out: string): Promise<{ path: string; file: string }> {
  const { path: manifest } = await session.writePath(join(out, 'detector.json'));
  const path = resolvePath(session.baseDir, out);
  const file = displayPath(session.baseDir, path);
  const info = await stat(path).catch(() => undefined);
  if (info && !info.isDirectory()) throw new ScanLensError('exists and is not a folder; out= names the detector folder to write', file);
  if (info) {
    const entries = await readdir(path);
    if (
      entries.length > 0 &&
      !(await stat(manifest).then(
        (s) => s.isFile(),
        () => false,
      ))
    ) {
      throw new ScanLensError('exists and is not a detector folder (no detector.json); name a new or empty folder', file);
    }
  }
  return { path, file };
}

/**
 * `anomaly fit <normal folder>`: a detector from normal scans, every fifth
 * held out to set the threshold. With out= it is saved as a detector folder,
 * every file it writes checked against the notebook's scope; under
 * `scanlens run --check` nothing is written, and the detector stays in
 * memory under that folder's name for the lines after it. Either way the
 * next `anomaly score` without detector= uses it.
 */
async function fit(context: Context): Promise<NotebookOutput[]> {
  const { command, session, signal, onProgress } = context;
  const { options } = command;
  const base = session.baseDir;
  const out = options.out === undefined ? undefined : await checkOutFolder(session, options.out);
  const current = await session.model();
  let backbone = current;
  if (options.backbone !== undefined) {
    const { path, file } = await session.readPath(options.backbone);
    await session.checkRunnable(path, file);
    backbone = await getModel(path, { threads: current.threads, provider: current.provider });
  }
  const { files, missing } = await resolveInputs(await session.scope(), base, [command.args[0]!]);
  if (missing.length > 0) throw new ScanLensError(missing[0]!.error);
  let fitted: FittedAnomalyDetector;
  try {
    fitted = await fitAnomalyDetector(files, {
      method: options.method ?? 'padim',
      backbone,
      layers: options.layers?.split(',').map((s) => s.trim()),
      channels: options.channels,
      grid: options.grid,
      seed: options.seed ?? 0,
      percentile: options.percentile ?? 95,
      sigma: options.sigma,
      threads: backbone.threads,
      signal,
      onProgress: (done, total, phase) => onProgress({ line: command.line, done, total, message: phase === 'fit' ? `fitting: read ${done} of ${total}` : `calibrating: read ${done} of ${total}` }),
    });
  } catch (error) {
    if (error instanceof AnomalyJobCancelled) return [];
    throw error;
  }
  if (out) {
    for (const path of await fitted.files(out.path)) await session.writePath(path);
    if (!session.options.dryRun) await fitted.save(out.path);
  }
  const record: FittedDetectorRecord = { scorer: fitted.scorer, shown: out?.file ?? null };
  session.fitted.last = record;
  if (out && session.options.dryRun) session.fitted.unsaved.set(out.path, record);

  const { manifest } = fitted;
  const rows = fitted.failed.map((f) => ({ file: displayPath(base, f.file), error: relativeMessage(base, f.error) }));
  const result: NotebookResult = {
    kind: 'anomaly',
    subcommand: 'fit',
    detector: { path: record.shown, method: manifest.method, threshold: manifest.threshold.value },
    source: displayPath(base, resolvePath(base, command.args[0]!)),
    backbone: { name: manifest.backbone.name, sha256: manifest.backbone.sha256 },
    features: { layers: [...manifest.features.layers], grid: { ...manifest.features.grid }, channels: manifest.features.channels.length },
    sigma: manifest.map.sigma,
    threshold: { value: manifest.threshold.value, percentile: manifest.threshold.percentile },
    training: { ...manifest.training },
    calibrationScores: [...fitted.calibrationScores],
    rows,
  };
  const where = out ? markdownText(out.file) : 'this notebook (not saved: add out= to keep it)';
  const table: Table = {
    columns: ['field', 'value'],
    rows: [
      ['method', manifest.method],
      ['backbone', `${manifest.backbone.name} (${manifest.backbone.sha256.slice(0, 12)}…)`],
      ['features', `${manifest.features.channels.length} channels of ${manifest.features.layers.join(' + ')}, ${manifest.features.grid.width}×${manifest.features.grid.height} grid`],
      ['training scans', manifest.training.images],
      ['threshold', manifest.threshold.value],
      [
        'threshold from',
        `p${manifest.threshold.percentile} of ${manifest.threshold.calibration.images} held-out normal scans (${manifest.threshold.calibration.min.toFixed(4)}…${manifest.threshold.calibration.max.toFixed(4)})`,
      ],
      ...rows.map((r) => ['failed', r.error]),
    ],
  };
  const text =
    `${out?.file ?? '(in memory)'}: ${manifest.method} on ${manifest.training.images} normal scans (${manifest.features.channels.length} channels of ${manifest.features.layers.join(' + ')}, ${manifest.features.grid.width}×${manifest.features.grid.height} grid); ` +
    `threshold ${manifest.threshold.value.toFixed(4)} = p${manifest.threshold.percentile} of ${manifest.threshold.calibration.images} held-out normals${rows.length ? `; ${rows.length} file(s) failed` : ''}`;
  return [displayOutput({ result, markdown: `**Detector fitted** for ${where}\n\n${markdownTable(table)}`, text }, provenance(command.text, parametersOf(command), backbone))];
}

/**
 * `anomaly threshold <normal folder> [anomalous folder] detector=<folder> fpr=F | best=f1`:
 * the threshold job, on a saved detector the notebook may write. Under
 * `scanlens run --check` the file is left as it is and the detector with its
 * new threshold is kept in memory under its folder, so later lines score as
 * they would after a real run.
 */
async function threshold(context: Context): Promise<NotebookOutput[]> {
  const { command, session, signal, onProgress } = context;
  const { options } = command;
  const base = session.baseDir;
  if (options.detector === undefined) throw new ScanLensError('anomaly threshold needs detector=<folder>: the saved detector whose threshold to choose again');
  const useF1 = options.best === 'f1';
  if ((options.fpr === undefined) === !useF1) throw new ScanLensError('anomaly threshold needs one rule: fpr=F (the share of normal scans it may flag) or best=f1 (with an anomalous folder)');
  if (useF1 && command.args[1] === undefined) throw new ScanLensError('best=f1 needs anomalous scans (a second folder) to weigh misses against false alarms');
  const detector = await session.readPath(options.detector);
  await session.checkRunnable(detector.path, detector.file);
  await session.writePath(join(detector.file, 'detector.json'));
  const scope = await session.scope();
  const normal = await resolveInputs(scope, base, [command.args[0]!]);
  const anomalous = command.args[1] === undefined ? { files: [], missing: [] } : await resolveInputs(scope, base, [command.args[1]]);
  const dryRun = session.options.dryRun ?? false;
  let outcome: Awaited<ReturnType<typeof rethresholdDetector>>;
  try {
    outcome = await rethresholdDetector(detector.path, normal, anomalous, options.fpr !== undefined ? { rule: 'fpr', fpr: options.fpr } : { rule: 'f1' }, {
      write: !dryRun,
      axis: options.axis as SliceAxis | undefined,
      slice: options.slice,
      signal,
      onProgress: (set, done, total) => onProgress({ line: command.line, done, total, message: `scored ${done} of ${total} ${set} scans` }),
    });
  } catch (error) {
    if (error instanceof AnomalyJobCancelled) return [];
    throw error;
  }
  const model = await session.model();
  const scorer = withThreshold(await openAnomalyScorer(detector.path, { threads: model.threads, provider: model.provider }), outcome.threshold.value);
  const record: FittedDetectorRecord = { scorer, shown: detector.file };
  if (dryRun) session.fitted.unsaved.set(detector.path, record);
  const chosen = outcome.threshold.chosen!;
  const result: NotebookResult = {
    kind: 'anomaly',
    subcommand: 'threshold',
    detector: { path: detector.file, method: scorer.kind, threshold: outcome.threshold.value },
    previous: outcome.previous,
    chosen: { ...chosen },
    written: !dryRun,
    normal: presentAll(base, outcome.normal, normal.missing.length),
    anomalous: presentAll(base, outcome.anomalous, anomalous.missing.length),
  };
  const how =
    chosen.rule === 'fpr' ? `at most ${(chosen.fpr! * 100).toFixed(1)} % of ${chosen.normal} normal scans flagged` : `best F1 on ${chosen.normal} normal and ${chosen.anomalous} anomalous scans`;
  const gives = [
    `normals flagged ${(chosen.falsePositiveRate * 100).toFixed(1)} %`,
    ...(chosen.recall !== undefined ? [`anomalous flagged ${(chosen.recall * 100).toFixed(1)} %`, `F1 ${chosen.f1!.toFixed(4)}`] : []),
  ];
  const line = `threshold ${outcome.previous.toFixed(4)} -> ${outcome.threshold.value.toFixed(4)} (${how}): ${gives.join(', ')}`;
  const stored = dryRun ? 'not stored (run --check)' : `stored in ${detector.file}`;
  const prov = provenance(command.text, parametersOf(command), undefined);
  const scores = (rows: readonly AnomalyRow[]): number[] => rows.filter(isScored).map((r) => r.score);
  const [n, a] = [scores(outcome.normal), scores(outcome.anomalous)];
  const outputs = [displayOutput({ result, markdown: `**${markdownText(line)}**; ${markdownText(stored)}`, text: terminalText(`${line}; ${stored}`) }, prov)];
  if (n.length + a.length >= 2) {
    const bins = histogram({ scores: [...n, ...a], anomalous: [...n.map(() => false), ...a.map(() => true)] }, 10);
    const groups = [
      { name: 'normal', counts: bins.normal },
      { name: 'anomalous', counts: bins.anomalous },
    ];
    const value = outcome.threshold.value;
    outputs.push(
      displayOutput(
        {
          plotly: scoreHistogram('Scores of the scans the threshold was chosen on', { edges: bins.edges, groups }, value),
          svg: histogramSvg('Scores of the scans the threshold was chosen on', 'anomaly score', bins.edges, groups, { x: value, label: `threshold ${value.toFixed(2)}` }),
          text: `histogram of ${n.length} normal and ${a.length} anomalous score(s) (threshold ${value.toFixed(4)})`,
        },
        prov,
      ),
    );
  }
  return outputs;
}

/**
 * `anomaly add <normal scans>... detector=<folder> [bank=N]`: the add job on a
 * saved detector the notebook may write (PaDiM exactly, PatchCore
 * re-condensed; threshold set again). Under `scanlens run --check` it works
 * on a copy of the detector in a temporary folder, which the lines after it
 * score against under the detector's name; the notebook's files stay as
 * they were.
 */
async function add(context: Context): Promise<NotebookOutput[]> {
  const { command, session, signal, onProgress } = context;
  const { options } = command;
  const base = session.baseDir;
  if (options.detector === undefined) throw new ScanLensError('anomaly add needs detector=<folder>: the saved detector to fold the scans into');
  const detector = await session.readPath(options.detector);
  await session.checkRunnable(detector.path, detector.file);
  await session.writePath(join(detector.file, 'detector.json'));
  const inputs = await resolveInputs(await session.scope(), base, command.args);
  const dryRun = session.options.dryRun ?? false;
  const folder = dryRun ? join(await mkdtemp(join(tmpdir(), 'scanlens-check-detector-')), 'detector') : detector.path;
  if (dryRun) await cp(detector.path, folder, { recursive: true });
  const model = await session.model();
  let outcome: Awaited<ReturnType<typeof addToDetector>>;
  try {
    outcome = await addToDetector(folder, inputs, {
      threads: model.threads,
      provider: model.provider,
      bankSize: options.bank,
      signal,
      onProgress: (done, total, phase) => onProgress({ line: command.line, done, total, message: `${phase === 'fit' ? 'folding in' : 'calibrating'}: read ${done} of ${total}` }),
    });
  } catch (error) {
    if (error instanceof AnomalyJobCancelled) return [];
    throw error;
  }
  if (dryRun) session.fitted.unsaved.set(detector.path, { scorer: await openAnomalyScorer(folder, { threads: model.threads, provider: model.provider }), shown: detector.file });
  const { manifest } = outcome;
  const rows = outcome.failed.map((f) => ({ file: displayPath(base, f.file), error: relativeMessage(base, f.error) }));
  const result: NotebookResult = {
    kind: 'anomaly',
    subcommand: 'add',
    detector: { path: detector.file, method: manifest.method, threshold: manifest.threshold.value },
    previous: { threshold: outcome.previous.threshold.value, images: outcome.previous.images },
    added: outcome.added,
    images: manifest.training.images,
    calibrationScores: [...outcome.calibrationScores],
    written: !dryRun,
    rows,
  };
  const line = `${detector.file}: ${outcome.added} normal scan(s) folded in (${outcome.previous.images} -> ${manifest.training.images} fitted); threshold ${outcome.previous.threshold.value.toFixed(4)} -> ${manifest.threshold.value.toFixed(4)}${rows.length ? `; ${rows.length} failed` : ''}`;
  const stored = dryRun ? 'not stored (run --check)' : 'stored';
  const text = [line, ...rows.map((r) => `${r.file}: ${r.error}`)].map((l) => terminalText(l)).join('\n');
  return [displayOutput({ result, markdown: `**${markdownText(line)}**; ${stored}`, text: `${text}\n${stored}` }, provenance(command.text, parametersOf(command), undefined))];
}

/** `anomaly fit|score|eval|threshold|add`: the anomaly job, presented as notebook outputs. */
export const anomalyCommand: CommandRunner<CommandOf<'anomaly'>> = async (context) => {
  switch (context.command.subcommand) {
    case 'fit':
      return fit(context);
    case 'score':
      return score(context);
    case 'eval':
      return evaluate(context);
    case 'threshold':
      return threshold(context);
    case 'add':
      return add(context);
    default:
      throw new ScanLensError(`anomaly ${context.command.subcommand ?? ''}: expected fit, score, eval, threshold or add`);
  }
};
