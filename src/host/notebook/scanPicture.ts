import { isAbsolute, relative, resolve } from 'node:path';
import { toChannels } from '../../core/preprocess/colour';
import { unitSlice } from '../../core/preprocess/intensity';
import { encodePng } from '../../core/render/png';
import { DEFAULT_LIMITS } from '../../core/scan/limits';
import { loadScan } from '../../core/scan/loadScan';
import { oneLine } from '../../core/errors';
import { ScanImageRequestSchema, type ScanImageReply } from '../../protocol/rendererMessages';

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Answers the renderer's request for the scan under an explanation map. The
 * path comes from notebook content, so only files inside the notebook's folder
 * or an open workspace folder are read.
 */
export async function scanPicture(message: unknown, baseDir: string, allowedFolders: readonly string[]): Promise<ScanImageReply | undefined> {
  const request = ScanImageRequestSchema.safeParse(message);
  if (!request.success) return undefined;
  const { requestId, file } = request.data;
  const path = resolve(baseDir, file);
  if (![baseDir, ...allowedFolders].some((folder) => inside(folder, path))) {
    return { type: 'scanImage', requestId, error: `${file}: outside the notebook's folder and the workspace` };
  }
  try {
    const scan = await loadScan(path, DEFAULT_LIMITS);
    const image = unitSlice(scan, 0, { mode: 'minmax' });
    const png = await encodePng(image.channels === 1 || image.channels === 3 ? image : toChannels(image, 1));
    return { type: 'scanImage', requestId, image: `data:image/png;base64,${png.toString('base64')}` };
  } catch (error) {
    return { type: 'scanImage', requestId, error: oneLine(error) };
  }
}
