import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScanLensError } from '../errors';
import { parseCsv } from '../io/csv';
import { listScans } from './listScans';

export interface LabelledScan {
  /** Absolute path. */
  readonly file: string;
  readonly label: string;
}

/** A CSV with a header naming `file` and `label` columns; files relative to the CSV's folder. */
async function fromCsv(path: string, name: string): Promise<LabelledScan[]> {
  const [header = [], ...records] = parseCsv(await readFile(path, 'utf8')).map((record) => record.map((field) => field.trim()));
  const fileCol = header.indexOf('file');
  const labelCol = header.indexOf('label');
  if (fileCol < 0 || labelCol < 0) throw new ScanLensError(`line 1: expected a header with 'file' and 'label' columns, got '${header.join(',')}'`, name);
  const items: LabelledScan[] = [];
  records.forEach((fields, i) => {
    if (fields.every((field) => field === '')) return;
    const file = fields[fileCol];
    const label = fields[labelCol];
    if (!file || !label) throw new ScanLensError(`line ${i + 2}: expected a file and a label, got '${fields.join(',')}'`, name);
    items.push({ file: join(dirname(path), file), label });
  });
  return items;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** A folder of class folders (`glioma/…`, `notumor/…`), in name order: each scan labelled by its folder's name. */
async function fromFolder(path: string): Promise<LabelledScan[]> {
  const items: LabelledScan[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => collator.compare(a.name, b.name));
  for (const entry of entries) {
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
