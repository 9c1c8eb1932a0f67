import { basename } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ScanLensError } from '../errors';
import { MAX_VOLUME_CHANNELS, ManifestSchema, type Manifest } from './manifest';
import { labelsFromMetadata, readOnnxMetadata } from './onnxMetadata';
import type { BundleFacts } from './monaiBundle';

function tensorShape(session: InferenceSession, name: string, which: 'input' | 'output'): ReadonlyArray<number | string> {
  const list = which === 'input' ? session.inputMetadata : session.outputMetadata;
  const meta = list.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.shape : [];
}

const known = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
const shapeOf = (shape: ReadonlyArray<number | string>): string => `[${shape.join(', ')}]`;

/** A size the graph leaves open, from the bundle; a fixed one held against what the bundle declares. */
function sized(graph: number | string | undefined, declared: number | undefined, axis: string, path: string): number | string | undefined {
  if (known(graph) && declared !== undefined && graph !== declared) throw new ScanLensError(`the graph's input ${axis} is ${graph} but the MONAI bundle says ${declared}`, path);
  return known(graph) ? graph : (declared ?? graph);
}

/**
 * Builds a manifest for a bare .onnx from what the graph says (and, in a MONAI
 * bundle, what its configs declare), and lists every guess so outputs can
 * state them: a user must know when labels or scaling were assumed rather than declared.
 */
export function specFromGraph(session: InferenceSession, bytes: Uint8Array, path: string, sha256: string, bundle?: BundleFacts): { manifest: Manifest; assumptions: string[] } {
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) throw new ScanLensError('model has no inputs or no outputs', path);
  const shape = tensorShape(session, inputName, 'input');
  if (shape.length !== 4 && shape.length !== 5) {
    throw new ScanLensError(`input '${inputName}' has ${shape.length} dimensions; an image model needs 4, a volume model 5 (write a manifest to describe it)`, path);
  }
  const [, d1, d2, d3, d4] = shape;
  let layout: 'NCHW' | 'NHWC' | 'NCDHW';
  let channels: number;
  let height: number | string | undefined;
  let width: number | string | undefined;
  let depth: number | string | undefined;
  if (shape.length === 5) {
    // A 5-D input is a 3D model's [N, C, D, H, W]: one channel per MRI sequence.
    if (!known(d1) || d1 > MAX_VOLUME_CHANNELS) {
      throw new ScanLensError(`input '${inputName}' ${shapeOf(shape)} has ${known(d1) ? d1 : 'an unfixed number of'} channels; a 3D model takes 1 to ${MAX_VOLUME_CHANNELS} (write a manifest)`, path);
    }
    if (bundle?.sequences && bundle.sequences.length !== d1) {
      throw new ScanLensError(`input '${inputName}' ${shapeOf(shape)} has ${d1} channel(s) but the MONAI bundle names ${bundle.sequences.length} (${bundle.sequences.join(', ')})`, path);
    }
    const declared = bundle?.preprocessing?.size ?? bundle?.spatialShape;
    [layout, channels] = ['NCDHW', d1];
    [depth, height, width] = [sized(d2, declared?.[0], 'depth', path), sized(d3, declared?.[1], 'height', path), sized(d4, declared?.[2], 'width', path)];
    if (!known(depth) || !known(height) || !known(width)) throw new ScanLensError(`input '${inputName}' has no fixed size (${shapeOf(shape)}); write a manifest with input.size`, path);
  } else if (d1 === 1 || d1 === 3) [layout, channels, height, width] = ['NCHW', d1, d2, d3];
  else if (d3 === 1 || d3 === 3) [layout, channels, height, width] = ['NHWC', d3, d1, d2];
  else throw new ScanLensError(`cannot tell the channel axis of input shape ${shapeOf(shape)}; write a manifest`, path);
  if (!known(height) || !known(width)) {
    throw new ScanLensError(`input '${inputName}' has no fixed size (${shapeOf(shape)}); write a manifest with input.size`, path);
  }

  const volumePreprocessing = layout === 'NCDHW' ? bundle?.preprocessing : undefined;
  const assumptions =
    layout === 'NCDHW'
      ? [
          `no manifest: input '${inputName}' read as NCDHW, ${channels} channel${channels === 1 ? '' : 's'}, ${depth}×${height}×${width} (depth×height×width) from the ${bundle ? 'graph and the MONAI bundle' : 'graph'}`,
          ...(channels > 1
            ? [
                bundle?.sequences
                  ? `channels are the sequences ${bundle.sequences.join(', ')} (the MONAI bundle's channel_def): a subject folder's files named for them, or a 4D NIfTI's volumes in that order`
                  : `no manifest: the ${channels} channels are a 4D NIfTI's volumes, in file order (name them with input.sequences in a manifest to give one file per sequence)`,
              ]
            : []),
          volumePreprocessing
            ? `volumes reoriented to RAS${volumePreprocessing.spacing ? `, resampled to ${volumePreprocessing.spacing.join('×')} mm` : ' at their own spacing'}, intensity ${volumePreprocessing.intensity?.mode ?? 'range'}${volumePreprocessing.mean ? `, mean ${volumePreprocessing.mean[0]} std ${volumePreprocessing.std![0]}` : ''}, cropped or padded about the centre`
            : 'no manifest: volumes reoriented to RAS at their own spacing, scaled to [0,1] by their storage range, no mean/std, cropped or padded about the centre',
        ]
      : [
          `no manifest: input '${inputName}' read as ${layout}, ${channels} channel(s), ${width}×${height} from the graph`,
          'no manifest: pixels scaled to [0,1] by their storage range (8-bit /255, 16-bit /65535), no mean/std',
          'no manifest: images resized with a linear kernel, stretched to fit',
        ];
  if (bundle) assumptions.push(...bundle.notes);
  let labels: string[] | undefined = bundle?.labels;
  if (!labels) {
    try {
      labels = labelsFromMetadata(readOnnxMetadata(bytes));
    } catch {
      labels = undefined;
    }
  }
  const classes = tensorShape(session, outputName, 'output').at(-1);
  if (labels && labels === bundle?.labels) {
    assumptions.push(`labels read from the MONAI bundle's channel_def`);
  } else if (labels) {
    assumptions.push(`no manifest: labels read from the model's metadata_props`);
  } else if (known(classes)) {
    labels = Array.from({ length: classes }, (_, i) => `class_${i}`);
    assumptions.push(`no manifest and no labels in metadata: classes named class_0…class_${classes - 1}`);
  } else {
    throw new ScanLensError(`output '${outputName}' has no fixed class count and the model has no labels; write a manifest`, path);
  }
  if (known(classes) && classes !== labels.length) {
    throw new ScanLensError(`${labels === bundle?.labels ? 'the MONAI bundle' : 'metadata'} lists ${labels.length} labels but output '${outputName}' has ${classes} classes`, path);
  }

  const manifest = ManifestSchema.parse({
    schema: 'scanlens.model/1',
    name: basename(path).replace(/\.onnx$/i, ''),
    version: 'unknown',
    file: basename(path),
    sha256,
    input: {
      name: inputName,
      layout,
      channels,
      size: { width, height, ...(layout === 'NCDHW' ? { depth } : {}) },
      ...(layout === 'NCDHW' && bundle?.sequences ? { sequences: bundle.sequences } : {}),
      ...(volumePreprocessing?.spacing ? { spacing: volumePreprocessing.spacing } : {}),
      ...(volumePreprocessing?.intensity ? { intensity: volumePreprocessing.intensity } : {}),
      ...(volumePreprocessing?.mean ? { mean: volumePreprocessing.mean, std: volumePreprocessing.std } : {}),
    },
    output: { name: outputName, type: 'logits' },
    labels,
  });
  return { manifest, assumptions };
}
