import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { listScans } from '../../../src/core/scan/listScans';

test('listScans: by extension or by content, recursive, natural order, hidden and excluded skipped', async () => {
  const root = mkdtempSync(join(tmpdir(), 'scanlens-list-'));
  try {
    mkdirSync(join(root, 'deep', 'er'), { recursive: true });
    mkdirSync(join(root, '.hidden'));
    mkdirSync(join(root, 'results'));
    writeFileSync(join(root, 'slice-10.png'), 'broken, but named like a scan');
    writeFileSync(join(root, 'slice-9.png'), 'x');
    writeFileSync(join(root, 'deep', 'er', 'no-extension'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    writeFileSync(join(root, 'notes.txt'), 'text');
    writeFileSync(join(root, '.hidden', 'a.png'), 'x');
    writeFileSync(join(root, 'results', 'b.png'), 'x');
    const { files, skipped } = await listScans(root, (path) => path.startsWith(join(root, 'results')));
    assert.deepEqual(
      files.map((f) => relative(root, f)),
      [join('deep', 'er', 'no-extension'), 'slice-9.png', 'slice-10.png'],
    );
    assert.equal(skipped, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
