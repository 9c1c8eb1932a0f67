import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moveFocus, scrollToRow, virtualWindow } from '../../src/webview/results/virtualWindow';

test('the window holds the rows in view plus the overscan, however long the list', () => {
  const grid = { columns: 6, rowHeight: 176, viewportHeight: 700, overscan: 2 };
  const top = virtualWindow({ ...grid, count: 10_000, scrollTop: 0 });
  assert.deepEqual(top, { start: 0, end: 6 * 6, offset: 0, height: Math.ceil(10_000 / 6) * 176 });
  const middle = virtualWindow({ ...grid, count: 10_000, scrollTop: 176 * 800 + 50 });
  assert.equal(middle.start, (800 - 2) * 6);
  assert.equal(middle.offset, (800 - 2) * 176);
  assert.equal(middle.end - middle.start, (Math.ceil((176 * 800 + 50 + 700) / 176) + 2 - 798) * 6);
  assert.ok(middle.end - middle.start <= 9 * 6, 'bounded by the viewport');
  const bottom = virtualWindow({ ...grid, count: 10_000, scrollTop: bottomOf(10_000, grid) });
  assert.equal(bottom.end, 10_000, 'the last, partial row is drawn');
  assert.deepEqual(virtualWindow({ ...grid, count: 0, scrollTop: 0 }), { start: 0, end: 0, offset: 0, height: 0 });
});

function bottomOf(count: number, grid: { columns: number; rowHeight: number; viewportHeight: number }): number {
  return Math.ceil(count / grid.columns) * grid.rowHeight - grid.viewportHeight;
}

test('a table is one column of short rows', () => {
  const win = virtualWindow({ count: 500, columns: 1, rowHeight: 24, scrollTop: 240, viewportHeight: 240, overscan: 2 });
  assert.deepEqual(win, { start: 8, end: 22, offset: 8 * 24, height: 500 * 24 });
});

test('scrolling to a row moves only as far as needed', () => {
  assert.equal(scrollToRow(0, 24, 100, 240), 0, 'above: to its top');
  assert.equal(scrollToRow(20, 24, 0, 240), 21 * 24 - 240, 'below: to its bottom');
  assert.equal(scrollToRow(5, 24, 0, 240), 0, 'in view: stays');
});

test('keys move the focus by one, by a row of the grid, by a page, to either end, and stop at the ends', () => {
  assert.equal(moveFocus('ArrowRight', 4, 20, 6, 3), 5);
  assert.equal(moveFocus('ArrowLeft', 0, 20, 6, 3), 0);
  assert.equal(moveFocus('ArrowDown', 4, 20, 6, 3), 10);
  assert.equal(moveFocus('ArrowDown', 16, 20, 6, 3), 19);
  assert.equal(moveFocus('ArrowUp', 4, 20, 6, 3), 0);
  assert.equal(moveFocus('PageDown', 0, 100, 6, 3), 18);
  assert.equal(moveFocus('End', 3, 20, 6, 3), 19);
  assert.equal(moveFocus('Home', 13, 20, 6, 3), 0);
  assert.equal(moveFocus('x', 3, 20, 6, 3), undefined);
  assert.equal(moveFocus('ArrowDown', 0, 0, 6, 3), undefined, 'nothing shown');
});
