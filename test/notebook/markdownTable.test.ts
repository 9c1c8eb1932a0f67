import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markdownTable, plainTable } from '../../src/notebook/outputs/markdownTable';
import { tableCsv, tableJson } from '../../src/notebook/outputs/tableFiles';

const table = {
  columns: ['file', 'p', 'error'],
  rows: [
    ['a|b.png', 0.123456, null],
    ['=cmd', 1, 'bad, "quoted"'],
  ] as (string | number | null)[][],
};

test('markdown: pipes escaped, numbers to 4 decimals, numeric columns right-aligned, empty cells as a dash', () => {
  assert.equal(markdownTable(table), '| file | p | error |\n| --- | ---: | --- |\n| a\\|b.png | 0.1235 | — |\n| =cmd | 1 | bad, "quoted" |\n');
  assert.equal(plainTable(table), 'file     p       error\na|b.png  0.1235  —\n=cmd     1       bad, "quoted"');
});

test('CSV quotes and neutralises formulas; JSON keys rows by column with full precision', () => {
  assert.equal(tableCsv(table), 'file,p,error\na|b.png,0.123456,\n\'=cmd,1,"bad, ""quoted"""\n');
  assert.deepEqual(JSON.parse(tableJson(table)), [
    { file: 'a|b.png', p: 0.123456, error: null },
    { file: '=cmd', p: 1, error: 'bad, "quoted"' },
  ]);
});
