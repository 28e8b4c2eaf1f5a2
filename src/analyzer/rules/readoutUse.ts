// mup/readout-not-scaled (and mup/init-fan-avg) for a layer that a helper adds to a model passed in (or applies
// to the stream it is given), at the calls where it is a readout while its other calls make it a hidden layer
// (helperUses.ts): `for (...) addDense(model, hiddenUnits)` then `addDense(model, outputUnits)`. The finding is
// on the helper's layer line (the one line that builds it) and names the call; the fix rescales after that
// call in the caller (a rescaling added to the model, or applied to what the call returns), never in the
// helper (where it would rescale the hidden layers of the other calls too).
import ts = require('typescript');
import { baseText, makeFinding, type Ctx } from '../context';
import type { LayerRec, UseReadout } from '../layers';
import { statementOf } from '../controlFlow';
import { indentAt, insertAt, replaceNode } from '../source';
import type { Finding, Fix, TextEdit } from '../types';
import { lastElementOf, sizeKnobAt } from './readoutWidth';

/** Where a use is, for messages: `addDenseLayer(...) on line 30`. */
function callText(ctx: Ctx, u: UseReadout): string {
  const c = u.call;
  const line = ctx.sf.getLineAndCharacterOfPosition(c.getStart(ctx.sf)).line + 1;
  return `${c.expression.getText(ctx.sf)}(...) on line ${line}`;
}

/** The knob the rescaling divides by, as the caller can write it: the width that feeds this use. */
function knobAt(ctx: Ctx, u: UseReadout): string | undefined {
  // (else, as for any readout, the width knob of the function around the call)
  const k = sizeKnobAt(ctx, u.fanInExpr, u.call) ?? ctx.w.localWidthRefAt(u.call);
  return k && lastElementOf(ctx, k);
}

export function useReadoutRule(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const [rec, uses] of ctx.layers.useReadouts) {
    const base = baseText(ctx);
    const first = uses[0];
    const width = knobAt(ctx, first) ?? 'width';
    const calls = [...new Set(uses.map((u) => callText(ctx, u)))].join(', ');
    const label = rec.name ? `readout '${rec.name}'` : 'readout';
    const message =
      `${label} at the call ${calls} (not a readout at the helper's other calls; fan-in grows with width, ` +
      `fan-out ${first.outExpr ? first.outExpr.getText(ctx.sf) : 'fixed'}) is not muP-scaled: its output must be multiplied by ` +
      `1/width_mult (base ${ctx.baseWidth}: scale ${ctx.baseWidth}/${width}), else its output grows with width after the first update`;
    const fixes: Fix[] = [];
    const edits: TextEdit[] = [];
    const ref = ctx.b.refTo('tf.layers.rescaling');
    let scaleText: string | undefined;
    for (const u of uses) {
      if (edits.length > 0 && uses.some((v) => v !== u && v.call === u.call && uses.indexOf(v) < uses.indexOf(u))) continue;
      const knob = knobAt(ctx, u);
      if (!knob || (!u.model && !u.returnsOutput)) {
        edits.length = 0;
        break;
      }
      const scale = `${base} / ${knob}`;
      scaleText ??= scale;
      if (u.model) {
        // a model passed in: a rescaling added right after the call
        const stmt = statementOf(u.call);
        edits.push(insertAt(ctx.sf, stmt.end, `\n${indentAt(ctx.sf, stmt.getStart(ctx.sf))}${u.model.getText(ctx.sf)}.add(${ref.text}({ scale: ${scale} }));`));
      } else {
        // a stream helper whose result is the layer's output: the rescaling applied to what the call returns
        edits.push(replaceNode(ctx.sf, u.call, `${ref.text}({ scale: ${scale} }).apply(${u.call.getText(ctx.sf)})`));
      }
    }
    if (edits.length > 0) {
      fixes.push({ title: `Insert ${ref.text}({ scale: ${scaleText} }) after the readout's call (1/width_mult)`, edits: [...ref.edits, ...edits], isPreferred: true });
    }
    out.push(makeFinding(ctx, 'mup/readout-not-scaled', rec.node, message, fixes));
  }
  return out;
}

/**
 * The readout use of a helper's layer on the fan-average default: said, without a fix (zeros in the helper
 * would zero the hidden layers its other calls add; the readout needs its own initializer, passed in).
 */
export function useReadoutInitFinding(ctx: Ctx, rec: LayerRec, initLabel: string): Finding | undefined {
  const uses = ctx.layers.useReadouts.get(rec);
  if (!uses || !ts.isCallExpression(rec.node)) return undefined;
  const message =
    `readout layer${rec.name ? ` '${rec.name}'` : ''} at the call ${[...new Set(uses.map((u) => callText(ctx, u)))].join(', ')} uses ${initLabel}, a fan-average init: ` +
    `its variance 2/(fan_in+fan_out) changes as width grows; muP wants zeros (or a variance constant in width) on the readout ` +
    `(not a readout at the helper's other calls: pass the readout's kernelInitializer in at this call)`;
  return makeFinding(ctx, 'mup/init-fan-avg', rec.node, message, []);
}
