/** What a notebook's metadata must say for the ScanLens kernel to be preferred, and what new notebooks say. */
export const SCANLENS_KERNELSPEC = { name: 'scanlens', display_name: 'ScanLens', language: 'scanlens' } as const;

export const SCANLENS_LANGUAGE_INFO = { name: 'scanlens', file_extension: '.scanlens', mimetype: 'text/x-scanlens' } as const;

function kernelspecName(metadata: unknown): unknown {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const kernelspec = (metadata as { kernelspec?: unknown }).kernelspec;
  return typeof kernelspec === 'object' && kernelspec !== null ? (kernelspec as { name?: unknown }).name : undefined;
}

/**
 * True when a notebook's metadata names the scanlens kernelspec. The built-in
 * ipynb serializer has kept the Jupyter metadata at the top level
 * (older VS Code), under `metadata` and under `custom.metadata`, so all three are read.
 */
export function namesScanLensKernel(notebookMetadata: Readonly<Record<string, unknown>>): boolean {
  const custom = notebookMetadata['custom'] as { metadata?: unknown } | undefined;
  return [notebookMetadata, notebookMetadata['metadata'], custom?.metadata].some((m) => kernelspecName(m) === SCANLENS_KERNELSPEC.name);
}
