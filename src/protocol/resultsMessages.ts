import { z } from 'zod';
import { SLICE_AXES } from '../core/vocabulary/axes';

/**
 * The one message envelope between the results view's host (extension) and
 * its webview, in the viewer's pattern: requests carry an id and are answered
 * under it, events need no answer, and both sides validate every message
 * they receive with these schemas.
 */

const probability = z.number().min(0).max(1);

/** One row of a classify result as the view shows it: the report entry's numbers (core/report/html/reportEntry), plus its label when the folder has labels. */
export const ResultsEntrySchema = z.object({
  /** As the result file names it (relative to the workspace after a folder classification). */
  file: z.string(),
  kind: z.enum(['image', 'volume', 'series']),
  /** For a volume or series: the top peak's slice along the axis, of `count`. */
  slice: z.object({ axis: z.enum(SLICE_AXES), index: z.number().int().nonnegative(), count: z.number().int().nonnegative() }).optional(),
  top: z.object({ label: z.string(), probability }).optional(),
  margin: z.number().optional(),
  entropy: z.number().optional(),
  anomaly: z.object({ score: z.number(), threshold: z.number(), flagged: z.boolean() }).optional(),
  error: z.string().optional(),
  /** The row's true class, from the classified folder's class sub-folders or labels.csv. */
  truth: z.string().optional(),
});
export type ResultsEntry = z.infer<typeof ResultsEntrySchema>;

const nullable = z.number().nullable();

/** The labelled audit: evaluate's scoring (labelledScores) of the same rows. */
export const AuditSchema = z.object({
  source: z.enum(['labels.csv', 'class folders']),
  evaluated: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  unlabelled: z.number().int().nonnegative(),
  accuracy: z.number(),
  perClass: z.array(z.object({ label: z.string(), precision: nullable, recall: nullable, support: z.number().int().nonnegative(), auc: nullable, averagePrecision: nullable })),
  /** confusion[true][predicted] */
  confusion: z.array(z.array(z.number().int().nonnegative())),
  /** One-against-the-rest ROC curve of each class, as evaluate gives it (AUC null when a class has no scan or every scan). */
  roc: z.array(z.object({ label: z.string(), fpr: z.array(z.number()), tpr: z.array(z.number()), auc: nullable })),
  /** One-against-the-rest precision–recall curve of each class (average precision null when a class has no scan). */
  precisionRecall: z.array(z.object({ label: z.string(), recall: z.array(z.number()), precision: z.array(z.number()), averagePrecision: nullable })),
  calibration: z.object({
    ece: z.number(),
    mce: z.number(),
    brier: z.number(),
    nll: z.number(),
    bins: z.array(z.object({ low: z.number(), high: z.number(), count: z.number().int().nonnegative(), confidence: z.number(), accuracy: z.number() })),
  }),
});
export type Audit = z.infer<typeof AuditSchema>;

/** Where a view's result is and how it was opened: the page keeps it, so VS Code can open the view again after a reload. */
export const ReopenSchema = z.object({ path: z.string(), base: z.string().optional(), folder: z.string().optional() });
export type Reopen = z.infer<typeof ReopenSchema>;

export const ResultsViewSchema = z.object({
  reopen: ReopenSchema,
  /** The result file's name, and where it lies (relative to the workspace when inside it). */
  title: z.string(),
  source: z.string(),
  model: z.object({ name: z.string(), labels: z.array(z.string()) }),
  entries: z.array(ResultsEntrySchema),
  /** Present when the classified folder has labels; `none` says why a folder that looked labelled has no audit. */
  audit: z.union([AuditSchema, z.object({ none: z.string() })]).optional(),
});
export type ResultsView = z.infer<typeof ResultsViewSchema>;

export const SORT_KEYS = ['file', 'class', 'probability', 'margin', 'entropy', 'anomaly'] as const;
export const SortSchema = z.object({ key: z.enum(SORT_KEYS), descending: z.boolean() });
export type Sort = z.infer<typeof SortSchema>;

/** What the grid and the table show; every field narrows, an absent one keeps all. */
export const FilterSchema = z.object({
  /** Case-insensitive text in the file name or the top class. */
  text: z.string().optional(),
  /** Top class. */
  label: z.string().optional(),
  /** True class (labelled folders). */
  truth: z.string().optional(),
  minProbability: probability.optional(),
  maxProbability: probability.optional(),
  maxMargin: z.number().min(0).max(1).optional(),
  minEntropy: z.number().min(0).optional(),
  flagged: z.enum(['flagged', 'unflagged']).optional(),
  errors: z.enum(['only', 'none']).optional(),
  /** Labelled rows whose top class is not their true class. */
  wrong: z.boolean().optional(),
});
export type Filter = z.infer<typeof FilterSchema>;

const indices = z.array(z.number().int().nonnegative());

/** Requests the webview makes of the host. */
export const HostRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('load') }),
  /** The entry's thumbnail, made on first asking and cached outside the workspace. */
  z.object({ type: z.literal('thumbnail'), index: z.number().int().nonnegative() }),
  /** Opens the entry's scan in the ScanLens Viewer on its top slice. */
  z.object({ type: z.literal('open'), index: z.number().int().nonnegative() }),
  /** Writes the entries' rows beside the result, as classify writes them. */
  z.object({ type: z.literal('export'), format: z.enum(['csv', 'json']), indices }),
  z.object({ type: z.literal('copyPaths'), indices }),
  /** The whole result as the self-contained HTML report classify --report writes, beside the result. */
  z.object({ type: z.literal('report') }),
]);
export type HostRequest = z.infer<typeof HostRequestSchema>;

/** A webview URI of the cached JPEG, or why the scan has no picture. */
export const ThumbnailResultSchema = z.union([z.object({ src: z.string() }), z.object({ error: z.string() })]);
export type ThumbnailResult = z.infer<typeof ThumbnailResultSchema>;

export const HOST_RESULT_SCHEMAS = {
  load: ResultsViewSchema,
  thumbnail: ThumbnailResultSchema,
  open: z.object({ file: z.string() }),
  export: z.object({ path: z.string(), rows: z.number().int().nonnegative() }),
  copyPaths: z.object({ count: z.number().int().nonnegative() }),
  report: z.object({ path: z.string(), rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
} as const satisfies Record<HostRequest['type'], z.ZodType>;
export type HostResult<T extends HostRequest['type']> = z.infer<(typeof HOST_RESULT_SCHEMAS)[T]>;

export const VIEW_MODES = ['grid', 'table'] as const;

/** What the page keeps in VS Code's webview state: the result to open again, and how it was sorted, filtered and shown. Validated on the way back in. */
export const SavedResultsStateSchema = z.object({ reopen: ReopenSchema, sort: SortSchema, filter: FilterSchema, mode: z.enum(VIEW_MODES) });
export type SavedResultsState = z.infer<typeof SavedResultsStateSchema>;

/** What the page shows right now: read back by the real-host tests. */
export const ResultsStateSchema = z.object({
  loaded: z.boolean(),
  entries: z.number().int().nonnegative(),
  mode: z.enum(VIEW_MODES),
  sort: SortSchema,
  filter: FilterSchema,
  /** Entry indices that pass the filter, in sorted order. */
  shown: indices,
  /** Entry indices drawn in the DOM now (the virtualised window). */
  rendered: indices,
  /** Thumbnails on screen that have loaded. */
  thumbnails: z.number().int().nonnegative(),
  focused: z.number().int().nonnegative().optional(),
  selected: indices,
  /** The audit panel: accuracy and ECE as shown, when the folder is labelled. */
  audit: z.object({ accuracy: z.number(), ece: z.number(), wrong: indices, uncertain: indices }).optional(),
  /** Elements in the page: bounded by the viewport, not the rows, while the grid is virtualised. */
  domNodes: z.number().int().nonnegative(),
  /** The page's JavaScript heap in bytes, where the browser tells (Chromium's performance.memory). */
  heapBytes: z.number().optional(),
  /** ms from the page's script starting to its first grid drawn. */
  firstPaintMs: z.number().optional(),
  /** What the status line says (the last action's outcome). */
  status: z.string(),
  error: z.string().optional(),
});
export type ResultsState = z.infer<typeof ResultsStateSchema>;

/** Requests the host makes of the webview: tests read the state and drive the page as a user would. */
export const WebviewRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state') }),
  z.object({ type: z.literal('sort'), sort: SortSchema }),
  z.object({ type: z.literal('filter'), filter: FilterSchema }),
  z.object({ type: z.literal('mode'), mode: z.enum(VIEW_MODES) }),
  /** A key pressed on the grid (arrows, Home, End, Enter, space, '/'). */
  z.object({ type: z.literal('key'), key: z.string().max(16), shift: z.boolean().optional() }),
  /** A click on a confusion-matrix cell. */
  z.object({ type: z.literal('cell'), truth: z.string(), predicted: z.string() }),
  /** Scrolls the grid or table so the nth shown entry is in view. */
  z.object({ type: z.literal('reveal'), position: z.number().int().nonnegative() }),
  /** Same as the Export CSV, Export JSON, Copy paths and Export Report buttons; answered once the host has done it. */
  z.object({ type: z.literal('action'), action: z.enum(['exportCsv', 'exportJson', 'copyPaths', 'exportReport']) }),
]);
export type WebviewRequest = z.infer<typeof WebviewRequestSchema>;

export const WEBVIEW_RESULT_SCHEMAS = {
  state: ResultsStateSchema,
  sort: ResultsStateSchema,
  filter: ResultsStateSchema,
  mode: ResultsStateSchema,
  key: ResultsStateSchema,
  cell: ResultsStateSchema,
  reveal: ResultsStateSchema,
  action: ResultsStateSchema,
} as const satisfies Record<WebviewRequest['type'], z.ZodType>;
export type WebviewResult<T extends WebviewRequest['type']> = z.infer<(typeof WEBVIEW_RESULT_SCHEMAS)[T]>;

export const WebviewEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** The first grid is drawn: the host logs how long opening took. */
  z.object({ type: z.literal('painted'), entries: z.number().int().nonnegative(), ms: z.number() }),
]);
export type WebviewEvent = z.infer<typeof WebviewEventSchema>;

const ResponseSchema = z.union([
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);

/** Everything the webview may post to the host. */
export const ToHostSchema = z.union([
  z.object({ kind: z.literal('request'), id: z.number().int(), request: HostRequestSchema }),
  z.object({ kind: z.literal('event'), event: WebviewEventSchema }),
  ResponseSchema,
]);
export type ToHost = z.infer<typeof ToHostSchema>;

/** Everything the host may post to the webview. */
export const ToWebviewSchema = z.union([z.object({ kind: z.literal('request'), id: z.number().int(), request: WebviewRequestSchema }), ResponseSchema]);
export type ToWebview = z.infer<typeof ToWebviewSchema>;
