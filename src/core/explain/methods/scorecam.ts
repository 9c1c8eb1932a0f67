import { positions, type FeatureMaps } from '../featureMaps';
import type { CamContext, CamMethod } from './camMethod';

/** pytorch-grad-cam's guard in (A − min) / (max − min + ε): a constant channel's mask is all zeros. */
const EPSILON = 1e-8;

/** Where each output pixel samples a grid of `from` cells when stretched to `to` with aligned corners (torch's UpsamplingBilinear2d). */
function alignedAxis(from: number, to: number): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const lo = new Int32Array(to);
  const hi = new Int32Array(to);
  const t = new Float64Array(to);
  const scale = to > 1 ? (from - 1) / (to - 1) : 0;
  for (let i = 0; i < to; i++) {
    const src = scale * i;
    const base = Math.min(Math.floor(src), from - 1);
    lo[i] = base;
    hi[i] = Math.min(base + 1, from - 1);
    t[i] = src - base;
  }
  return { lo, hi, t };
}

/** True when channel k upsampled is one value everywhere (its normalised mask is then all zeros); stops at the first differing pixel. */
function constantChannel(act: FeatureMaps, k: number, rows: ReturnType<typeof alignedAxis>, cols: ReturnType<typeof alignedAxis>): boolean {
  const { width: w, data } = act;
  const from = k * act.height * w;
  let first: number | undefined;
  for (let y = 0; y < rows.lo.length; y++) {
    const r0 = from + rows.lo[y]! * w;
    const r1 = from + rows.hi[y]! * w;
    const ty = rows.t[y]!;
    for (let x = 0; x < cols.lo.length; x++) {
      const c0 = cols.lo[x]!;
      const c1 = cols.hi[x]!;
      const tx = cols.t[x]!;
      const v = Math.fround((data[r0 + c0]! * (1 - tx) + data[r0 + c1]! * tx) * (1 - ty) + (data[r1 + c0]! * (1 - tx) + data[r1 + c1]! * tx) * ty);
      first ??= v;
      if (v !== first) return false;
    }
  }
  return true;
}

/**
 * Each channel's mask: the channel bilinearly upsampled to the input size with
 * aligned corners, then (A − min) / (max − min + 1e-8), into `out`. Returns
 * false for a constant channel, whose mask is all zeros.
 */
function channelMask(act: FeatureMaps, k: number, rows: ReturnType<typeof alignedAxis>, cols: ReturnType<typeof alignedAxis>, out: Float32Array): boolean {
  const { width: w, data } = act;
  const from = k * act.height * w;
  const width = cols.lo.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < rows.lo.length; y++) {
    const r0 = from + rows.lo[y]! * w;
    const r1 = from + rows.hi[y]! * w;
    const ty = rows.t[y]!;
    for (let x = 0; x < width; x++) {
      const c0 = cols.lo[x]!;
      const c1 = cols.hi[x]!;
      const tx = cols.t[x]!;
      const top = data[r0 + c0]! * (1 - tx) + data[r0 + c1]! * tx;
      const bottom = data[r1 + c0]! * (1 - tx) + data[r1 + c1]! * tx;
      const v = Math.fround(top * (1 - ty) + bottom * ty);
      out[y * width + x] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi > lo)) return false;
  const scale = 1 / (hi - lo + EPSILON);
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - lo) * scale;
  return true;
}

/** True when channel k of the layer holds one value everywhere. */
function flatChannel(act: FeatureMaps, k: number): boolean {
  const n = positions(act);
  const from = k * n;
  for (let i = from + 1; i < from + n; i++) if (act.data[i] !== act.data[from]) return false;
  return true;
}

/**
 * A 3D model's channel mask: channel k trilinearly upsampled to the input's
 * D×H×W with aligned corners (torch's Upsample(mode='trilinear',
 * align_corners=True), the 3D form of UpsamplingBilinear2d), then
 * (A − min) / (max − min + 1e-8) as in 2D; all zeros when constant.
 */
function volumeMask(act: FeatureMaps, k: number, axes: readonly ReturnType<typeof alignedAxis>[], out: Float32Array): void {
  const [ds, hs, ws] = axes as [ReturnType<typeof alignedAxis>, ReturnType<typeof alignedAxis>, ReturnType<typeof alignedAxis>];
  const { height: h, width: w, data } = act;
  const from = k * positions(act);
  let lo = Infinity;
  let hi = -Infinity;
  let at = 0;
  for (let z = 0; z < ds.lo.length; z++) {
    const [z0, z1, tz] = [from + ds.lo[z]! * h * w, from + ds.hi[z]! * h * w, ds.t[z]!];
    for (let y = 0; y < hs.lo.length; y++) {
      const [y0, y1, ty] = [hs.lo[y]! * w, hs.hi[y]! * w, hs.t[y]!];
      for (let x = 0; x < ws.lo.length; x++, at++) {
        const [x0, x1, tx] = [ws.lo[x]!, ws.hi[x]!, ws.t[x]!];
        const line = (base: number): number => data[base + x0]! * (1 - tx) + data[base + x1]! * tx;
        const plane = (base: number): number => line(base + y0) * (1 - ty) + line(base + y1) * ty;
        const v = Math.fround(plane(z0) * (1 - tz) + plane(z1) * tz);
        out[at] = v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  const scale = hi > lo ? 1 / (hi - lo + EPSILON) : 0;
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - lo) * scale;
}

/** Score-CAM's runs for a 3D model (one channel of D×H×W, NCDHW): as scoreMap's, with volumeMask. */
async function volumeScores(act: FeatureMaps, { model, input, inputs }: CamContext, varying: number[], constant: number[]): Promise<Float64Array> {
  const { size, channels } = model.manifest.input;
  const axes = [alignedAxis(act.depth, size.depth!), alignedAxis(act.height, size.height), alignedAxis(act.width, size.width)];
  const voxels = size.depth! * size.height * size.width;
  const mask = new Float32Array(voxels);
  const runs = varying.length + (constant.length > 0 ? 1 : 0);
  const scores = await inputs.scores(runs, (index, into) => {
    if (index >= varying.length) {
      into.fill(0);
      return;
    }
    volumeMask(act, varying[index]!, axes, mask);
    for (let c = 0; c < channels; c++) for (let i = 0; i < voxels; i++) into[c * voxels + i] = input[c * voxels + i]! * mask[i]!;
  });
  const channelScore = new Float64Array(act.channels);
  varying.forEach((k, i) => (channelScore[k] = scores[i]!));
  for (const k of constant) channelScore[k] = scores[varying.length]!;
  return channelScore;
}

/**
 * Score-CAM as pytorch-grad-cam defines it: each channel, upsampled (aligned
 * corners) and min-max normalised, masks the input; the softmax over channels
 * of the class scores of the masked inputs weights the channels; ReLU.
 * Every masked input goes through the whole model, in batches. A constant
 * channel's mask is all zeros, so all of them share one run (the zero input).
 */
async function scoreMap(act: FeatureMaps, context: CamContext): Promise<Float32Array> {
  const channelScore = context.model.manifest.input.layout === 'NCDHW' ? await volumeChannelScores(act, context) : await imageChannelScores(act, context);
  let top = -Infinity;
  for (const s of channelScore) if (s > top) top = s;
  let total = 0;
  const weights = channelScore.map((s) => {
    const e = Math.exp(s - top);
    total += e;
    return e;
  });
  const hw = positions(act);
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) {
    const w = weights[k]! / total;
    for (let i = 0; i < hw; i++) out[i]! += w * act.data[k * hw + i]!;
  }
  return Float32Array.from(out, (v) => Math.max(0, v));
}

/** A 3D model's class scores per channel: channels constant over D×H×W share the zero input's run. */
function volumeChannelScores(act: FeatureMaps, context: CamContext): Promise<Float64Array> {
  const varying: number[] = [];
  const constant: number[] = [];
  for (let k = 0; k < act.channels; k++) (flatChannel(act, k) ? constant : varying).push(k);
  return volumeScores(act, context, varying, constant);
}

/** A 2D model's class scores per channel, each from the input masked by the channel. */
async function imageChannelScores(act: FeatureMaps, { model, input, inputs }: CamContext): Promise<Float64Array> {
  const spec = model.manifest.input;
  const { width, height } = spec.size;
  const pixels = width * height;
  const rows = alignedAxis(act.height, height);
  const cols = alignedAxis(act.width, width);
  const mask = new Float32Array(pixels);
  // Which channels vary (each mask is built while filling its batch: one of 224² costs less than keeping 512 of them).
  const varying: number[] = [];
  const constant: number[] = [];
  for (let k = 0; k < act.channels; k++) (constantChannel(act, k, rows, cols) ? constant : varying).push(k);
  const runs = varying.length + (constant.length > 0 ? 1 : 0);
  const scores = await inputs.scores(runs, (index, into) => {
    if (index >= varying.length) {
      into.fill(0);
      return;
    }
    channelMask(act, varying[index]!, rows, cols, mask);
    const channels = spec.channels;
    if (spec.layout === 'NCHW') {
      for (let c = 0; c < channels; c++) {
        const from = c * pixels;
        for (let i = 0; i < pixels; i++) into[from + i] = input[from + i]! * mask[i]!;
      }
    } else {
      for (let i = 0; i < pixels; i++) for (let c = 0; c < channels; c++) into[i * channels + c] = input[i * channels + c]! * mask[i]!;
    }
  });
  const channelScore = new Float64Array(act.channels);
  varying.forEach((k, i) => (channelScore[k] = scores[i]!));
  for (const k of constant) channelScore[k] = scores[varying.length]!;
  return channelScore;
}

export const scorecam: CamMethod = { needs: 'activations', map: scoreMap };
