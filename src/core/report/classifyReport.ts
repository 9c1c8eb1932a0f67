import { rowError, type ClassifyResult } from '../jobs/classifyJob';
import type { LoadedModel } from '../model/loadModel';
import { SCANLENS_VERSION } from '../version';

export interface ClassifySummary {
  readonly files: number;
  readonly classified: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: boolean;
}

/** The model as reports describe it, guesses included. */
export function describeModel(model: LoadedModel): Record<string, unknown> {
  return {
    name: model.manifest.name,
    version: model.manifest.version,
    sha256: model.sha256,
    labels: model.manifest.labels,
    ...(model.assumptions.length > 0 ? { assumptions: model.assumptions } : {}),
  };
}

export function summarise(rows: readonly ClassifyResult[], skipped: number, cancelled: boolean): ClassifySummary {
  const failed = rows.filter((r) => rowError(r) !== undefined).length;
  return { files: rows.length, classified: rows.length - failed, failed, skipped, cancelled };
}

/** The same JSON document `scanlens classify --json` prints. */
export function classifyReport(model: LoadedModel, rows: readonly ClassifyResult[], summary: ClassifySummary): Record<string, unknown> {
  return {
    scanlens: { version: SCANLENS_VERSION },
    model: describeModel(model),
    results: rows,
    summary,
  };
}

/** A report file name from a time, sortable and safe on every file system: 2025-01-31T14-05-09-123Z. */
export function reportStamp(time: Date): string {
  return time.toISOString().replace(/[:.]/g, '-');
}
