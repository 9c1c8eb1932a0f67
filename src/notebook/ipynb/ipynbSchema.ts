import { z } from 'zod';

/** nbformat's multiline string: one string, or lines to be joined. */
export const MultilineSchema = z.union([z.string(), z.array(z.string())]);

/** What we read from an .ipynb: enough structure to run it, everything else kept as it is (loose objects). */
const OutputSchema = z.looseObject({ output_type: z.enum(['execute_result', 'display_data', 'stream', 'error']) });

const CodeCellSchema = z.looseObject({
  cell_type: z.literal('code'),
  id: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  source: MultilineSchema,
  outputs: z.array(OutputSchema),
  execution_count: z.number().int().nullable(),
});

const TextCellSchema = z.looseObject({
  cell_type: z.enum(['markdown', 'raw']),
  id: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  source: MultilineSchema,
});

export const CellSchema = z.discriminatedUnion('cell_type', [CodeCellSchema, TextCellSchema]);

export const NotebookSchema = z.looseObject({
  nbformat: z.literal(4, { error: 'expected nbformat 4' }),
  nbformat_minor: z.number().int().min(0),
  metadata: z.record(z.string(), z.unknown()),
  cells: z.array(CellSchema),
});

export type IpynbNotebook = z.infer<typeof NotebookSchema>;
export type IpynbCell = z.infer<typeof CellSchema>;
export type IpynbCodeCell = z.infer<typeof CodeCellSchema>;
export type IpynbOutput = z.infer<typeof OutputSchema>;
