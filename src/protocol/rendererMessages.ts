import { z } from 'zod';
import { NotebookResultSchema } from './notebookResult';

/** Renderer → host: the picture of a scan an explain output was made from (path as the payload shows it, relative to the notebook). */
export const ScanImageRequestSchema = z.strictObject({ type: z.literal('scanImage'), requestId: z.number().int().nonnegative(), file: z.string().min(1) });
export type ScanImageRequest = z.infer<typeof ScanImageRequestSchema>;

/** Host → renderer: a PNG data URI of the scan (first slice, min-max scaled), or why there is none. */
export const ScanImageReplySchema = z.union([
  z.strictObject({ type: z.literal('scanImage'), requestId: z.number().int().nonnegative(), image: z.string().startsWith('data:image/png;base64,') }),
  z.strictObject({ type: z.literal('scanImage'), requestId: z.number().int().nonnegative(), error: z.string() }),
]);
export type ScanImageReply = z.infer<typeof ScanImageReplySchema>;

/** Renderer → host: show a classify output's rows in the results view (its Open in Results View button). */
export const OpenResultsRequestSchema = z.strictObject({
  type: z.literal('openResults'),
  result: NotebookResultSchema.refine((result) => result.kind === 'classify', 'expected a classify result'),
});
export type OpenResultsRequest = z.infer<typeof OpenResultsRequestSchema>;
