import type { DisplayOutput } from '../../notebook/outputs/notebookOutput';
export interface OutputItemData {
  readonly mime: string;
  readonly data: Uint8Array;
}

/** One cell output as bytes per mime plus the metadata the ipynb serializer writes back to the file. */
export interface OutputData {
  readonly items: readonly OutputItemData[];
  readonly metadata: Record<string, unknown>;
}

const encoder = new TextEncoder();

/** Notebook outputs hold base64 for images (as nbformat does); VS Code wants the bytes. */
function itemBytes(mime: string, value: unknown): Uint8Array {
  if (mime.startsWith('image/') && mime !== 'image/svg+xml' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

/**
 * Maps one of the executor's display outputs to what a NotebookCellOutput
 * holds. The metadata follows the ipynb serializer's shape (`outputType`, and
 * `metadata` for the nbformat output metadata), so provenance lands in the
 * saved file where `scanlens run` writes it.
 */
export function outputData(output: DisplayOutput): OutputData {
  const items = Object.entries(output.data).map(([mime, value]) => ({ mime, data: itemBytes(mime, value) }));
  return { items, metadata: { outputType: 'display_data', metadata: { scanlens: output.metadata.scanlens } } };
}
