import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { folderLabels } from '../../../src/core/report/html/labelledAudit';
import { ROOT } from '../../helpers/paths';

const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];
const work = mkdtempSync(join(tmpdir(), 'scanlens-folder-labels-'));
after(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const root = join(work, name);
  for (const [path, sample] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    copyFileSync(join(ROOT, 'samples', sample), join(root, path));
  }
  return root;
}

test('folderLabels: class sub-folders named after the classes label their scans', async () => {
  const root = folder('classes', { 'glioma/a.png': 'glioma-01.png', 'notumor/b.png': 'notumor-01.png', 'loose.png': 'glioma-02.png' });
  const labels = await folderLabels(root, CLASSES);
  assert.ok(labels && 'byFile' in labels);
  assert.equal(labels.source, 'class folders');
  assert.deepEqual(
    [...labels.byFile],
    [
      [resolve(root, 'glioma/a.png'), 'glioma'],
      [resolve(root, 'notumor/b.png'), 'notumor'],
    ],
  );
});

test('folderLabels: a labels.csv wins over sub-folders', async () => {
  const root = folder('csv', { 'x/a.png': 'glioma-01.png', 'b.png': 'pituitary-01.png' });
  writeFileSync(join(root, 'labels.csv'), 'file,label\nx/a.png,meningioma\nb.png,pituitary\n');
  const labels = await folderLabels(root, CLASSES);
  assert.ok(labels && 'byFile' in labels);
  assert.equal(labels.source, 'labels.csv');
  assert.equal(labels.byFile.get(resolve(root, 'x/a.png')), 'meningioma');
});

test('folderLabels: no sub-folders is no audit; a sub-folder or CSV label that is no class is the reason', async () => {
  assert.equal(await folderLabels(folder('flat', { 'a.png': 'glioma-01.png' }), CLASSES), undefined);
  assert.deepEqual(await folderLabels(folder('patients', { 'glioma/a.png': 'glioma-01.png', 'patient-7/b.png': 'glioma-02.png' }), CLASSES), {
    none: "sub-folders named 'patient-7', not among the model's classes",
  });
  const bad = folder('badcsv', { 'a.png': 'glioma-01.png' });
  writeFileSync(join(bad, 'labels.csv'), 'name,class\na.png,glioma\n');
  const reason = await folderLabels(bad, CLASSES);
  assert.ok(reason && 'none' in reason);
  assert.match(reason.none, /expected a header with 'file' and 'label' columns/);
});
