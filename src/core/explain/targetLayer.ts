import { ScanLensError } from '../errors';
import type { GraphIndex } from '../onnx/graphIndex';
import { attrInts } from '../onnx/attributes';
import type { GraphProto, NodeProto } from '../onnx/onnxSchema';
import { tensorValues } from '../onnx/tensorData';

/** How the target layer was chosen, for the output to state. */
export interface TargetLayer {
  readonly tensor: string;
  readonly source: 'manifest' | 'option' | 'automatic';
}

/** Pools that end a CNN's spatial part; Flatten only counts when none of them is found. */
const GLOBAL_POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool']);

/** A global pool, or a ReduceMean over the spatial axes of a channels-first map: the last two, or a 3D model's last three. */
function isGlobalPool(node: NodeProto, index: GraphIndex): boolean {
  if (!node.input[0] || index.constantTensor(node.input[0])) return false;
  if (GLOBAL_POOLS.has(node.opType)) return true;
  if (node.opType !== 'ReduceMean') return false;
  let axes = attrInts(node, 'axes');
  if (!axes && node.input[1]) {
    const t = index.constantTensor(node.input[1]);
    axes = t ? tensorValues(t) : undefined;
  }
  const set = new Set(axes ?? []);
  const spatial = (list: number[]): boolean => set.size === list.length && list.every((a) => set.has(a));
  return spatial([2, 3]) || spatial([-1, -2]) || spatial([2, 3, 4]) || spatial([-1, -2, -3]);
}

/** Follows a pool's input back past other pools (GAP → Flatten) to the feature map. */
function beforePools(index: GraphIndex, name: string): string {
  let current = name;
  for (let producer = index.producer.get(current); producer && (isGlobalPool(producer, index) || producer.opType === 'Flatten') && producer.input[0]; producer = index.producer.get(current))
    current = producer.input[0];
  return current;
}

/** A Softmax whose output (past Dropout/Identity/Cast) is multiplied into values: attention, not an output softmax. */
function isAttentionSoftmax(index: GraphIndex, node: NodeProto): boolean {
  const queue = [node.output[0]];
  for (let name = queue.pop(); name; name = queue.pop()) {
    for (const next of index.consumers.get(name) ?? []) {
      if (next.opType === 'MatMul' || next.opType === 'Einsum') return true;
      if (next.opType === 'Dropout' || next.opType === 'Identity' || next.opType === 'Cast') queue.push(next.output[0]);
    }
  }
  return false;
}

/** The only consumer of a tensor, when it has exactly one. */
function soleConsumer(index: GraphIndex, name: string): NodeProto | undefined {
  const list = index.consumers.get(name) ?? [];
  return list.length === 1 ? list[0] : undefined;
}

/**
 * The output of every layer normalisation: LayerNormalization nodes, and the
 * form exporters before opset 17 write, (x − mean(x)) / sqrt(var + eps)
 * followed by its scale (Mul) and shift (Add) by constants.
 */
function layerNormOutputs(graph: GraphProto, index: GraphIndex): string[] {
  const out: string[] = [];
  for (const node of graph.node) {
    if (node.opType === 'LayerNormalization' && node.output[0]) {
      out.push(node.output[0]);
      continue;
    }
    if (node.opType !== 'Div' || !node.output[0]) continue;
    const centred = index.producer.get(node.input[0] ?? '');
    const mean = centred?.opType === 'Sub' ? index.producer.get(centred.input[1] ?? '') : undefined;
    if (!centred || mean?.opType !== 'ReduceMean' || mean.input[0] !== centred.input[0] || index.producer.get(node.input[1] ?? '')?.opType !== 'Sqrt') continue;
    let end = node.output[0];
    for (const op of ['Mul', 'Add']) {
      const next = soleConsumer(index, end);
      if (next?.opType !== op || !next.input.some((name) => index.constantTensor(name)) || !next.output[0]) break;
      end = next.output[0];
    }
    out.push(end);
  }
  return out;
}

/** True when an attention Softmax follows `start` before the next layer normalisation. */
function feedsAttention(index: GraphIndex, start: string, norms: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop()!;
    for (const node of index.consumers.get(name) ?? []) {
      if (node.opType === 'Softmax' && isAttentionSoftmax(index, node)) return true;
      if (node.opType === 'LayerNormalization') continue;
      for (const out of node.output) {
        if (out && !seen.has(out) && !norms.has(out)) {
          seen.add(out);
          queue.push(out);
        }
      }
    }
  }
  return false;
}

/**
 * The automatic target, pytorch-grad-cam's conventional layer where it has
 * one. A vision transformer that classifies from its class token (ViT,
 * DeiT): the last block's pre-attention LayerNorm output (ln_1; a
 * LayerNormalization node or its pre-opset-17 decomposition), tokens
 * later reshaped to the patch grid. Anything whose last global average pool
 * comes after its last attention block (CNNs, ConvNeXt, Swin): the tensor
 * that pool reads, the last spatial feature map (Swin: the last stage after
 * its LayerNorm, channels first). Else the input of the last Flatten or
 * ReduceMean over any axes (token-mixing models that average their tokens). 4-D (a
 * 3D model's 5-D) is checked later, at run time, where shapes are known.
 */
export function autoTargetLayer(graph: GraphProto, index: GraphIndex): string {
  const order = new Map(graph.node.map((n, i) => [n, i]));
  const norms = layerNormOutputs(graph, index);
  const normSet = new Set(norms);
  const lastNorm = norms.filter((name) => feedsAttention(index, name, normSet)).at(-1);
  const lastPool = graph.node.filter((n) => isGlobalPool(n, index)).at(-1);
  if (lastNorm && (!lastPool || order.get(lastPool)! < order.get(index.producer.get(lastNorm)!)!)) return lastNorm;
  if (lastPool) return beforePools(index, lastPool.input[0]!);
  const lastFlatten = graph.node.filter((n) => (n.opType === 'Flatten' || n.opType === 'ReduceMean') && n.input[0] && !index.constantTensor(n.input[0])).at(-1);
  if (lastFlatten) return beforePools(index, lastFlatten.input[0]!);
  throw new ScanLensError('cannot choose a target layer automatically (no global pool, flatten or transformer block found); name one with --layer');
}

/** Checks that a named tensor exists in the graph. */
export function checkTensorExists(graph: GraphProto, index: GraphIndex, name: string): void {
  if (index.producer.has(name)) return;
  const hint = graph.node
    .flatMap((n) => n.output)
    .filter((o) => o.toLowerCase().includes(name.toLowerCase()))
    .slice(0, 5);
  throw new ScanLensError(`the model has no tensor '${name}'${hint.length ? ` (similar: ${hint.join(', ')})` : ''}`);
}
