// `--refine` (issue 21, docs/sweeps.md "Refining"): the LRs of a second pass, at quarter octaves around each
// width's fitted optimum, so that the shift is measured finer than the one-octave rule it is judged by. Pure.

/** The refined grid's step, octaves. */
export const REFINE_STEP = 0.25;
/** How far either side of the fitted optimum the refined LRs reach, octaves. */
export const REFINE_HALF_WIDTH = 0.75;

/**
 * Per width (keyed by width), the LRs 2^(k/4) within REFINE_HALF_WIDTH of the width's fitted optimum that the
 * grid lacks, inside the grid's range. A width whose optimum sits at the grid's edge gets none: the range must be
 * extended there, not refined.
 */
export function refineLrs(optima: { width: number; fittedLog2Lr: number; atEdge: boolean }[], lrs: number[]): Record<string, number[]> {
  const have = lrs.map(Math.log2);
  const lo = Math.min(...have);
  const hi = Math.max(...have);
  const out: Record<string, number[]> = {};
  for (const o of optima) {
    if (o.atEdge || !Number.isFinite(o.fittedLog2Lr)) continue;
    const extra: number[] = [];
    const from = Math.ceil((o.fittedLog2Lr - REFINE_HALF_WIDTH) / REFINE_STEP - 1e-9);
    const to = Math.floor((o.fittedLog2Lr + REFINE_HALF_WIDTH) / REFINE_STEP + 1e-9);
    for (let k = from; k <= to; k++) {
      const e = k * REFINE_STEP;
      if (e < lo - 1e-9 || e > hi + 1e-9 || have.some((h) => Math.abs(h - e) < 1e-9)) continue;
      extra.push(2 ** e);
    }
    if (extra.length) out[String(o.width)] = extra;
  }
  return out;
}
