// Out-of-memory failures of tfjs, told apart from other errors: the engines keep the smaller widths' results when
// a larger one runs out of memory, and the worker reports it as such instead of as a bug in the user's code.

/** Matches `out of memory` failures of tfjs (cpu: typed array allocation; wasm: Memory.grow / abort). */
export function isOutOfMemory(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  // `OOM` only as a word and in capitals: case-insensitive, it matched a user's "boom" / "room" / "zoom".
  return (
    /out of memory|Array buffer allocation failed|Invalid typed array length|WebAssembly\.Memory|Cannot enlarge memory|memory access out of bounds/i.test(
      text,
    ) || /\bOOM\b/.test(text)
  );
}
