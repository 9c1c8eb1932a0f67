import { isAbsolute, posix, win32 } from 'node:path';
import { ScanLensError } from '../errors';
import { decodeModel } from '../onnx/modelProto';
import { toInt, type GraphProto, type Int64, type NodeProto, type TensorProto } from '../onnx/onnxSchema';

/**
 * Inspects ONNX bytes before onnxruntime sees them and refuses what a
 * downloaded model should never need: weights in other files, operators from
 * native libraries, and sizes that exist only to exhaust memory.
 */

export interface VetLimits {
  /** Most nodes, counting every subgraph and model-local function. */
  readonly maxNodes: number;
  /** Most bytes all initializers and constant tensors may declare together. */
  readonly maxInitializerBytes: number;
  /** Most elements one declared tensor (initializer, constant, graph input or output) may have. */
  readonly maxTensorElements: number;
  /** Deepest nesting of subgraphs (If/Loop/Scan bodies). */
  readonly maxGraphDepth: number;
}

export const DEFAULT_VET_LIMITS: VetLimits = {
  maxNodes: 200_000,
  maxInitializerBytes: 2 * 1024 * 1024 * 1024,
  maxTensorElements: 1 << 30,
  maxGraphDepth: 32,
};

/**
 * Operator domains onnxruntime's CPU build implements itself. Anything else is
 * a custom op, which needs a native library we never load; a model-local
 * function's domain is allowed, since its body is plain ONNX inside the file
 * and is vetted like the graph.
 */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft']);

/** Bytes per element of each ONNX data type (strings counted as pointers). */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 8: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2 };

interface FunctionLike {
  readonly name?: string;
  readonly domain?: string;
  readonly node?: NodeProto[];
}

interface SparseLike {
  readonly values?: TensorProto;
  readonly indices?: TensorProto;
  readonly dims?: Int64[];
}

interface Walk {
  readonly file: string;
  readonly limits: VetLimits;
  readonly localFunctions: ReadonlySet<string>;
  nodes: number;
  initializerBytes: number;
}

function elementCount(dims: readonly Int64[], what: string, walk: Walk): number {
  let count = 1;
  for (const dim of dims) {
    const value = toInt(dim);
    if (!Number.isSafeInteger(value) || value < 0) throw new ScanLensError(`${what} has an invalid dimension (${value})`, walk.file);
    count *= value;
  }
  if (count > walk.limits.maxTensorElements) {
    throw new ScanLensError(`${what} declares ${count} elements, over the limit of ${walk.limits.maxTensorElements}`, walk.file);
  }
  return count;
}

/** External data is refused wherever it points (see SECURITY.md); the reason differs so the user knows what to fix. */
function checkStorage(tensor: TensorProto, what: string, walk: Walk): void {
  const entries = (tensor.externalData ?? []) as { key?: string; value?: string }[];
  if (entries.length === 0 && tensor.dataLocation !== 1) return;
  const location = entries.find((e) => e.key === 'location')?.value ?? '';
  const escapes = location === '' || isAbsolute(location) || win32.isAbsolute(location) || posix.normalize(location.replace(/\\/g, '/')).split('/').includes('..');
  if (escapes) throw new ScanLensError(`${what} keeps its data at '${location}', outside the model's folder; refused`, walk.file);
  throw new ScanLensError(`${what} keeps its data in a separate file ('${location}'), which the model's sha256 does not cover; save the model with its weights inside the .onnx file`, walk.file);
}

function checkTensor(tensor: TensorProto, what: string, walk: Walk): void {
  const label = `${what} '${tensor.name ?? ''}'`;
  checkStorage(tensor, label, walk);
  const elements = elementCount(tensor.dims ?? [], label, walk);
  walk.initializerBytes += elements * (ELEMENT_BYTES[tensor.dataType ?? 1] ?? 8);
  if (walk.initializerBytes > walk.limits.maxInitializerBytes) {
    throw new ScanLensError(`constant tensors declare more than ${walk.limits.maxInitializerBytes} bytes in all; refused`, walk.file);
  }
}

/**
 * A sparse tensor carries few values but declares a dense shape, and
 * onnxruntime makes sparse initializers dense when it loads the model: the
 * dense shape is held to the same element and byte limits as a dense tensor.
 */
function checkSparse(sparse: SparseLike, what: string, walk: Walk): void {
  if (sparse.values) checkTensor(sparse.values, what, walk);
  if (sparse.indices) checkTensor(sparse.indices, what, walk);
  const label = `${what} '${sparse.values?.name ?? ''}' (dense shape)`;
  const elements = elementCount(sparse.dims ?? [], label, walk);
  walk.initializerBytes += elements * (ELEMENT_BYTES[sparse.values?.dataType ?? 1] ?? 8);
  if (walk.initializerBytes > walk.limits.maxInitializerBytes) {
    throw new ScanLensError(`constant tensors declare more than ${walk.limits.maxInitializerBytes} bytes in all; refused`, walk.file);
  }
}

function checkNodes(nodes: readonly NodeProto[], depth: number, walk: Walk): void {
  walk.nodes += nodes.length;
  if (walk.nodes > walk.limits.maxNodes) throw new ScanLensError(`graph has more than ${walk.limits.maxNodes} nodes; refused`, walk.file);
  for (const node of nodes) {
    const domain = node.domain ?? '';
    if (!STANDARD_DOMAINS.has(domain) && !walk.localFunctions.has(`${domain}\u0000${node.opType}`)) {
      throw new ScanLensError(`node '${node.name || node.opType}' uses custom operator ${domain}:${node.opType}; only standard ONNX and onnxruntime operators are run`, walk.file);
    }
    for (const attribute of node.attribute ?? []) {
      const raw = attribute as typeof attribute & { tensors?: TensorProto[]; sparseTensor?: SparseLike; sparseTensors?: SparseLike[] };
      if (raw.t) checkTensor(raw.t, `constant of node '${node.name || node.opType}'`, walk);
      for (const t of raw.tensors ?? []) checkTensor(t, `constant of node '${node.name || node.opType}'`, walk);
      if (raw.sparseTensor) checkSparse(raw.sparseTensor, `sparse constant of node '${node.name || node.opType}'`, walk);
      for (const s of raw.sparseTensors ?? []) checkSparse(s, `sparse constant of node '${node.name || node.opType}'`, walk);
      if (raw.g) checkGraph(raw.g as GraphProto, depth + 1, walk);
      for (const g of raw.graphs ?? []) checkGraph(g as GraphProto, depth + 1, walk);
    }
  }
}

function checkGraph(graph: GraphProto, depth: number, walk: Walk): void {
  if (depth > walk.limits.maxGraphDepth) throw new ScanLensError(`subgraphs are nested more than ${walk.limits.maxGraphDepth} deep; refused`, walk.file);
  for (const tensor of graph.initializer ?? []) checkTensor(tensor, 'initializer', walk);
  for (const sparse of (graph as GraphProto & { sparseInitializer?: SparseLike[] }).sparseInitializer ?? []) checkSparse(sparse, 'sparse initializer', walk);
  for (const value of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const dims = value.type?.tensorType?.shape?.dim ?? [];
    // Symbolic dims (batch) have no dimValue, and some exporters write -1 for them; only fixed sizes are checked.
    elementCount(
      dims.map((d) => Math.max(1, toInt(d.dimValue))),
      `graph input/output '${value.name}'`,
      walk,
    );
  }
  checkNodes(graph.node ?? [], depth, walk);
}

/** Refuses hostile ONNX bytes with a one-line reason naming `file`; returns quietly for anything else. */
export function vetModel(bytes: Uint8Array, file: string, limits: VetLimits = DEFAULT_VET_LIMITS): void {
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes, file);
  } catch {
    // Bytes that are not ONNX at all are left to onnxruntime, whose own parser refuses them with its reason.
    return;
  }
  const raw = model as typeof model & { functions?: FunctionLike[]; trainingInfo?: { initialization?: GraphProto; algorithm?: GraphProto }[] };
  const functions = raw.functions ?? [];
  const walk: Walk = {
    file,
    limits,
    localFunctions: new Set(functions.map((f) => `${f.domain ?? ''}\u0000${f.name ?? ''}`)),
    nodes: 0,
    initializerBytes: 0,
  };
  checkGraph(model.graph, 0, walk);
  for (const fn of functions) checkNodes(fn.node ?? [], 1, walk);
  for (const info of raw.trainingInfo ?? []) {
    if (info.initialization) checkGraph(info.initialization, 1, walk);
    if (info.algorithm) checkGraph(info.algorithm, 1, walk);
  }
}
