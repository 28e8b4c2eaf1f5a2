// What a store line or a sweep's result.json can hold, checked when it is read back (issue 20 item 2): values that
// no trial or analysis of mup-lens produces (a negative or non-numeric loss, an LR <= 0 or outside the swept grid, an
// HP value off its axis) mean the file was edited or damaged, and a conclusion drawn from them would be confidently
// wrong. Each check returns the first problem as words for one line, or null. Pure: no I/O.

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const positive = (x: unknown): x is number => finite(x) && x > 0;
const posInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0;
const show = (x: unknown): string => (typeof x === 'string' ? JSON.stringify(x) : x === undefined ? 'missing' : String(JSON.stringify(x) ?? x));
/** Within `[lo, hi]`, up to rounding (values pass through JSON and 2 ** log2). */
const within = (x: number, lo: number, hi: number): boolean => x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9);
const among = (x: number, values: readonly number[]): boolean => values.some((v) => Math.abs(v - x) <= 1e-9 * Math.abs(v));

/** A trial's loss: a finite number >= 0 (every loss mup-lens trains with is), or diverged (then any). */
export function lossProblem(loss: unknown, diverged: unknown): string | null {
  if (typeof diverged !== 'boolean') return `"diverged" is ${show(diverged)}, not true or false`;
  if (diverged) return null;
  if (!finite(loss) || loss < 0) return `the loss is ${show(loss)} (a trial's loss is a finite number >= 0, or it diverged)`;
  return null;
}

/** A depth scheme (`depthScheme` of a store line or result.json): alpha in [0, 1], a positive integer base depth. */
function depthSchemeProblem(d: unknown): string | null {
  if (!isObj(d) || !finite(d.alpha) || d.alpha < 0 || d.alpha > 1 || !posInt(d.baseDepth)) return `depthScheme is ${show(d)}, not {alpha in [0, 1], baseDepth a positive integer}`;
  return null;
}

/** A store line (src/host/sweepStore.ts StoredTrial), beyond its shape: the identity's numbers and the outcome. */
export function storedTrialProblem(rec: { identity: Record<string, unknown>; outcome: Record<string, unknown> }): string | null {
  const id = rec.identity;
  if (!posInt(id.width)) return `its width is ${show(id.width)}, not a positive integer`;
  if (!positive(id.lr)) return `its lr is ${show(id.lr)}, not a number > 0`;
  if (!Number.isInteger(id.seed) || (id.seed as number) < 0) return `its seed is ${show(id.seed)}, not an integer >= 0`;
  if (!posInt(id.steps)) return `its steps are ${show(id.steps)}, not a positive integer`;
  if (id.hp !== undefined) {
    if (!isObj(id.hp)) return `its hp is ${show(id.hp)}, not an object`;
    for (const [k, v] of Object.entries(id.hp)) if (!positive(v)) return `its ${k} is ${show(v)}, not a number > 0`;
  }
  // issue 22: a trial's values on the axes beyond width (depth, batch, seqLen, steps)
  if (id.axes !== undefined) {
    if (!isObj(id.axes)) return `its axes are ${show(id.axes)}, not an object`;
    for (const [k, v] of Object.entries(id.axes)) if (!posInt(v)) return `its ${k} is ${show(v)}, not a positive integer`;
  }
  if (id.depthScheme !== undefined) {
    const p = depthSchemeProblem(id.depthScheme);
    if (p) return `its ${p}`;
  }
  return lossProblem(rec.outcome.loss, rec.outcome.diverged);
}

/**
 * A sweep's result.json as the transfer reads it: every trial, optimum and HP optimum checked against the grid that
 * produced it (an optimum's LR is one of `lrs`, its fitted LR between the grid's ends, as the parabola's vertex is
 * clamped there; the same for each HP axis).
 */
export function sweepReportProblem(r: Record<string, unknown>): string | null {
  const widths = r.widths;
  const lrs = r.lrs;
  if (!Array.isArray(widths) || widths.length === 0 || !widths.every(posInt)) return `"widths" is ${show(widths)}, not a list of positive integers`;
  if (!Array.isArray(lrs) || lrs.length === 0 || !lrs.every(positive)) return `"lrs" is ${show(lrs)}, not a list of learning rates > 0`;
  if (!posInt(r.baseWidth)) return `"baseWidth" is ${show(r.baseWidth)}, not a positive integer`;
  if (!posInt(r.steps)) return `"steps" is ${show(r.steps)}, not a positive integer`;
  if (r.depthScheme !== undefined && r.depthScheme !== null) {
    const p = depthSchemeProblem(r.depthScheme);
    if (p) return p;
  }
  const lo = Math.min(...(lrs as number[]));
  const hi = Math.max(...(lrs as number[]));
  for (const [i, t] of (r.trials as unknown[]).entries()) {
    if (!isObj(t)) return `trials[${i}] is not a trial`;
    const p = lossProblem(t.loss, t.diverged);
    if (p) return `trials[${i}]: ${p}`;
    if (!posInt(t.width) || !positive(t.lr)) return `trials[${i}]: width ${show(t.width)}, lr ${show(t.lr)} (a width is a positive integer, an lr a number > 0)`;
  }
  for (const [i, o] of (r.optimum as unknown[]).entries()) {
    if (!isObj(o)) return `optimum[${i}] is not an optimum`;
    const at = `optimum[${i}]`;
    if (!posInt(o.width) || !among(o.width, widths as number[])) return `${at}: width ${show(o.width)} is not one of the swept widths`;
    if (!positive(o.lr) || !among(o.lr, lrs as number[])) return `${at}: lr ${show(o.lr)} is not one of the swept LRs`;
    if (o.fittedLr !== undefined && o.fittedLr !== null && (!positive(o.fittedLr) || !within(o.fittedLr, lo, hi))) {
      return `${at}: fittedLr ${show(o.fittedLr)} is not between the grid's ends ${lo} and ${hi}`;
    }
    if (!finite(o.loss) || o.loss < 0) return `${at}: loss ${show(o.loss)} (a finite number >= 0)`;
  }
  if (r.hps !== undefined) {
    if (!Array.isArray(r.hps)) return `"hps" is ${show(r.hps)}, not a list`;
    for (const h of r.hps as unknown[]) {
      if (!isObj(h) || typeof h.name !== 'string' || !Array.isArray(h.values) || !h.values.every(positive) || !Array.isArray(h.optimum)) return `"hps" holds ${show(h)}, not an axis (name, values > 0, optimum)`;
      const values = h.values as number[];
      const vlo = Math.min(...values);
      const vhi = Math.max(...values);
      for (const [i, o] of (h.optimum as unknown[]).entries()) {
        const at = `hps ${h.name} optimum[${i}]`;
        if (!isObj(o) || !posInt(o.width) || !among(o.width, widths as number[])) return `${at}: not an optimum at a swept width`;
        if (!positive(o.value) || !among(o.value, values)) return `${at}: value ${show(o.value)} is not one of the axis's values`;
        if (!positive(o.fittedValue) || !within(o.fittedValue, vlo, vhi)) return `${at}: fittedValue ${show(o.fittedValue)} is not between the axis's ends ${vlo} and ${vhi}`;
      }
    }
  }
  return null;
}
