/**
 * Seeded byte mutations. The same (seed, target, iteration) always gives the
 * same input, so a failure is replayed from three numbers and a seed file.
 */

/** mulberry32: small, fast and good enough to pick mutations. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One 32-bit seed from a run seed, a target name and an iteration. */
export function inputSeed(seed: number, target: string, iteration: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (const c of `${target}#${iteration}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

type Random = () => number;
const int = (random: Random, below: number): number => Math.floor(random() * Math.max(1, below));

/** Values that sit on the edges of length and count fields. */
const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function bitFlip(bytes: Uint8Array, random: Random): Uint8Array {
  const out = bytes.slice();
  const flips = 1 + int(random, 8);
  for (let k = 0; k < flips && out.length > 0; k++) out[int(random, out.length)]! ^= 1 << int(random, 8);
  return out;
}

function byteInsert(bytes: Uint8Array, random: Random): Uint8Array {
  const at = int(random, bytes.length + 1);
  const extra = Uint8Array.from({ length: 1 + int(random, 16) }, () => int(random, 256));
  return concat(bytes.subarray(0, at), extra, bytes.subarray(at));
}

function byteDelete(bytes: Uint8Array, random: Random): Uint8Array {
  const at = int(random, bytes.length);
  return concat(bytes.subarray(0, at), bytes.subarray(at + 1 + int(random, 16)));
}

function chunkDuplicate(bytes: Uint8Array, random: Random): Uint8Array {
  const start = int(random, bytes.length);
  const end = Math.min(bytes.length, start + 1 + int(random, 256));
  const at = int(random, bytes.length + 1);
  return concat(bytes.subarray(0, at), bytes.subarray(start, end), bytes.subarray(at));
}

/** Overwrites a 16- or 32-bit word, either endianness, with an edge value or a nudge of what was there. */
function lengthTweak(bytes: Uint8Array, random: Random): Uint8Array {
  const width = random() < 0.5 ? 2 : 4;
  if (bytes.length < width) return bitFlip(bytes, random);
  const out = bytes.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const at = int(random, out.length - width + 1);
  const little = random() < 0.5;
  const old = width === 2 ? view.getUint16(at, little) : view.getUint32(at, little);
  const pick = random();
  const value = pick < 0.5 ? INTERESTING[int(random, INTERESTING.length)]! : pick < 0.75 ? old + 1 + int(random, 16) : old - 1 - int(random, 16);
  if (width === 2) view.setUint16(at, value & 0xffff, little);
  else view.setUint32(at, value >>> 0, little);
  return out;
}

function truncate(bytes: Uint8Array, random: Random): Uint8Array {
  return bytes.slice(0, int(random, bytes.length));
}

/** Swaps a run of digits, a quote or a bracket: reaches JSON and cell-text states that byte noise rarely does. */
function textTweak(bytes: Uint8Array, random: Random): Uint8Array {
  const tokens = ['"', '\\', '{', '}', '[', ']', ',', ':', '=', '\n', ' ', '#', '-1', '1e309', 'null', '0', '99999999999', '\u2028', '"x"'];
  const token = new TextEncoder().encode(tokens[int(random, tokens.length)]!);
  const at = int(random, bytes.length + 1);
  const drop = int(random, 4);
  return concat(bytes.subarray(0, at), token, bytes.subarray(Math.min(bytes.length, at + drop)));
}

const MUTATORS = [bitFlip, byteInsert, byteDelete, chunkDuplicate, lengthTweak, truncate];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Applies 1–4 stacked mutations; `text` adds token-level edits for JSON and cell sources. */
export function mutate(seedBytes: Uint8Array, seed: number, text: boolean): Uint8Array {
  const random = rng(seed);
  const mutators = text ? [...MUTATORS, textTweak, textTweak] : MUTATORS;
  // A plain copy: Buffer#slice shares memory, and the seed must never change between inputs.
  let bytes: Uint8Array = new Uint8Array(seedBytes);
  const rounds = 1 + int(random, 4);
  for (let k = 0; k < rounds; k++) bytes = mutators[int(random, mutators.length)]!(bytes, random);
  return bytes;
}
