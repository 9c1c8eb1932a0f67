/** CSV as RFC 4180 writes it, with spreadsheet formulas defused: one writer and one reader for every CSV ScanLens writes or reads. */

/** A cell's text as a reader gets it back: empty for no value, a text starting like a formula with a leading quote. */
export function csvField(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A field's text as written: quoted when it holds a comma, quote or line break. */
export const quoteField = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One cell: quoted when it holds a comma, quote or line break; a text starting like a formula gets a leading quote. */
export function csvCell(value: string | number | null | undefined): string {
  return quoteField(csvField(value));
}

/**
 * The byte length of a CSV's complete records: up to and including the last
 * line break outside quotes. What follows is a record cut off mid-write.
 */
export function completeCsvLength(bytes: Uint8Array): number {
  let quoted = false;
  let end = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) end = i + 1;
  }
  return end;
}

/** Undoes csvCell's formula guard on a text cell read back. */
export const unguardCell = (text: string): string => (/^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

/** The records of a CSV text; quoted fields may hold commas, quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
