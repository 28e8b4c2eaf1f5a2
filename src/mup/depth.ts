// Transfer across depth (issue 22, docs/mup.md "Depth"): the residual-branch multiplier and the Adam LR and epsilon
// factors of a depth scheme alpha, relative to a base depth (at the base depth every factor is 1: the model and its
// optimizer are what they were). Sources:
//   - alpha = 0: SP, branches x 1, nothing scaled.
//   - alpha = 1/2: depth-muP (Tensor Programs VI, arXiv 2310.02244): branches x L^-1/2, Adam LR of the hidden weights
//     x L^-1/2; SGD LR x 1.
//   - alpha = 1: CompleteP (arXiv 2505.01618, Table 1; EleutherAI nanoGPT-mup branch `completep`, model.py): branches
//     x (L/L_base)^-alpha, Adam LR of the hidden weights x (L/L_base)^(alpha-1) = 1, Adam epsilon x (L/L_base)^-alpha;
//     no depth term in the init.
// The general alpha form is CompleteP's (its alpha = 1/2 is depth-muP). "Hidden weights" are the matrix-like weights
// (two width-sized dimensions), which in a pre-LN residual network are the weights inside the repeated blocks.
import type { DepthOptions, DepthScheme, DepthScales, ParamInfo } from './runtime-types';

/** The named schemes and their alpha. */
export const DEPTH_SCHEMES: Readonly<Record<DepthScheme, number>> = { sp: 0, 'depth-mup': 0.5, completep: 1 };

/** Where each scheme comes from, as the transfer table and the hover text cite it. */
export const DEPTH_SOURCES: Readonly<Record<DepthScheme, string>> = {
  sp: 'SP (no depth scaling)',
  'depth-mup': 'depth-muP, Tensor Programs VI (arXiv 2310.02244)',
  completep: 'CompleteP (arXiv 2505.01618)',
};

/** alpha of a scheme name or a number in [0, 1]; a clear error otherwise. */
export function depthAlpha(scheme: DepthScheme | number | undefined, what = 'alpha'): number {
  if (scheme === undefined) return 1;
  if (typeof scheme === 'number') {
    if (!Number.isFinite(scheme) || scheme < 0 || scheme > 1) throw new RangeError(`${what} must be a number in [0, 1] (0 SP, 0.5 depth-muP, 1 CompleteP), got ${scheme}`);
    return scheme;
  }
  const a = DEPTH_SCHEMES[scheme];
  if (a === undefined) throw new RangeError(`${what} must be 'sp', 'depth-mup', 'completep' or a number in [0, 1], got '${String(scheme)}'`);
  return a;
}

/** The scheme an alpha is (for messages): 'completep' for 1, 'depth-mup' for 0.5, 'sp' for 0, else null. */
export function depthSchemeOf(alpha: number): DepthScheme | null {
  return (Object.keys(DEPTH_SCHEMES) as DepthScheme[]).find((k) => DEPTH_SCHEMES[k] === alpha) ?? null;
}

function positive(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${what} must be a positive number, got ${String(v)}`);
  return v;
}

/** depth / baseDepth, checked. */
export function depthMult(depth: number, baseDepth: number): number {
  return positive('depth', depth) / positive('baseDepth', baseDepth);
}

/**
 * The residual-branch multiplier `(depth / baseDepth)^-alpha` (default alpha 1, CompleteP): multiply every residual
 * branch by it, `h = h + branchMultiplier(depth, {baseDepth}) * f(h)`. 1 at the base depth.
 */
export function branchMultiplier(depth: number, opts: { baseDepth: number; alpha?: DepthScheme | number }): number {
  if (opts == null || typeof opts !== 'object') throw new TypeError('branchMultiplier(depth, {baseDepth, alpha?}): pass the base depth');
  const alpha = depthAlpha(opts.alpha);
  return depthMult(depth, opts.baseDepth) ** -alpha;
}

/**
 * The depth factors of one weight's Adam or SGD group: LR x m^(alpha - 1) on hidden (matrix-like) weights for Adam
 * when alpha > 0 (SP: 1), x 1 for SGD (TP VI derives x 1 for alpha = 1/2; the sources give no other SGD rule), and
 * Adam epsilon x m^-alpha on every weight; m = depth / baseDepth.
 */
export function depthScales(info: Pick<ParamInfo, 'ninf'>, depth: DepthOptions | undefined, optimizer: 'adam' | 'sgd'): DepthScales {
  if (!depth) return { lr: 1, epsilon: 1 };
  const alpha = depthAlpha(depth.alpha);
  if (depth.baseDepth === undefined) throw new TypeError('depthScales: depth.baseDepth is required');
  const m = depthMult(depth.depth, depth.baseDepth);
  if (alpha === 0) return { lr: 1, epsilon: 1 };
  if (optimizer === 'sgd') return { lr: 1, epsilon: 1 };
  return { lr: info.ninf >= 2 ? m ** (alpha - 1) : 1, epsilon: m ** -alpha };
}

/** Checks an optimizer's `depth` option (and fills its base depth from the base shapes): undefined when absent. */
export function checkDepthOption(kind: string, depth: DepthOptions | undefined, baseDepthOfShapes: number | undefined): DepthOptions | undefined {
  if (depth == null) return undefined;
  if (typeof depth !== 'object') throw new TypeError(`${kind}: depth must be {depth, baseDepth?, alpha?}`);
  const baseDepth = depth.baseDepth ?? baseDepthOfShapes;
  if (baseDepth === undefined) {
    throw new TypeError(`${kind}: depth needs a base depth: pass depth.baseDepth, or infer the base shapes with {baseDepth}`);
  }
  positive(`${kind}: depth.depth`, depth.depth);
  positive(`${kind}: depth.baseDepth`, baseDepth);
  return { depth: depth.depth, baseDepth, alpha: depthAlpha(depth.alpha, `${kind}: depth.alpha`) };
}
