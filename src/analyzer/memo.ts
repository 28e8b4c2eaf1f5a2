// Memos that live for one analysis, kept in a table that the analysis allocates and drops.
//
// They were module-level WeakMaps keyed by the analysis's own objects (its facts, its source file, its nodes). Any
// long-lived container that is handed a file's objects costs more than it looks. V8's young-generation collector
// (a scavenge) takes the pointers from old objects into the young generation as roots without asking whether the
// old object is still reachable; measured, a module-level WeakMap's entries and the entries a module-level Map's
// `clear` leaves behind both acted so. Each file's facts or index, and through them its whole syntax tree (parent
// pointers reach all of it), then survived every scavenge until the next full collection: copied, promoted, and
// collected late. With the file index alone memoised that way, the parse, the walk and the bindings of 60
// GPT-style files cost 2.6x a bare parse instead of 1.35x (issue 24, docs/architecture.md). Here the memos of an
// analysis hang off one table made when it starts; when it ends the one pointer to that table is cleared, and the
// table dies young with the tree. (Outside an analysis a memo remembers nothing: each question is answered afresh.)
// The caches that should outlive an analysis (the keystroke caches: source.ts's trees, collect.ts's fragments,
// bindings.ts's callee paths) hold the files being edited, on purpose, and stay where they are.

let current: (Map<unknown, unknown> | undefined)[] | undefined;
let slots = 0;

export interface AnalysisMemo<K, V> {
  get(key: K): V | undefined;
  has(key: K): boolean;
  set(key: K, value: V): void;
}

class Memo<K, V> implements AnalysisMemo<K, V> {
  constructor(private readonly slot: number) {}
  get(key: K): V | undefined {
    const m = current?.[this.slot];
    return m === undefined ? undefined : (m.get(key) as V | undefined);
  }
  has(key: K): boolean {
    const m = current?.[this.slot];
    return m !== undefined && m.has(key);
  }
  set(key: K, value: V): void {
    if (current === undefined) return;
    let m = current[this.slot];
    if (m === undefined) current[this.slot] = m = new Map();
    m.set(key, value);
  }
}

/** A memo for one analysis at a time. Declare at module level, once. */
export function analysisMemo<K, V>(): AnalysisMemo<K, V> {
  return new Memo<K, V>(slots++);
}

/** Starts an analysis's memos (`analyze` calls this; the earlier analysis's, if any, are dropped). */
export function beginAnalysis(): void {
  current = [];
}

/** Drops the analysis's memos (`analyze` calls this as it returns, whatever the outcome). */
export function endAnalysis(): void {
  current = undefined;
}
