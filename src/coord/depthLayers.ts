// Which layers a coordinate check across depth can judge (issue 22, docs/mup.md "Depth"). The layers differ between
// depths, so only what exists at every depth is compared: the layers outside the repeated blocks (input or
// embedding, final norm, readout: their call site makes one layer at every depth; matched in order, named as at the
// smallest depth) and the residual stream: the output of the last residual addition (`tf.layers.add`) and of the
// additions at matching relative depths (1/4, 1/2, 3/4 of the way through the additions). Pure.
import type { CoordLayer } from './types';

/** A planned layer at one depth, with its class (which additions are residual ones). */
export interface DepthPlannedLayer extends CoordLayer {
  className: string;
}

export interface DepthMatch {
  /** The judged layers, the same at every depth. */
  layers: CoordLayer[];
  /** Per depth: for each judged layer, its position in that depth's plan. */
  pick: Map<number, number[]>;
  notes: string[];
}

/** The relative depths at which the stream is recorded besides the last addition. */
export const STREAM_FRACTIONS: readonly [number, string][] = [
  [0.25, '1/4'],
  [0.5, '1/2'],
  [0.75, '3/4'],
];

export const LAST_STREAM = 'residual stream (last addition)';
export const streamName = (label: string): string => `residual stream at ${label} depth`;

/** What groups the layers one call site makes: its source line, else its name without a trailing number. */
function siteKey(l: CoordLayer): string {
  return l.source ? `${l.source.file}:${l.source.line}` : `name:${l.name.replace(/_?\d+$/, '')}`;
}

const isAddition = (l: DepthPlannedLayer): boolean => l.className === 'Add';

/**
 * Matches the plans of the model built at each depth (`plans` in ascending depth). A call site that makes the same
 * number of layers at every depth is outside the blocks; one whose count changes is inside them.
 */
export function matchAcrossDepths(depths: number[], plans: DepthPlannedLayer[][]): DepthMatch {
  const notes: string[] = [];
  const counts = plans.map((plan) => {
    const c = new Map<string, number>();
    for (const l of plan) c.set(siteKey(l), (c.get(siteKey(l)) ?? 0) + 1);
    return c;
  });
  const fixedSite = (k: string) => counts.every((c) => c.get(k) === counts[0].get(k));
  const outside = plans.map((plan) => plan.map((l, i) => ({ l, i })).filter(({ l }) => !isAddition(l) && fixedSite(siteKey(l))));
  const pickLists = plans.map(() => [] as number[]);
  const layers: CoordLayer[] = [];

  const sameOutside = outside.every((o) => o.length === outside[0].length && o.every(({ l }, k) => l.className === outside[0][k].l.className));
  if (sameOutside) {
    outside[0].forEach(({ l }, k) => {
      layers.push({ name: l.name, role: l.role, source: l.source });
      outside.forEach((o, d) => pickLists[d].push(o[k].i));
    });
  } else {
    // Different outside layers at different depths: keep those present by name at every depth.
    for (const { l } of outside[0]) {
      const at = plans.map((plan) => plan.findIndex((x) => x.name === l.name));
      if (at.some((i) => i < 0)) continue;
      layers.push({ name: l.name, role: l.role, source: l.source });
      at.forEach((i, d) => pickLists[d].push(i));
    }
    notes.push('the layers outside the repeated blocks differ between depths: only those of the same name at every depth are judged');
  }

  const adds = plans.map((plan) => plan.map((l, i) => ({ l, i })).filter(({ l }) => isAddition(l)));
  if (adds.every((a) => a.length > 0)) {
    const first = adds[0][adds[0].length - 1].l;
    const stream = (name: string, pickAt: (n: number) => number) => {
      layers.push({ name, role: 'residual', source: first.source });
      adds.forEach((a, d) => pickLists[d].push(a[pickAt(a.length)].i));
    };
    for (const [f, label] of STREAM_FRACTIONS) stream(streamName(label), (n) => Math.max(0, Math.ceil(f * n) - 1));
    stream(LAST_STREAM, (n) => n - 1);
    const per = depths.map((d, k) => `${adds[k].length} at depth ${d}`).join(', ');
    notes.push(`residual stream: the outputs of the additions (tf.layers.add: ${per}), last and at 1/4, 1/2, 3/4 of the way`);
  } else {
    notes.push('no residual addition (tf.layers.add) at every depth: only the layers outside the repeated blocks are judged');
  }
  const pick = new Map<number, number[]>();
  depths.forEach((d, k) => pick.set(d, pickLists[k]));
  return { layers, pick, notes };
}

/** The fix a failing depth check suggests for a layer (the verdict names it). */
export function depthFix(layer: string, slope: number): string {
  if (layer.startsWith('residual stream') && slope > 0) {
    return 'multiply every residual branch by (depth / baseDepth)^-alpha with the file\'s depth knob: alpha = 1 (CompleteP, arXiv 2505.01618) or 1/2 (depth-muP, arXiv 2310.02244); `branchMultiplier(depth, {baseDepth})` of mup-lens/runtime';
  }
  if (layer.startsWith('residual stream')) {
    return 'the residual stream shrinks with depth: the branches are scaled down more than (depth / baseDepth)^-1 (CompleteP\'s alpha = 1 is the most)';
  }
  return `'${layer}' is outside the blocks: its input grows with depth, so scale the residual branches by (depth / baseDepth)^-alpha (CompleteP alpha = 1)`;
}
