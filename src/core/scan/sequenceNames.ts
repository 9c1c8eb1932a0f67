import { basename } from 'node:path';

/**
 * Which MRI sequence a file holds, read from its name, for a multi-channel 3D
 * model whose manifest lists `input.sequences`. A name is cut into parts at
 * anything but a letter or digit (`BraTS20_Training_001_t1ce.nii.gz` →
 * braTS20, training, 001, t1ce); the last part that names one of the model's
 * sequences, or a common alias of it, decides. Aliases are the spellings
 * public datasets use: BraTS 2018–2021 (t1, t1ce, t2, flair), BraTS 2023
 * (t1n, t1c, t2w, t2f) and BIDS (T1w, T2w, FLAIR).
 */
const ALIASES: readonly (readonly string[])[] = [
  ['t1', 't1n', 't1w', 't1native', 't1pre'],
  ['t1c', 't1ce', 't1gd', 't1post', 't1contrast', 't1wce'],
  ['t2', 't2w'],
  ['flair', 't2f', 't2flair'],
];

/** Every name a sequence may go by in a file name, itself first. */
export function sequenceAliases(sequence: string): readonly string[] {
  const group = ALIASES.find((names) => names.includes(sequence));
  return group ? [sequence, ...group.filter((name) => name !== sequence)] : [sequence];
}

/** A file name without its scan extension (.nii.gz, .nii, .dcm), lower case. */
function stem(file: string): string {
  return basename(file)
    .toLowerCase()
    .replace(/\.(nii\.gz|nii|dcm|dicom)$/, '');
}

/** The index in `sequences` of the sequence the file's name holds, or undefined when its name names none. */
export function sequenceOf(file: string, sequences: readonly string[]): number | undefined {
  const parts = stem(file)
    .split(/[^a-z0-9]+/)
    .filter((part) => part.length > 0);
  for (let p = parts.length - 1; p >= 0; p--) {
    const at = sequences.findIndex((sequence) => sequenceAliases(sequence).includes(parts[p]!));
    if (at >= 0) return at;
  }
  return undefined;
}

/** A sequence name as the manifest holds it: MONAI's channel_def says "T1c" or "T2-FLAIR"; file names say t1c, t2flair. */
export function sequenceName(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
