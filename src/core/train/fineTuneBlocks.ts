import { parameterLayers } from '../explain/scorecard/parameterLayers';
import { ScanLensError } from '../errors';
import { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto, NodeProto } from '../onnx/onnxSchema';
import type { HeadLayer } from './headGraph';

/** A unit fine-tuning trains or leaves: one weighted layer and the normalisation applied directly to its output. */
export interface Block {
  /** The weighted layer's node name (or output). */
  readonly name: string;
  readonly parameters: readonly string[];
  /** The op types of its layers. */
  readonly ops: readonly string[];
}

const WEIGHTED = new Set(['Conv', 'Gemm', 'MatMul']);
const NORMALISATION = new Set(['BatchNormalization', 'LayerNormalization']);
/** The ops whose parameter gradients the gradient rules give. */
const TRAINABLE = new Set([...WEIGHTED, ...NORMALISATION]);

/** The inputs a layer trains: everything parameterLayers lists but a BatchNormalization's stored mean and variance (inference form keeps them). */
function trainedInputs(node: NodeProto, names: readonly string[]): string[] {
  if (node.opType !== 'BatchNormalization') return [...names];
  return names.filter((name) => name !== node.input[3] && name !== node.input[4]);
}

/**
 * The backbone's blocks before its head, nearest the head first: every
 * layer with float-initializer parameters (scorecard/parameterLayers.ts),
 * a BatchNormalization or LayerNormalization that reads a Conv's, Gemm's or
 * MatMul's output directly joining that layer's block (Conv + BN counts
 * once). The head's own weights are not a block: fine-tuning always trains
 * them.
 */
export function blocksBeforeHead(graph: GraphProto, head: HeadLayer): Block[] {
  const index = new GraphIndex(graph);
  const byName = new Map(graph.node.map((n) => [n.name || n.output[0]!, n]));
  const headTensors = new Set([head.weight, head.bias]);
  const blocks = new Map<NodeProto, { parameters: string[]; ops: string[] }>();
  for (const layer of parameterLayers(graph)) {
    const node = byName.get(layer.name);
    if (!node || layer.tensors.some((t) => headTensors.has(t.name))) continue;
    const producer = NORMALISATION.has(node.opType) ? index.producer.get(node.input[0] ?? '') : undefined;
    const owner = producer && WEIGHTED.has(producer.opType) && index.initializerDims(producer.input[1] ?? '') ? producer : node;
    const block = blocks.get(owner) ?? { parameters: [], ops: [] };
    blocks.set(owner, {
      parameters: [
        ...block.parameters,
        ...trainedInputs(
          node,
          layer.tensors.map((t) => t.name),
        ),
      ],
      ops: [...block.ops, node.opType],
    });
  }
  return [...blocks].map(([node, block]) => ({ name: node.name || node.output[0]!, ...block }));
}

/** The last `count` blocks before the head, or one line saying how many there are. */
export function lastBlocks(graph: GraphProto, head: HeadLayer, count: number, file: string): Block[] {
  const blocks = blocksBeforeHead(graph, head);
  if (count > blocks.length) throw new ScanLensError(`--finetune-blocks ${count} asks for more blocks than the backbone has before its head (${blocks.length})`, file);
  const untrainable = blocks.slice(0, count).findIndex((b) => b.ops.some((op) => !TRAINABLE.has(op)));
  if (untrainable >= 0) {
    const block = blocks[untrainable]!;
    throw new ScanLensError(
      `block ${untrainable + 1} before the head ('${block.name}') has a layer whose parameters ScanLens cannot differentiate (${block.ops.find((op) => !TRAINABLE.has(op))}); fine-tune at most ${untrainable} block(s)`,
      file,
    );
  }
  return blocks.slice(0, count);
}
