import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScanLensError } from '../../core/errors';
import { listScans } from '../../core/io/listScans';

export interface LabelledScan {
  /** Absolute path. */
  readonly file: string;
  readonly label: string;
}

/** Splits one CSV line, honouring "quoted, fields" with "" escapes. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** A CSV with a header naming `file` and `label` columns; files relative to the CSV's folder. */
async function fromCsv(path: string, name: string): Promise<LabelledScan[]> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
  const header = csvFields(lines[0] ?? '');
  const fileCol = header.indexOf('file');
  const labelCol = header.indexOf('label');
  if (fileCol < 0 || labelCol < 0) throw new ScanLensError(`line 1: expected a header with 'file' and 'label' columns, got '${lines[0] ?? ''}'`, name);
  const items: LabelledScan[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = csvFields(line);
    const file = fields[fileCol];
    const label = fields[labelCol];
    if (!file || !label) throw new ScanLensError(`line ${i + 2}: expected a file and a label, got '${line}'`, name);
    items.push({ file: join(dirname(path), file), label });
  });
  return items;
}

/** A folder of class folders (`glioma/…`, `notumor/…`): each scan labelled by its folder's name. */
async function fromFolder(path: string): Promise<LabelledScan[]> {
  const items: LabelledScan[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    for (const file of (await listScans(join(path, entry.name))).files) items.push({ file, label: entry.name });
  }
  return items;
}

/** Labelled scans from a CSV (file,label) or a folder of class folders. `name` is how messages show the path. */
export async function readLabelledScans(path: string, name: string): Promise<LabelledScan[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ScanLensError('no such file or folder', name);
  const items = info.isDirectory() ? await fromFolder(path) : await fromCsv(path, name);
  if (items.length === 0) throw new ScanLensError(info.isDirectory() ? `no class folders with scans inside (expected e.g. ${basename(path)}/glioma/*.png)` : 'no labelled rows', name);
  return items;
}
