/**
 * One escaping function per output kind, for text an attacker may control:
 * file names (a name may hold any byte but `/` and NUL), model labels and
 * names, DICOM values and error messages quoting them. Every producer of that
 * kind of output calls its function, so a name can neither forge a line, move
 * the terminal's cursor, nor inject markup. CSV has its own (core/io/csv.ts:
 * RFC 4180 quoting, formula guard); JSON needs none.
 */

/** C0 and C1 controls, DEL, Unicode line/paragraph separators and the bidi overrides (which can reorder what a line shows). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function controlEscape(c: string): string {
  const code = c.codePointAt(0)!;
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** Terminal and plain text (CLI stdout/stderr, notebook text/plain, notifications): control characters shown as escapes (`\n`, `\x1b`, `\u202e`), everything else as is. */
export function terminalText(text: string): string {
  return text.replace(CONTROL, controlEscape);
}

/**
 * Markdown (notebook text/markdown, the Details document): control
 * characters as in terminalText, then every character that can open markup,
 * raw HTML or an entity backslash-escaped, so `<img onerror=…>`, `[x](…)`, `|`
 * (a table cell) or `*` show as typed. On one line always. Parentheses and
 * `!` are left alone: with `[` escaped they cannot make a link or an image.
 */
export function markdownText(text: string): string {
  return terminalText(text).replace(/[\\`*_[\]<>&|~#]/g, (c) => `\\${c}`);
}

/**
 * HTML and SVG text or attribute values (webview titles, notebook SVG
 * charts): control characters as in terminalText (XML admits no C0 control
 * but tab and newline, not even as a character reference, so a raw ESC would
 * leave the SVG unreadable), then the five characters that can end text or
 * an attribute as character references.
 */
export function htmlText(text: string): string {
  return terminalText(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
