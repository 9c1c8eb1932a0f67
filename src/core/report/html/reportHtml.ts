import { createHash } from 'node:crypto';
import type { Manifest } from '../../model/manifest';
import { htmlText } from '../../text/escape';
import type { ClassifySummary } from '../classifyReport';
import type { LabelledAudit } from './labelledAudit';
import { confusionSvg, reliabilitySvg } from './reportCharts';
import type { ReportEntry } from './reportEntry';

/** A JPEG shown inline, as a data: URI. */
export interface InlinePicture {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/** What an entry shows: its slice, the explanation over it, or why there is no picture. */
export interface EntryPicture {
  readonly thumbnail?: InlinePicture;
  readonly overlay?: InlinePicture;
  readonly note?: string;
}

/** Everything the report shows but the pictures, which are made row by row; reportParts only lays it out. */
export interface ReportView {
  readonly scanlensVersion: string;
  /** ISO time the report was written. */
  readonly generated: string;
  /** The command line that made it, as typed. */
  readonly command?: string;
  readonly model: {
    readonly manifest: Manifest;
    readonly sha256: string;
    readonly assumptions: readonly string[];
  };
  readonly summary: ClassifySummary;
  readonly entries: readonly ReportEntry[];
  /** The explanation method of the overlays, when there are any. */
  readonly overlayMethod?: string;
  readonly audit?: LabelledAudit | { readonly none: string };
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.notice{background:#fff4e5;border:1px solid #f0c36d;padding:6px 10px;margin:8px 0}
dl.card{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dl.card dt{font-weight:600;color:#444}dl.card dd{margin:0}
table{border-collapse:collapse}th,td{padding:3px 8px;text-align:left;vertical-align:middle;border-bottom:1px solid #eee}
th{background:#f5f5f5}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.file{overflow-wrap:anywhere;max-width:360px}.error{color:#a40000}.ood{color:#8a4b00;font-weight:600}.wrong{background:#fdecec}
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0}figcaption{text-align:center}
.top{display:grid;grid-template-columns:3fr 2fr;gap:0 32px}@media (max-width:900px){.top{grid-template-columns:1fr}}
code{font-size:12px;word-break:break-all}img{display:block}div.pic{display:flex;gap:4px}
`;

const styleHash = (style: string): string => `'sha256-${createHash('sha256').update(style).digest('base64')}'`;

/** No script, nothing fetched: images only from data: URIs and the one style block, by its hash. */
export const REPORT_CSP = `default-src 'none'; img-src data:; style-src ${styleHash(STYLE)}; base-uri 'none'; form-action 'none'`;

const t = htmlText;
const fixed = (v: number | undefined, digits = 3): string => (v === undefined ? '—' : v.toFixed(digits));
const percent = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
/** A number as an attribute value that reads back as the same double. */
const exact = (v: number | undefined): string => (v === undefined ? '' : String(v));

function image(picture: InlinePicture | undefined, alt: string): string {
  if (!picture) return '';
  return `<img src="data:image/jpeg;base64,${picture.jpeg.toString('base64')}" width="${picture.width}" height="${picture.height}" alt="${t(alt)}">`;
}

const card = (items: readonly (readonly [string, string])[]): string =>
  `<dl class="card">${items.map(([k, v]) => `<dt>${t(k)}</dt><dd>${k === 'SHA-256' || k === 'Command' ? `<code>${t(v)}</code>` : t(v)}</dd>`).join('')}</dl>`;

function modelCard(view: ReportView): string {
  const { manifest, sha256, assumptions } = view.model;
  const text = manifest.card ?? {};
  const input = manifest.input;
  const titles = { description: 'Description', intendedUse: 'Intended use', limitations: 'Limitations', data: 'Data', license: 'License' } as const;
  return card([
    ['Model', `${manifest.name} ${manifest.version}`],
    ['SHA-256', sha256],
    ['Classes', manifest.labels.join(', ')],
    ['Input', `${input.size.width}×${input.size.height}, ${input.channels} channel(s), ${input.layout}, resize ${input.resize}, fit ${input.fit}`],
    ...Object.entries(titles).flatMap(([key, title]) => {
      const value = text[key as keyof typeof titles];
      return value ? [[title, value] as const] : [];
    }),
    ...Object.entries(text.metrics ?? {}).map(([name, value]) => [`Card metric: ${name}`, String(value)] as const),
    ...assumptions.map((a) => ['Assumed', a] as const),
  ]);
}

function provenance(view: ReportView): string {
  return card([
    ['ScanLens', view.scanlensVersion],
    ['Written', view.generated],
    ...(view.command !== undefined ? [['Command', view.command] as const] : []),
    ...(view.overlayMethod ? [['Overlays', view.overlayMethod] as const] : []),
  ]);
}

function summary(view: ReportView): string {
  const { summary: s, entries } = view;
  const counts = new Map(view.model.manifest.labels.map((l) => [l, { rows: 0, flagged: 0 }]));
  for (const e of entries) {
    if (!e.top) continue;
    const c = counts.get(e.top.label) ?? { rows: 0, flagged: 0 };
    c.rows++;
    if (e.anomaly?.flagged) c.flagged++;
    counts.set(e.top.label, c);
  }
  const guarded = entries.some((e) => e.anomaly);
  const rows = [...counts].map(([label, c]) => `<tr><td>${t(label)}</td><td class="num">${c.rows}</td>${guarded ? `<td class="num">${c.flagged}</td>` : ''}</tr>`).join('');
  // Each error names its file already (one line: file, reason).
  const errors = entries.filter((e) => e.error !== undefined);
  const errorList = errors.length > 0 ? `<h3>Errors</h3><ul class="error">${errors.map((e) => `<li>${t(e.error!)}</li>`).join('')}</ul>` : '';
  const line = `${s.files} row(s): ${s.classified} classified, ${s.failed} failed${s.skipped > 0 ? `, ${s.skipped} file(s) skipped (not scans)` : ''}${s.cancelled ? '; cancelled before the end' : ''}.`;
  return `<h2>Summary</h2><p>${t(line)}</p><table id="per-class"><thead><tr><th>top class</th><th class="num">rows</th>${guarded ? '<th class="num">out of distribution</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>${errorList}`;
}

function audit(view: ReportView): string {
  const a = view.audit;
  if (!a) return '';
  if ('none' in a) return `<h2>Against labels</h2><p>Not audited: ${t(a.none)}.</p>`;
  const perClass = a.perClass
    .map(
      (c) =>
        `<tr><td>${t(c.label)}</td><td class="num">${percent(c.precision)}</td><td class="num">${percent(c.recall)}</td><td class="num">${c.auc === null ? '—' : c.auc.toFixed(3)}</td><td class="num">${c.support}</td></tr>`,
    )
    .join('');
  const notes = [a.failed > 0 ? `${a.failed} labelled row(s) failed and are not scored` : '', a.unlabelled > 0 ? `${a.unlabelled} row(s) have no label` : ''].filter(Boolean).join('; ');
  return (
    `<h2>Against labels</h2>` +
    `<p id="audit" data-accuracy="${exact(a.accuracy)}" data-evaluated="${a.evaluated}" data-failed="${a.failed}" data-ece="${exact(a.calibration.ece)}" data-confusion="${t(JSON.stringify(a.confusion))}" data-auc="${t(JSON.stringify(a.perClass.map((c) => c.auc)))}">` +
    `<strong>Accuracy ${(a.accuracy * 100).toFixed(1)} %</strong> on ${a.evaluated} row(s), labels from ${t(a.source)}; expected calibration error ${a.calibration.ece.toFixed(4)} (${a.calibration.bins.length} bins).${notes ? ` ${t(notes)}.` : ''}</p>` +
    `<table><thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">ROC AUC</th><th class="num">rows</th></tr></thead><tbody>${perClass}</tbody></table>` +
    `<div class="charts"><figure>${confusionSvg(a.labels, a.confusion)}<figcaption>Confusion matrix</figcaption></figure><figure>${reliabilitySvg(a.calibration.bins, a.calibration.ece)}<figcaption>Reliability diagram</figcaption></figure></div>`
  );
}

interface Columns {
  readonly labelled: boolean;
  readonly guarded: boolean;
}

function entryRow(entry: ReportEntry, picture: EntryPicture, index: number, truth: string | undefined, columns: Columns): string {
  const wrong = truth !== undefined && entry.top !== undefined && truth !== entry.top.label;
  const attributes = [
    `data-index="${index}"`,
    `data-file="${t(entry.file)}"`,
    `data-kind="${entry.kind}"`,
    entry.top ? `data-top="${t(entry.top.label)}" data-probability="${exact(entry.top.probability)}"` : '',
    entry.margin !== undefined ? `data-margin="${exact(entry.margin)}" data-entropy="${exact(entry.entropy)}"` : '',
    entry.slice ? `data-slice="${entry.slice.index}"` : '',
    entry.anomaly ? `data-anomaly-score="${exact(entry.anomaly.score)}" data-ood="${entry.anomaly.flagged}"` : '',
    truth !== undefined ? `data-truth="${t(truth)}"` : '',
    entry.error !== undefined ? `data-error="${t(entry.error)}"` : '',
  ].filter(Boolean);
  const where = entry.slice ? `<br><small>${t(`${entry.kind}, ${entry.slice.axis} slice ${entry.slice.index + 1}/${entry.slice.count}`)}</small>` : '';
  const pictures = `${image(picture.thumbnail, 'scan')}${image(picture.overlay, 'explanation')}${picture.note ? `<small>${t(picture.note)}</small>` : ''}`;
  const verdict = !entry.anomaly ? '' : entry.anomaly.flagged ? `<span class="ood">out of distribution</span> (${fixed(entry.anomaly.score)})` : `ok (${fixed(entry.anomaly.score)})`;
  const cells = entry.error
    ? `<td colspan="${columns.guarded ? 5 : 4}" class="error">${t(entry.error)}</td>`
    : `<td>${t(entry.top?.label ?? '—')}</td><td class="num">${fixed(entry.top?.probability)}</td><td class="num">${fixed(entry.margin)}</td><td class="num">${fixed(entry.entropy)}</td>${columns.guarded ? `<td>${verdict}</td>` : ''}`;
  return `<tr ${attributes.join(' ')}${wrong ? ' class="wrong"' : ''}><td class="num">${index + 1}</td><td><div class="pic">${pictures}</div></td><td class="file">${t(entry.file)}${where}</td>${columns.labelled ? `<td>${t(truth ?? '—')}</td>` : ''}${cells}</tr>`;
}

/** The report in three parts, so that a caller can write each row as its picture is made and keep no more than one in memory. */
export interface ReportParts {
  /** From the doctype to the rows table's header. */
  readonly head: string;
  /** Entry `index`'s table row. */
  row(index: number, picture: EntryPicture): string;
  readonly tail: string;
}

/** The parts of one HTML document with no script and nothing to fetch. */
export function reportParts(view: ReportView): ReportParts {
  const truth = view.audit && 'truth' in view.audit ? view.audit.truth : undefined;
  const columns = { labelled: truth !== undefined, guarded: view.entries.some((e) => e.anomaly) };
  const header = `<tr><th class="num">#</th><th>scan${view.overlayMethod ? ` · ${t(view.overlayMethod)}` : ''}</th><th>file</th>${columns.labelled ? '<th>label</th>' : ''}<th>top class</th><th class="num">probability</th><th class="num">margin</th><th class="num">entropy (bits)</th>${columns.guarded ? '<th>out of distribution</th>' : ''}</tr>`;
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${t(`ScanLens report · ${view.model.manifest.name} · ${view.summary.files} row(s)`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>ScanLens report</h1>`,
    '<p class="notice">Research tool, not a medical device: not for diagnosis or treatment decisions. Identifying DICOM tags are not written here; the pictures are the scans’ pixels, which can carry burned-in text.</p>',
    `<div class="top"><section><h2>Model card</h2>${modelCard(view)}</section><section><h2>Provenance</h2>${provenance(view)}${summary(view)}</section></div>`,
    audit(view),
    `<h2>Rows</h2><p>One row per classified input, in the order of <code>scanlens classify --json</code>. A volume or series shows its top class's peak slice. Margin: top probability minus the runner-up's.</p><table id="rows"><thead>${header}</thead><tbody>`,
    '',
  ].join('\n');
  return {
    head,
    row: (index, picture) => entryRow(view.entries[index]!, picture, index, truth?.[index], columns) + '\n',
    tail: '</tbody></table>\n</body></html>\n',
  };
}

/** The whole report as one string, each entry with its picture (none where `pictures` has no entry). */
export function reportHtml(view: ReportView, pictures: readonly EntryPicture[] = []): string {
  const parts = reportParts(view);
  return parts.head + view.entries.map((_, i) => parts.row(i, pictures[i] ?? {})).join('') + parts.tail;
}
