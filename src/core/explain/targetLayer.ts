import { ScanLensError } from '../errors';
import type { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto } from '../onnx/onnxSchema';

/** How the target layer was chosen, for the output to state. */
export interface TargetLayer {
  readonly tensor: string;
  readonly source: 'manifest' | 'option' | 'automatic';
}

const POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'Flatten']);

/** Follows a pool's input back past other pools (GAP → Flatten) to the feature map. */
function beforePools(index: GraphIndex, name: string): string {
  let current = name;
  for (let producer = index.producer.get(current); producer && POOLS.has(producer.opType) && producer.input[0]; producer = index.producer.get(current)) current = producer.input[0];
  return current;
}

/** True when a Softmax (attention) follows `start` before the next LayerNormalization. */
function feedsAttention(index: GraphIndex, start: string): boolean {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop()!;
    for (const node of index.consumers.get(name) ?? []) {
      if (node.opType === 'Softmax') return true;
      if (node.opType === 'LayerNormalization') continue;
      for (const out of node.output) {
        if (out && !seen.has(out)) {
          seen.add(out);
          queue.push(out);
        }
      }
    }
  }
  return false;
}

/**
 * The automatic target: for a CNN the input of the last global pool (or
 * flatten) in graph order, the last spatial feature map; for a vision
 * transformer the last block's pre-attention LayerNorm output. 4-D is checked
 * later, at run time, where shapes are known.
 */
export function autoTargetLayer(graph: GraphProto, index: GraphIndex): string {
  const norms = graph.node.filter((n) => n.opType === 'LayerNormalization' && n.output[0] && feedsAttention(index, n.output[0]));
  const lastNorm = norms.at(-1);
  if (lastNorm) return lastNorm.output[0]!;
  const pools = graph.node.filter((n) => POOLS.has(n.opType) && n.input[0] && !index.constantTensor(n.input[0]));
  const lastPool = pools.at(-1);
  if (lastPool) return beforePools(index, lastPool.input[0]!);
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
