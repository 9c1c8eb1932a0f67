/** The part of a long list of fixed-height rows (of `columns` items each) that the DOM holds. */
export interface VirtualWindow {
  /** First and one-past-last item drawn. */
  readonly start: number;
  readonly end: number;
  /** Where the first drawn row sits, in pixels from the top of the scroller's content. */
  readonly offset: number;
  /** Height of all rows: the scroller's content height. */
  readonly height: number;
}

export interface WindowInput {
  readonly count: number;
  readonly columns: number;
  readonly rowHeight: number;
  readonly scrollTop: number;
  readonly viewportHeight: number;
  /** Rows drawn beyond the viewport on each side, so a short scroll shows no gap. */
  readonly overscan: number;
}

/** The rows in view plus the overscan: what is drawn is bounded by the viewport, never by the list's length. */
export function virtualWindow({ count, columns, rowHeight, scrollTop, viewportHeight, overscan }: WindowInput): VirtualWindow {
  const perRow = Math.max(1, columns);
  const rows = Math.ceil(count / perRow);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const lastRow = Math.min(rows, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { start: Math.min(count, firstRow * perRow), end: Math.min(count, lastRow * perRow), offset: firstRow * rowHeight, height: rows * rowHeight };
}

/** The scrollTop that brings row `row` fully into view, or the current one when it already is. */
export function scrollToRow(row: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

/** Where a key moves the focus among `count` shown items laid out `columns` to a row; undefined for any other key. */
export function moveFocus(key: string, position: number, count: number, columns: number, pageRows: number): number | undefined {
  if (count === 0) return undefined;
  const step: Record<string, number> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -columns,
    ArrowDown: columns,
    PageUp: -columns * pageRows,
    PageDown: columns * pageRows,
    Home: -Infinity,
    End: Infinity,
  };
  const delta = step[key];
  if (delta === undefined) return undefined;
  return Math.min(count - 1, Math.max(0, position + delta));
}
