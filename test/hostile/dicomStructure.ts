import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepNesting, deflatedFrames, deflatedSlice, itemFlood, manyFrameFragments, privateTagFlood } from '../helpers/hostileDicom';
import { FIXTURES } from '../helpers/paths';
import { addGoodSample, GOOD, type HostileCase } from './hostileCase';

/*
 * DICOM files whose structure, not their pixels, is the attack (issue 20
 * item 2): element and item floods that grew to gigabytes in the header scan
 * (on the caller's thread) or killed the decode worker's process, a series
 * that decoded 10 GB before its voxel limit was checked, a fragment cut short
 * that held the JPEG-LS codec, and an offset table whose frames were matched
 * to fragments in quadratic time. Each is an error row naming the file,
 * refused before the work it would cause.
 */

const FLOOD = /DICOM data set holds more than 1000000 elements, items and fragments; refused before parsing$/;

export const dicomStructureCases: readonly HostileCase[] = [
  {
    name: 'deflated DICOM whose one sequence holds 32M empty items (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'items.dcm'), itemFlood(32_000_000));
      return { args: ['classify', 'items.dcm', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'items.dcm', reason: FLOOD }], unchanged: [GOOD] },
  },
  {
    name: '64 MB DICOM with 8M private tags, in a folder grouped into series (classify --json)',
    build: (dir) => {
      mkdirSync(join(dir, 'scans'));
      writeFileSync(join(dir, 'scans', 'private.dcm'), privateTagFlood(8_000_000));
      return { args: ['classify', 'scans', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'scans/private.dcm', reason: FLOOD }], unchanged: [GOOD] },
  },
  {
    name: 'DICOM with sequences nested 100,000 deep (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'deep.dcm'), deepNesting(100_000));
      return { args: ['classify', 'deep.dcm', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'deep.dcm', reason: /DICOM sequences are nested more than 32 deep; refused before parsing$/ }], unchanged: [GOOD] },
  },
  {
    name: 'series of 40 deflated 8192² slices, 5 MB on disk (classify --json)',
    build: (dir) => {
      mkdirSync(join(dir, 'series'));
      for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'series', `s${String(i).padStart(2, '0')}.dcm`), deflatedSlice('1.2.826.0.1.3680043.8.498.140', i, 8192));
      return { args: ['classify', 'series', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      stderr: [/^scanlens: series \[MR series \? · [0-9a-f]{8}\]: series of 40 slices declares 2684354560 voxels, over the limit of 268435456; refused before decoding$/],
      unchanged: [GOOD],
    },
  },
  {
    name: 'deflated DICOM declaring 8 frames of 8192² (a 1 GiB deflate bomb) (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'bomb.dcm'), deflatedFrames(8, 8192));
      return { args: ['classify', 'bomb.dcm', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'bomb.dcm', reason: /8 frames of 8192×8192 are over the limit of 268435456 voxels$/ }], unchanged: [GOOD] },
  },
  {
    name: 'JPEG-LS DICOM whose fragment is cut short (classify --json)',
    build: (dir) => {
      copyFileSync(join(FIXTURES, 'fuzz-seeds', 'findings', 'jpegls-near-slow.dcm'), join(dir, 'cut.dcm'));
      return { args: ['classify', 'cut.dcm', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'cut.dcm', reason: /transfer syntax JPEG-LS [^:]*: frame 1 is cut short: its codestream has no end marker \(FFD9\)$/ }], unchanged: [GOOD] },
  },
  {
    name: 'JPEG-LS DICOM of 50,000 frames in 100,000 fragments (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'frames.dcm'), manyFrameFragments(50_000));
      return { args: ['classify', 'frames.dcm', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'frames.dcm', reason: /transfer syntax JPEG-LS [^:]*: frame 1 is cut short: its codestream has no end marker \(FFD9\)$/ }], unchanged: [GOOD] },
  },
];
