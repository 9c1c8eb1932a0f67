import { attr, attrFloat, attrInt, attrInts } from './attributes';
import { TensorType, toInt, type GraphProto, type NodeProto, type TensorProto } from './onnxSchema';
import { tensorDims, tensorValues } from './tensorData';

/**
 * Folds every shape computation of a graph into constants for one concrete
 * input size: Shape and Size of inner tensors (their dims learned from one
 * run), and whatever follows from those, initializers and constants alone
 * (Gather, Slice, Concat, Unsqueeze, Cast, Range, ConstantOfShape, Equal,
 * Where, Expand, arithmetic, ScatterND, …), evaluated here in TypeScript.
 * Exporters (torch.onnx for nn.MultiheadAttention, Swin's window padding,
 * dynamic batch axes) compute Slice bounds, Reshape targets and masks this
 * way; once folded, the gradient rules see constants. Values never depend
 * on the input's values, only on its shape, so the folded graph is the same
 * model for that size.
 */

/** A folded tensor: ONNX element type, dims and values (int64 held as numbers: shapes are small). */
interface Value {
  readonly type: number;
  readonly dims: number[];
  readonly data: number[];
}

/** Larger results (a 1M-element mask) stay computed. */
const MAX_ELEMENTS = 1 << 20;

const INTEGER_TYPES = new Set<number>([TensorType.INT64, TensorType.INT32, TensorType.INT8, TensorType.UINT8]);
const BOOL = TensorType.BOOL;

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function rowStrides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) out[i] = out[i + 1]! * dims[i + 1]!;
  return out;
}

const axisOf = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Reads a constant tensor, including the bool and 8-bit types tensorValues leaves out. */
function readTensor(t: TensorProto): Value | undefined {
  const dims = tensorDims(t);
  if (count(dims) > MAX_ELEMENTS || (t.externalData && t.externalData.length > 0)) return undefined;
  const type = t.dataType ?? 0;
  if (type === BOOL || type === TensorType.UINT8 || type === TensorType.INT8) {
    const raw = t.rawData;
    const data = raw && raw.length > 0 ? Array.from(type === TensorType.INT8 ? new Int8Array(raw.buffer, raw.byteOffset, raw.length) : raw) : [...(t.int32Data ?? [])];
    return { type, dims, data };
  }
  if (type !== TensorType.FLOAT && type !== TensorType.DOUBLE && type !== TensorType.INT64 && type !== TensorType.INT32) return undefined;
  return { type, dims, data: tensorValues(t) };
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64 from a number: the exporters' "to the end" sentinels (±2⁶³ − 1,
 * which doubles round up to ±2⁶³) stay at the int64 limits instead of
 * wrapping round to the other end.
 */
function int64(x: number): bigint {
  const v = BigInt(x);
  return v > INT64_MAX ? INT64_MAX : v < -INT64_MAX - 1n ? -INT64_MAX - 1n : v;
}

/** The tensor proto for a folded value, named as the output it replaces. */
function writeTensor(name: string, v: Value): TensorProto {
  const dims = [...v.dims];
  switch (v.type) {
    case TensorType.FLOAT:
      return { name, dims, dataType: v.type, rawData: new Uint8Array(Float32Array.from(v.data).buffer) };
    case TensorType.DOUBLE:
      return { name, dims, dataType: v.type, rawData: new Uint8Array(Float64Array.from(v.data).buffer) };
    case TensorType.INT64:
      return { name, dims, dataType: v.type, rawData: new Uint8Array(BigInt64Array.from(v.data, int64).buffer) };
    case TensorType.INT32:
      return { name, dims, dataType: v.type, rawData: new Uint8Array(Int32Array.from(v.data).buffer) };
    case TensorType.INT8:
      return { name, dims, dataType: v.type, rawData: new Uint8Array(Int8Array.from(v.data).buffer) };
    default:
      return { name, dims, dataType: v.type, rawData: Uint8Array.from(v.data) };
  }
}

/** Rounds a result to its element type (float32 rounding, integer truncation, bool 0/1). */
function typed(type: number, dims: number[], data: number[]): Value {
  if (type === TensorType.FLOAT) return { type, dims, data: data.map(Math.fround) };
  if (type === BOOL) return { type, dims, data: data.map((x) => (x ? 1 : 0)) };
  if (INTEGER_TYPES.has(type)) return { type, dims, data: data.map((x) => Math.trunc(x)) };
  return { type, dims, data };
}

/** Numpy broadcasting of several values: the output dims and, per input, each output element's source index. */
function broadcast(values: readonly Value[]): { dims: number[]; index: (which: number, flat: number) => number; total: number } {
  const rank = Math.max(...values.map((v) => v.dims.length));
  const dims = Array.from({ length: rank }, (_, i) => {
    let d = 1;
    for (const v of values) {
      const k = v.dims[i - (rank - v.dims.length)] ?? 1;
      if (k !== 1) {
        if (d !== 1 && d !== k) throw new Error(`cannot broadcast [${values.map((x) => x.dims.join(',')).join('] and [')}]`);
        d = k;
      }
    }
    return d;
  });
  const outStrides = rowStrides(dims);
  const inStrides = values.map((v) => {
    const s = rowStrides(v.dims);
    return dims.map((_, i) => {
      const j = i - (rank - v.dims.length);
      return j < 0 || v.dims[j] === 1 ? 0 : s[j]!;
    });
  });
  return {
    dims,
    total: count(dims),
    index: (which, flat) => {
      let rest = flat;
      let source = 0;
      for (let i = 0; i < rank; i++) {
        const k = Math.floor(rest / outStrides[i]!);
        rest -= k * outStrides[i]!;
        source += k * inStrides[which]![i]!;
      }
      return source;
    },
  };
}

/** Refuses (the node stays computed) a result past MAX_ELEMENTS or with a negative or non-integer dim, before anything is allocated. */
function checkSize(dims: readonly number[]): number {
  const total = count(dims);
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || !(total <= MAX_ELEMENTS)) throw new Error(`a folded tensor of dims [${dims.join(', ')}] is refused`);
  return total;
}

function elementwise(values: readonly Value[], type: number, f: (...xs: number[]) => number): Value {
  const b = broadcast(values);
  checkSize(b.dims);
  const data = new Array<number>(b.total);
  for (let i = 0; i < b.total; i++) data[i] = f(...values.map((v, w) => v.data[b.index(w, i)]!));
  return typed(type, b.dims, data);
}

/** Gathers elements of `v` by an index map from output position to flat source. */
function remap(v: Value, dims: number[], source: (outIndex: number[]) => number): Value {
  const total = checkSize(dims);
  const strides = rowStrides(dims);
  const data = new Array<number>(total);
  const idx = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    for (let i = 0; i < dims.length; i++) {
      idx[i] = Math.floor(rest / strides[i]!);
      rest -= idx[i]! * strides[i]!;
    }
    const from = source(idx);
    if (!(from >= 0 && from < v.data.length)) throw new Error('index out of range');
    data[flat] = v.data[from]!;
  }
  return { type: v.type, dims, data };
}

function divide(type: number): (a: number, b: number) => number {
  return INTEGER_TYPES.has(type) ? (a, b) => Math.trunc(a / b) : (a, b) => a / b;
}

function modulo(fmod: boolean): (a: number, b: number) => number {
  return fmod ? (a, b) => a % b : (a, b) => a - b * Math.floor(a / b);
}

function sliceValue(node: NodeProto, x: Value, starts: number[], ends: number[], axesIn?: number[], stepsIn?: number[]): Value {
  const rank = x.dims.length;
  const first = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  const axes = axesIn ?? starts.map((_, i) => i);
  axes.forEach((a, i) => {
    const axis = axisOf(a, rank);
    const dim = x.dims[axis]!;
    const s = stepsIn?.[i] ?? 1;
    if (s === 0) throw new Error(`${node.opType} step 0`);
    let start = starts[i]!;
    let end = ends[i]!;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (s > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, -1), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    first[axis] = start;
    step[axis] = s;
    dims[axis] = Math.max(0, Math.ceil((end - start) / s));
  });
  const strides = rowStrides(x.dims);
  return remap(x, dims, (idx) => idx.reduce((acc, k, i) => acc + (first[i]! + k * step[i]!) * strides[i]!, 0));
}

function reshapeDims(x: Value, target: number[], allowZero: boolean): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? x.dims[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? count(x.dims) / known : d));
}

/** Evaluates one node whose inputs are all known; undefined for an op left computed. */
function evaluate(node: NodeProto, ins: (Value | undefined)[], opset: number): Value[] | undefined {
  const x = ins[0];
  const op = node.opType;
  const ints = (v: Value | undefined): number[] | undefined => v?.data;
  switch (op) {
    case 'Identity':
      return [x!];
    case 'Constant': {
      const t = attr(node, 'value')?.t;
      if (t) {
        const v = readTensor(t);
        return v ? [v] : undefined;
      }
      const one = (name: string, type: number, scalar: boolean): Value[] | undefined => {
        const a = attr(node, name);
        if (!a) return undefined;
        const data = type === TensorType.FLOAT ? (scalar ? [a.f ?? 0] : [...(a.floats ?? [])]) : scalar ? [toInt(a.i)] : (a.ints ?? []).map(toInt);
        return [{ type, dims: scalar ? [] : [data.length], data }];
      };
      return one('value_int', TensorType.INT64, true) ?? one('value_ints', TensorType.INT64, false) ?? one('value_float', TensorType.FLOAT, true) ?? one('value_floats', TensorType.FLOAT, false);
    }
    case 'Cast': {
      const to = attrInt(node, 'to', TensorType.FLOAT);
      if (to !== TensorType.FLOAT && to !== TensorType.DOUBLE && to !== BOOL && !INTEGER_TYPES.has(to)) return undefined;
      return [typed(to, x!.dims, x!.data)];
    }
    case 'Unsqueeze': {
      const axesList = ints(ins[1]) ?? attrInts(node, 'axes') ?? [];
      const rank = x!.dims.length + axesList.length;
      const axes = axesList.map((a) => axisOf(a, rank));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x!.dims[k++]!);
      return [{ ...x!, dims }];
    }
    case 'Squeeze': {
      const given = ints(ins[1]) ?? attrInts(node, 'axes');
      const axes = given ? given.map((a) => axisOf(a, x!.dims.length)) : x!.dims.flatMap((d, i) => (d === 1 ? [i] : []));
      return [{ ...x!, dims: x!.dims.filter((_, i) => !axes.includes(i)) }];
    }
    case 'Flatten': {
      const axis = axisOf(attrInt(node, 'axis', 1), x!.dims.length);
      return [{ ...x!, dims: [count(x!.dims.slice(0, axis)), count(x!.dims.slice(axis))] }];
    }
    case 'Reshape':
      return [{ ...x!, dims: reshapeDims(x!, ins[1]!.data, attrInt(node, 'allowzero', 0) === 1) }];
    case 'Concat': {
      const parts = ins.filter((v): v is Value => v !== undefined);
      const rank = parts[0]!.dims.length;
      const axis = axisOf(attrInt(node, 'axis', 0), rank);
      const dims = [...parts[0]!.dims];
      dims[axis] = parts.reduce((acc, p) => acc + p.dims[axis]!, 0);
      const outer = count(dims.slice(0, axis));
      const data: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const block = count(p.dims.slice(axis));
          for (let i = 0; i < block; i++) data.push(p.data[o * block + i]!);
        }
      }
      return [{ type: parts[0]!.type, dims, data }];
    }
    case 'Gather': {
      const idx = ins[1]!;
      const axis = axisOf(attrInt(node, 'axis', 0), x!.dims.length);
      const dims = [...x!.dims.slice(0, axis), ...idx.dims, ...x!.dims.slice(axis + 1)];
      const strides = rowStrides(x!.dims);
      const idxStrides = rowStrides(idx.dims);
      return [
        remap(x!, dims, (o) => {
          let flatIdx = 0;
          for (let i = 0; i < idx.dims.length; i++) flatIdx += o[axis + i]! * idxStrides[i]!;
          let k = idx.data[flatIdx]!;
          if (k < 0) k += x!.dims[axis]!;
          let source = k * strides[axis]!;
          for (let i = 0; i < axis; i++) source += o[i]! * strides[i]!;
          for (let i = axis + 1; i < x!.dims.length; i++) source += o[i + idx.dims.length - 1]! * strides[i]!;
          return source;
        }),
      ];
    }
    case 'Slice':
      if (opset < 10) return [sliceValue(node, x!, attrInts(node, 'starts')!, attrInts(node, 'ends')!, attrInts(node, 'axes'))];
      return [sliceValue(node, x!, ins[1]!.data, ins[2]!.data, ints(ins[3]), ints(ins[4]))];
    case 'Transpose': {
      const rank = x!.dims.length;
      const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      const strides = rowStrides(x!.dims);
      return [
        remap(
          x!,
          perm.map((p) => x!.dims[p]!),
          (o) => o.reduce((acc, k, i) => acc + k * strides[perm[i]!]!, 0),
        ),
      ];
    }
    case 'Expand': {
      const shape = ins[1]!.data;
      const b = broadcast([x!, { type: TensorType.INT64, dims: shape, data: [] }]);
      return [
        remap(x!, b.dims, (o) =>
          b.index(
            0,
            o.reduce((acc, k, i) => acc * b.dims[i]! + k, 0),
          ),
        ),
      ];
    }
    case 'Tile': {
      const reps = ins[1]!.data;
      const dims = x!.dims.map((d, i) => d * reps[i]!);
      const strides = rowStrides(x!.dims);
      return [remap(x!, dims, (o) => o.reduce((acc, k, i) => acc + (k % x!.dims[i]!) * strides[i]!, 0))];
    }
    case 'ConstantOfShape': {
      const t = attr(node, 'value')?.t;
      const fill = t ? readTensor(t) : undefined;
      const dims = x!.data;
      return [{ type: fill?.type ?? TensorType.FLOAT, dims: [...dims], data: new Array<number>(checkSize(dims)).fill(fill?.data[0] ?? 0) }];
    }
    case 'Range': {
      const [start, limit, delta] = [x!.data[0]!, ins[1]!.data[0]!, ins[2]!.data[0]!];
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      checkSize([n]);
      return [
        typed(
          x!.type,
          [n],
          Array.from({ length: n }, (_, i) => start + i * delta),
        ),
      ];
    }
    case 'ScatterND': {
      if (attr(node, 'reduction') && new TextDecoder().decode(attr(node, 'reduction')!.s) !== 'none') return undefined;
      const [indices, updates] = [ins[1]!, ins[2]!];
      const k = indices.dims.at(-1)!;
      const strides = rowStrides(x!.dims);
      const block = count(x!.dims.slice(k));
      const data = [...x!.data];
      const rows = count(indices.dims.slice(0, -1));
      for (let r = 0; r < rows; r++) {
        let offset = 0;
        for (let j = 0; j < k; j++) {
          let i = indices.data[r * k + j]!;
          if (i < 0) i += x!.dims[j]!;
          offset += i * strides[j]!;
        }
        for (let e = 0; e < block; e++) data[offset + e] = updates.data[r * block + e]!;
      }
      return [{ ...x!, data }];
    }
    case 'ReduceProd':
    case 'ReduceSum':
    case 'ReduceMax':
    case 'ReduceMin': {
      const rank = x!.dims.length;
      const given = (op === 'ReduceSum' || opset >= 18 ? ints(ins[1]) : undefined) ?? attrInts(node, 'axes');
      const axes = given && given.length > 0 ? given.map((a) => axisOf(a, rank)) : x!.dims.map((_, i) => i);
      const keep = attrInt(node, 'keepdims', 1) === 1;
      const kept = x!.dims.map((d, i) => (axes.includes(i) ? 1 : d));
      const init = op === 'ReduceProd' ? 1 : op === 'ReduceSum' ? 0 : op === 'ReduceMax' ? -Infinity : Infinity;
      const f = op === 'ReduceProd' ? (a: number, b: number) => a * b : op === 'ReduceSum' ? (a: number, b: number) => a + b : op === 'ReduceMax' ? Math.max : Math.min;
      const data = new Array<number>(count(kept)).fill(init);
      const strides = rowStrides(x!.dims);
      const keptStrides = rowStrides(kept);
      x!.data.forEach((v, flat) => {
        let rest = flat;
        let target = 0;
        for (let i = 0; i < rank; i++) {
          const k = Math.floor(rest / strides[i]!);
          rest -= k * strides[i]!;
          if (!axes.includes(i)) target += k * keptStrides[i]!;
        }
        data[target] = f(data[target]!, v);
      });
      return [typed(x!.type, keep ? kept : x!.dims.filter((_, i) => !axes.includes(i)), data)];
    }
    case 'Shape':
    case 'Size':
      return undefined;
    default:
      break;
  }
  const values = ins.filter((v): v is Value => v !== undefined);
  const t = x?.type ?? TensorType.FLOAT;
  const binary: Record<string, [number, (...xs: number[]) => number]> = {
    Add: [t, (a, b) => a + b],
    Sub: [t, (a, b) => a - b],
    Mul: [t, (a, b) => a * b],
    Div: [t, divide(t)],
    Mod: [t, modulo(attrInt(node, 'fmod', 0) === 1)],
    Pow: [t, (a, b) => a ** b],
    Equal: [BOOL, (a, b) => Number(a === b)],
    Less: [BOOL, (a, b) => Number(a < b)],
    LessOrEqual: [BOOL, (a, b) => Number(a <= b)],
    Greater: [BOOL, (a, b) => Number(a > b)],
    GreaterOrEqual: [BOOL, (a, b) => Number(a >= b)],
    And: [BOOL, (a, b) => Number(a && b)],
    Or: [BOOL, (a, b) => Number(a || b)],
    Xor: [BOOL, (a, b) => Number(Boolean(a) !== Boolean(b))],
    Max: [t, Math.max],
    Min: [t, Math.min],
    Sum: [t, (...xs) => xs.reduce((a, b) => a + b, 0)],
    Where: [ins[1]?.type ?? t, (c, a, b) => (c ? a : b)],
    Not: [BOOL, (a) => Number(!a)],
    Neg: [t, (a) => -a],
    Abs: [t, Math.abs],
    Floor: [t, Math.floor],
    Ceil: [t, Math.ceil],
    Sqrt: [t, Math.sqrt],
    Reciprocal: [t, (a) => 1 / a],
    Sign: [t, Math.sign],
    Relu: [t, (a) => Math.max(a, 0)],
    Clip: [t, (a, lo = -Infinity, hi = Infinity) => Math.min(Math.max(a, lo), hi)],
  };
  const entry = binary[op];
  if (!entry) return undefined;
  if (op === 'Clip' && opset < 11) return [elementwise([x!], t, (a) => Math.min(Math.max(a, attrFloat(node, 'min', -Infinity)), attrFloat(node, 'max', Infinity)))];
  return [elementwise(values, entry[0], entry[1])];
}

/** Every tensor name the nodes read, including from inside If/Loop/Scan bodies (which may name outer tensors). */
function readsOf(nodes: readonly NodeProto[], into: Set<string>): Set<string> {
  for (const node of nodes) {
    for (const name of node.input) if (name) into.add(name);
    for (const a of node.attribute) {
      for (const body of [a.g, ...(a.graphs ?? [])] as (GraphProto | undefined)[]) {
        if (!body) continue;
        readsOf(body.node ?? [], into);
        for (const o of body.output ?? []) into.add(o.name);
      }
    }
  }
  return into;
}

/** A result that can stand as an initializer: its dims and values agree, integers are finite (an int 0/0 is left to the runtime). */
function storable(v: Value): boolean {
  if (count(v.dims) > MAX_ELEMENTS || v.data.length !== count(v.dims)) return false;
  return v.type === TensorType.FLOAT || v.type === TensorType.DOUBLE ? v.data.every((x) => typeof x === 'number') : v.data.every(Number.isFinite);
}

/** The ops `evaluate` knows (Shape and Size are answered from runtime dims). */
const EVALUATED = new Set(
  'Identity Constant Cast Unsqueeze Squeeze Flatten Reshape Concat Gather Slice Transpose Expand Tile ConstantOfShape Range ScatterND ReduceProd ReduceSum ReduceMax ReduceMin Add Sub Mul Div Mod Pow Equal Less LessOrEqual Greater GreaterOrEqual And Or Xor Max Min Sum Where Not Neg Abs Floor Ceil Sqrt Reciprocal Sign Relu Clip'.split(
    ' ',
  ),
);

/** The tensors whose runtime dims folding needs: inputs of Shape and Size nodes that are not constants. */
export function shapeQueries(graph: GraphProto): string[] {
  const constants = new Set(graph.initializer.map((t) => t.name));
  for (const node of graph.node) if (node.opType === 'Constant') node.output.forEach((o) => constants.add(o));
  const names = new Set<string>();
  for (const node of graph.node) {
    if ((node.opType === 'Shape' || node.opType === 'Size') && node.input[0] && !constants.has(node.input[0])) names.add(node.input[0]);
  }
  return [...names];
}

export interface FoldResult {
  /** Computed tensors replaced by constants. */
  readonly folded: number;
  /** Nodes removed (folded, or left with no consumer). */
  readonly removed: number;
}

/**
 * Replaces, in place, every node whose outputs depend only on constants and
 * on tensor shapes by initializers holding those outputs, then drops the
 * nodes nothing reads any more. `dims` gives the runtime dims of every
 * tensor `shapeQueries` named (and of the graph inputs) for one input size.
 */
export function foldShapes(graph: GraphProto, dims: ReadonlyMap<string, readonly number[]>, opset: number): FoldResult {
  const known = new Map<string, Value>();
  const initializers = new Map(graph.initializer.filter((t) => t.name).map((t) => [t.name!, t]));
  const lookup = (name: string): Value | undefined => {
    if (!name) return undefined;
    const hit = known.get(name);
    if (hit) return hit;
    const init = initializers.get(name);
    const value = init ? readTensor(init) : undefined;
    if (value) known.set(name, value);
    return value;
  };
  const dimsOf = (name: string): number[] | undefined => {
    const given = dims.get(name);
    if (given) return [...given];
    const init = initializers.get(name);
    return init ? tensorDims(init) : known.get(name)?.dims;
  };
  const foldedNodes = new Set<NodeProto>();
  for (const node of graph.node) {
    if (node.domain && node.domain !== 'ai.onnx') continue;
    let out: Value[] | undefined;
    try {
      if (node.opType === 'Shape' || node.opType === 'Size') {
        const d = node.input[0] ? dimsOf(node.input[0]) : undefined;
        if (!d) continue;
        if (node.opType === 'Size') out = [{ type: TensorType.INT64, dims: [], data: [count(d)] }];
        else {
          const rank = d.length;
          const clampAxis = (a: number): number => Math.min(Math.max(axisOf(a, rank), 0), rank);
          const start = clampAxis(attrInt(node, 'start', 0));
          const end = attr(node, 'end') ? clampAxis(attrInt(node, 'end', rank)) : rank;
          const data = d.slice(start, Math.max(start, end));
          out = [{ type: TensorType.INT64, dims: [data.length], data }];
        }
      } else {
        if (!EVALUATED.has(node.opType) || (node.opType !== 'Constant' && node.input.filter(Boolean).length === 0)) continue;
        if (node.input.some((name) => name && !known.has(name) && !initializers.has(name))) continue;
        const ins = node.input.map(lookup);
        if (node.input.some((name, i) => name && !ins[i])) continue;
        out = evaluate(node, ins, opset);
      }
    } catch {
      out = undefined;
    }
    if (!out || out.length !== node.output.filter(Boolean).length || !out.every(storable)) continue;
    node.output.forEach((name, i) => name && known.set(name, out![i]!));
    if (node.opType !== 'Constant') foldedNodes.add(node);
  }

  // Every remaining consumer of a folded output reads it as an initializer instead.
  const kept = graph.node.filter((n) => !foldedNodes.has(n));
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const needed = readsOf(kept, new Set(graphOutputs));
  let folded = 0;
  for (const node of foldedNodes) {
    for (const name of node.output) {
      if (!name || !needed.has(name)) continue;
      graph.initializer.push(writeTensor(name, known.get(name)!));
      folded++;
    }
  }
  // Drop nodes (Shape of an inner tensor, constants) that nothing reads any more.
  let live = kept;
  let read = needed;
  for (;;) {
    const next = live.filter((n) => n.output.some((o) => o && read.has(o)));
    if (next.length === live.length) break;
    live = next;
    read = readsOf(live, new Set(graphOutputs));
  }
  const before = graph.node.length;
  graph.node.splice(0, graph.node.length, ...live);
  const inputs = new Set(graph.input.map((i) => i.name));
  graph.initializer.splice(0, graph.initializer.length, ...graph.initializer.filter((t) => !t.name || read.has(t.name) || inputs.has(t.name)));
  return { folded, removed: before - live.length };
}
