import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { scanPicture } from '../../../src/host/notebook/scanPicture';
import { ROOT } from '../../helpers/paths';

const samples = join(ROOT, 'samples');

test('a scan beside the notebook comes back as a PNG of its size', async () => {
  const reply = await scanPicture({ type: 'scanImage', requestId: 7, file: 'glioma-01.png' }, samples, []);
  assert.ok(reply && 'image' in reply, JSON.stringify(reply));
  assert.equal(reply.requestId, 7);
  const png = Buffer.from(reply.image.slice('data:image/png;base64,'.length), 'base64');
  const [original, answered] = await Promise.all([sharp(join(samples, 'glioma-01.png')).metadata(), sharp(png).metadata()]);
  assert.deepEqual([answered.format, answered.width, answered.height], ['png', original.width, original.height]);
});

test('paths outside the notebook folder and the workspace are refused; a bad file is a one-line error', async () => {
  const outside = await scanPicture({ type: 'scanImage', requestId: 1, file: '../package.json' }, samples, []);
  assert.ok(outside && 'error' in outside && /outside/.test(outside.error));
  const allowed = await scanPicture({ type: 'scanImage', requestId: 2, file: '../package.json' }, samples, [ROOT]);
  assert.ok(allowed && 'error' in allowed && !/outside/.test(allowed.error) && !allowed.error.includes('\n'), JSON.stringify(allowed));
});

test('messages that are not requests are ignored', async () => {
  assert.equal(await scanPicture({ type: 'other' }, samples, []), undefined);
  assert.equal(await scanPicture({ type: 'scanImage', requestId: -1, file: 'a.png' }, samples, []), undefined);
});
