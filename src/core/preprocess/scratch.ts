/**
 * A float buffer reused across calls, for an intermediate that lives only
 * inside one synchronous call on every model input (a fresh one each time is
 * a zeroed allocation the garbage collector then tracks). Above 1 M floats a
 * fresh one is returned, so one huge image does not pin memory. The contents
 * are whatever the last call left: the caller writes every value it reads.
 */
export function scratchBuffer(): (length: number) => Float32Array {
  let kept = new Float32Array(0);
  return (length) => {
    if (length > 1 << 20) return new Float32Array(length);
    if (kept.length < length) kept = new Float32Array(length);
    return kept;
  };
}
