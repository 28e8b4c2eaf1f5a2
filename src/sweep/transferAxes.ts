// Transfer to a target that differs from the proxy on every axis (issue 22; docs/sweeps.md "Transfer across axes"):
// each factor of the tuned LR written out with its rule and its source, and a warning where the target lies far
// outside what the sweep measured. Pure: it reads the sweep's report (its axes, when it swept any) and the target.
//   width:  per weight, muP's rule (Tensor Programs V): the file's params, as in version 1.
//   depth:  the scheme alpha the model implements (its branches x (L/L_base)^-alpha): hidden Adam LR x
//           (L/L_proxy)^(alpha-1), Adam epsilon x (L/L_proxy)^-alpha (CompleteP arXiv 2505.01618; depth-muP arXiv
//           2310.02244); applied per group by MuAdam's `depth` option, not to the base LR.
//   batch:  Adam's square-root rule, LR x sqrt(B/B_proxy) (Malladi et al. 2022, arXiv 2205.10287), up to the
//           critical batch size.
//   steps:  the horizon exponent the sweep's steps axis measured, LR x (S/S_proxy)^beta (arXiv 2409.19913); not
//           measured: x 1 and said so.
//   seqLen: no rule in the sources: x 1, with what the sweep's seqLen axis showed (or that it was not swept).
import type { TransferAxes, TransferFactor, TransferFile } from '../mup/runtime-types';
import type { SweepAxisName } from './axes';
import type { SweepReport } from './types';

/** A target this many times beyond the largest value trained is far outside what was measured. */
export const FAR_OUTSIDE = 16;

export interface TargetAxes {
  depth?: number;
  batch?: number;
  steps?: number;
  seqLen?: number;
  /** The depth scheme the model implements (0 SP, 0.5 depth-muP, 1 CompleteP); default the sweep's (result.json
   *  depthScheme), else 1. */
  alpha?: number;
  /** The proxy's values on axes the sweep did not vary (the sweep trained at one value the report cannot know). */
  proxyDepth?: number;
  proxyBatch?: number;
  proxySeqLen?: number;
}

export class TransferAxesError extends Error {}

const ALPHA_SOURCE = (a: number) =>
  a === 1 ? 'CompleteP (arXiv 2505.01618)' : a === 0.5 ? 'depth-muP, Tensor Programs VI (arXiv 2310.02244)' : a === 0 ? 'SP in depth (no depth rule: nothing transfers across depth)' : `CompleteP's general alpha = ${a} (arXiv 2505.01618)`;

const swept = (r: SweepReport, name: SweepAxisName) => r.axisGrid?.find((a) => a.name === name)?.values;
const result = (r: SweepReport, name: SweepAxisName) => r.axes?.find((a) => a.name === name);
const n3 = (x: number) => Number(x.toPrecision(3));

/** The factors, the proxy and target points, the warnings; and the file's `depth` when the target has a depth. */
export function transferAxes(r: SweepReport, tunedLr: number, proxyWidth: number, targetWidth: number, t: TargetAxes): { axes: TransferAxes; depth: TransferFile['depth'] } {
  const factors: TransferFactor[] = [];
  const warnings: string[] = [];
  const proxy: TransferAxes['proxy'] = { width: proxyWidth };
  const target: TransferAxes['target'] = { width: targetWidth };
  const far = (axis: string, value: number, trained: number[]) => {
    const max = Math.max(...trained);
    if (value > FAR_OUTSIDE * max) warnings.push(`the target's ${axis} (${value}) is ${n3(value / max)}x the largest ${axis} the sweep trained (${max}): far outside what was measured, so its factor is an extrapolation`);
  };
  factors.push({ axis: 'width', factor: 1, applied: true, rule: `per weight (the table): hidden (width x width) weights lr / width_mult, the others lr; width ${proxyWidth} -> ${targetWidth}`, source: 'muP, Tensor Programs V (arXiv 2203.03466)' });

  let depth: TransferFile['depth'];
  if (t.depth !== undefined) {
    const grid = swept(r, 'depth');
    const base = grid?.[0] ?? t.proxyDepth;
    if (base === undefined) throw new TransferAxesError('--depth: the sweep did not vary depth, so give the depth it trained at: --proxy-depth N');
    // The scheme the sweep's depth axis trained with (result.json depthScheme) unless told; CompleteP without one.
    const trained = r.depthScheme?.alpha;
    const alpha = t.alpha ?? trained ?? 1;
    if (t.alpha !== undefined && trained !== undefined && t.alpha !== trained) {
      warnings.push(`--alpha ${t.alpha} is not the alpha ${trained} the sweep trained its depths with (its MuAdam's depth factors): the optimum it measured across depth holds for alpha ${trained}; transferring with ${t.alpha} applies factors the sweep never used`);
    }
    if (grid && r.parametrization === 'mup' && r.depthScheme === undefined && alpha > 0) {
      warnings.push(`the sweep's depths trained without MuAdam's depth factors (written before sweep --alpha): its optimum across depth is not measured under the alpha ${alpha} rule the transfer applies; sweep again to measure it with them`);
    }
    const m = t.depth / base;
    proxy.depth = base;
    target.depth = t.depth;
    const lrFactor = alpha === 0 ? 1 : m ** (alpha - 1);
    factors.push({
      axis: 'depth', factor: lrFactor, applied: true,
      rule: alpha === 0
        ? `depth ${base} -> ${t.depth}: SP in depth (alpha 0): no factor, and no rule that makes the LR carry across depth`
        : `depth ${base} -> ${t.depth} (x${n3(m)}), alpha ${alpha}: hidden weights' Adam LR x (L/L_proxy)^(alpha-1) = ${n3(lrFactor)} (per group, MuAdam's depth option), Adam epsilon x (L/L_proxy)^-alpha = ${n3(m ** -alpha)}, residual branches x (L/L_base)^-alpha in the model`,
      source: ALPHA_SOURCE(alpha),
    });
    depth = { baseDepth: base, targetDepth: t.depth, alpha, branchMultiplier: m ** -alpha };
    far('depth', t.depth, grid ?? [base]);
    const res = result(r, 'depth');
    if (res && !res.ok) warnings.push(`the sweep's depth axis did not pass (${res.verdict[0] ?? ''}): the transferred values may not carry to depth ${t.depth}`);
    if (!grid) warnings.push(`depth was not swept: the transfer across depth rests on the model implementing alpha ${alpha}; check it with mup-lens coord --depths`);
  }

  let lr = tunedLr;
  if (t.batch !== undefined) {
    const grid = swept(r, 'batch');
    const base = grid?.[0] ?? t.proxyBatch;
    if (base === undefined) throw new TransferAxesError('--batch: the sweep did not vary the batch size, so give the batch it trained with: --proxy-batch N');
    const f = Math.sqrt(t.batch / base);
    proxy.batch = base;
    target.batch = t.batch;
    lr *= f;
    factors.push({ axis: 'batch', factor: f, applied: true, rule: `batch ${base} -> ${t.batch}: Adam LR x sqrt(B/B_proxy) = ${n3(f)} (square-root rule; holds up to the critical batch size)`, source: 'Malladi et al. 2022 (arXiv 2205.10287)' });
    far('batch', t.batch, grid ?? [base]);
    const sr = result(r, 'batch')?.sqrtRule;
    if (sr && !sr.follows) warnings.push(`the sweep's batch axis did not follow the square-root rule (measured ${sr.measuredOctaves} octaves, the rule ${sr.predictedOctaves}): the batch factor is uncertain`);
  }

  if (t.steps !== undefined) {
    const grid = swept(r, 'steps');
    const base = grid?.[0] ?? r.steps;
    const ex = result(r, 'steps')?.exponent;
    proxy.steps = base;
    target.steps = t.steps;
    if (ex) {
      const f = (t.steps / base) ** ex.beta;
      const range = ex.se !== null ? ` (one standard error: x${n3((t.steps / base) ** (ex.beta + ex.se))}..x${n3((t.steps / base) ** (ex.beta - ex.se))})` : '';
      lr *= f;
      factors.push({ axis: 'steps', factor: f, applied: true, rule: `steps ${base} -> ${t.steps}: LR x (S/S_proxy)^beta, beta = ${ex.beta}${ex.se !== null ? ` +- ${ex.se}` : ''} measured by the sweep's steps axis: x${n3(f)}${range}`, source: 'measured here (the power law of arXiv 2409.19913)' });
    } else {
      factors.push({ axis: 'steps', factor: 1, applied: false, rule: `steps ${base} -> ${t.steps}: not measured: sweep the steps axis (mup-lens sweep --steps-axis ...) to fit the horizon exponent; the best LR falls with training length even under muP`, source: 'arXiv 2409.19913' });
    }
    far('steps', t.steps, grid ?? [base]);
  }

  if (t.seqLen !== undefined) {
    const grid = swept(r, 'seqLen');
    const base = grid?.[0] ?? t.proxySeqLen;
    if (base !== undefined) proxy.seqLen = base;
    target.seqLen = t.seqLen;
    const res = result(r, 'seqLen');
    factors.push({
      axis: 'seqLen', factor: 1, applied: res?.ok === true,
      rule: res ? `sequence length ${base} -> ${t.seqLen}: x 1; the sweep's seqLen axis ${res.ok ? 'transfers' : 'did not pass'} (${res.verdict[1] ?? res.verdict[0] ?? ''})` : `sequence length ${base ?? '(proxy unknown)'} -> ${t.seqLen}: not measured: sweep --seq-lens; x 1 (no rule in the sources)`,
      source: 'measured here (the seed checked it empirically, Tensor Programs V)',
    });
    if (grid || base !== undefined) far('sequence length', t.seqLen, grid ?? [base!]);
  }
  return { axes: { proxy, target, lr: { value: lr, factors }, warnings }, ...(depth ? { depth } : { depth: undefined }) };
}

/** The factor lines as the CLI prints them. */
export function formatFactors(a: TransferAxes, tunedLr: number): string[] {
  const lines = [`LR at the target: the tuned ${tunedLr.toPrecision(3)} x every factor = ${a.lr.value.toPrecision(3)} (base LR; the width and depth factors apply per weight group):`];
  for (const f of a.lr.factors) lines.push(`  ${f.axis.padEnd(7)} ${f.applied ? `x${n3(f.factor)}`.padEnd(8) : 'x1 (n/a)'} ${f.rule} [${f.source}]`);
  return lines;
}
