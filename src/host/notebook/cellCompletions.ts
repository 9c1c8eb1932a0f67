import { completionData, type CompletionData } from '../../notebook/parser/completions';
import { completeLine, type LineCompletion } from './completeLine';
import { pathCompletions } from './pathCompletions';

let data: CompletionData | undefined;

/** Completions at the cursor of a cell line: commands, options and values from the parser's specs, paths from disk. */
export async function cellCompletions(baseDir: string, line: string, cursor: number): Promise<{ start: number; items: LineCompletion[] }> {
  data ??= completionData();
  const found = completeLine(data, line, cursor);
  const paths = found.pathPrefix !== undefined ? await pathCompletions(baseDir, found.pathPrefix) : [];
  return { start: found.start, items: [...found.items, ...paths] };
}
