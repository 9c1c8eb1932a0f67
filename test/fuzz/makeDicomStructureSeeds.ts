import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepNesting, deflatedFrames, itemFlood, manyFrameFragments, privateTagFlood } from '../helpers/hostileDicom';
import { FIXTURES } from '../helpers/paths';

/**
 * Writes small DICOM fuzz seeds of the hostile-structure families
 * (test/fixtures/fuzz-seeds/dicom/structure-*.dcm): a deflated item flood, a
 * private-tag flood, nesting just past the limit, an offset table matching
 * frames to fragments, and a deflated multi-frame file. Mutating them drives
 * the structure walk, the windowed inflation and the fragment matching the
 * full-size hostile inputs (test/hostile/dicomStructure.ts) reach.
 * Run with `node --import tsx test/fuzz/makeDicomStructureSeeds.ts`.
 */

const out = join(FIXTURES, 'fuzz-seeds', 'dicom');
const seeds: Record<string, Buffer> = {
  'structure-item-flood.dcm': itemFlood(2000),
  'structure-private-flood.dcm': privateTagFlood(2000),
  'structure-deep.dcm': deepNesting(34),
  'structure-frame-fragments.dcm': manyFrameFragments(64),
  'structure-deflated-frames.dcm': deflatedFrames(2, 32),
};
for (const [name, bytes] of Object.entries(seeds)) writeFileSync(join(out, name), bytes);
