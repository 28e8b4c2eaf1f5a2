// One layer, several uses (interprocedural flow, docs/rules.md#interprocedural): a helper that adds a layer to
// a model passed in (`function addDense(model, units) { model.add(tf.layers.dense({units})) }`) adds it once
// per call, and each call gives the helper's parameters its own arguments: `for (...) addDense(model,
// hiddenUnits)` then `addDense(model, outputUnits)` adds hidden layers and then a readout, from one line of
// code. The layer's own role (roles.ts) is what it is over all its calls (a hidden layer here); this finds
// the calls at which it is a readout, following the model's order per call (sequence.ts) and the sizes with
// each call's arguments in place of the parameters, through helpers that call helpers (models.ts' `via`).
// Only the models of files that have such helpers are looked at, each once, in order: linear in their adds.
import ts = require('typescript');
import { returnsOf, type FileIndex } from './attention/fileIndex';
import { PROJECTION_OUT, type LayerIndex, type LayerRec } from './discovery';
import type { Roles } from './roles';
import type { Sequences } from './sequence';
import type { Shapes } from './shape';
import { configProp, enclosingFunction, unwrap } from './source';
import type { WidthModel } from './width';

/** How many arguments deep a size is followed out through the calls (operands included). */
const MAX_DEPTH = 16;

/** One call of a helper at which the layer it adds (or applies to the stream it is given) is a readout. */
export interface UseReadout {
  /** The helper call in the caller's code (the outermost, when helpers call helpers). */
  call: ts.CallExpression;
  /** The model the call adds to, as the caller passes it; undefined for a helper run on a stream. */
  model: ts.Expression | undefined;
  /** Whether the layer's output is what `call` returns (a stream helper called directly): the fix wraps the call. */
  returnsOutput: boolean;
  /** The size that feeds it, written in the model's code (the argument a width-sized use before it was given). */
  fanInExpr: ts.Expression | undefined;
  /** Its output size as this call gives it (the argument for the helper's `units`), in the model's code when it can be. */
  outExpr: ts.Expression | undefined;
}

export function findUseReadouts(index: LayerIndex, seq: Sequences, shapes: Shapes, roles: Roles, w: WidthModel, ix: FileIndex): Map<LayerRec, UseReadout[]> {
  const found = new Map<LayerRec, UseReadout[]>();
  const sizes = new CallSizes(w, ix);
  for (const { list, sites } of index.helperModels) {
    if (!sites.some((s) => s.kind === 'add' && s.via)) continue;
    const outs = new Map<number, boolean>();
    const busy = new Set<number>();
    const viaOf = (i: number): readonly ts.CallExpression[] => {
      const s = sites[i];
      return s.kind === 'add' && s.via ? s.via : [];
    };
    // (after another layer of the model, a layer's `inputShape` is not used: tfjs takes it from the first layer
    // only, so `inputShape: first ? [8] : undefined` in a helper does not matter at its later calls)
    const fanInAt = (i: number): boolean => {
      const preds = list[i].wrapper ? [] : seq.before(sites, i);
      return preds.length > 0 ? preds.some((p) => outAt(p)) : shapes.fanIn(list[i]).scales;
    };
    const outAt = (i: number): boolean => {
      let r = outs.get(i);
      if (r !== undefined) return r;
      if (busy.has(i)) return false;
      busy.add(i);
      const rec = list[i];
      const via = viaOf(i);
      const outKey = rec.category === 'projection' ? PROJECTION_OUT[rec.ctor] : rec.category === 'embedding' ? 'outputDim' : undefined;
      if (via.length === 0 || rec.inner || rec.category === 'custom' || rec.category === 'runtimeReadout' || rec.ctor === 'reshape') r = shapes.out(rec).scales;
      else if (outKey) {
        const e = configProp(rec.config, outKey);
        r = w.isDerived(e) ? sizes.derivedAt(e, via, 0) : shapes.out(rec).scales;
      }
      else r = fanInAt(i); // norms, activations, dropout: their input's size at this use
      busy.delete(i);
      outs.set(i, r);
      return r;
    };
    for (let i = 0; i < list.length; i++) {
      const rec = list[i];
      const site = sites[i];
      if (site.kind !== 'add' || !site.via || rec.category !== 'projection' || rec.role === 'readout' || rec.inner || rec.wrapper) continue;
      if (outAt(i) || !fanInAt(i)) continue;
      // scaled at this use: a width rescaling on every path in, or one always right after it
      const preds = seq.before(sites, i);
      if (preds.length > 0 && preds.every((p) => roles.isWidthRescaling(list[p]))) continue;
      const next = seq.after(sites, i);
      if (next !== undefined && roles.isWidthRescaling(list[next])) continue;
      const feeding = preds.find((p) => outAt(p));
      const use: UseReadout = {
        call: site.node,
        model: site.model,
        returnsOutput: false,
        fanInExpr: feeding === undefined ? undefined : sizes.lift(outExprOf(list[feeding], feeding), viaOf(feeding)),
        outExpr: sizes.lift(configProp(rec.config, PROJECTION_OUT[rec.ctor]), site.via) ?? configProp(rec.config, PROJECTION_OUT[rec.ctor]),
      };
      note(found, rec, use);
    }
    function outExprOf(rec: LayerRec, i: number): ts.Expression | undefined {
      if (rec.category === 'projection') return configProp(rec.config, PROJECTION_OUT[rec.ctor]);
      if (rec.category === 'embedding') return configProp(rec.config, 'outputDim');
      // (a norm or dropout passes on the size of the layer before it)
      const p = seq.before(sites, i).find((j) => j < i && outAt(j));
      return p === undefined ? undefined : sizes.lift(outExprOf(list[p], p), viaOf(p));
    }
  }
  findStreamUses(found, index, shapes, roles, w, ix, sizes);
  return found;
}

function note(found: Map<LayerRec, UseReadout[]>, rec: LayerRec, use: UseReadout): void {
  let uses = found.get(rec);
  if (!uses) found.set(rec, (uses = []));
  uses.push(use);
}

/** How many chains of calls (helpers calling helpers) one stream helper's layer is judged at. */
const MAX_CHAINS = 32;

/**
 * The same for a helper run on a stream (`function denseBlock(x, units) { return tf.layers.dense({units}).apply(x) }`,
 * `h = denseBlock(h, hiddenUnits)` then `denseBlock(h, numClasses)`): its layer at each chain of calls that
 * reaches it, fed by the tensor the call passes for the stream.
 */
function findStreamUses(found: Map<LayerRec, UseReadout[]>, index: LayerIndex, shapes: Shapes, roles: Roles, w: WidthModel, ix: FileIndex, sizes: CallSizes): void {
  for (const rec of index.layers) {
    if (rec.category !== 'projection' || rec.role === 'readout' || rec.seq || rec.wrapper || rec.applies.length !== 1 || !rec.fanOut) continue;
    const apply = rec.applies[0];
    const fn = enclosingFunction(apply);
    const input = apply.arguments[0] && unwrap(apply.arguments[0]);
    const outExpr = configProp(rec.config, PROJECTION_OUT[rec.ctor]);
    if (!fn || !input || !ts.isIdentifier(input) || !w.isDerived(outExpr) || enclosingFunction(rec.node) !== fn) continue;
    const xi = sizes.paramOf(input, fn);
    if (xi < 0) continue;
    for (const chain of sizes.chainsTo(fn, MAX_CHAINS)) {
      const call = chain[chain.length - 1];
      const fed = call.arguments[xi] && shapes.tensorSize(call.arguments[xi]);
      if (!fed?.scales || sizes.derivedAt(outExpr, chain, 0)) continue;
      // (a rescaling of what the outermost call returns: `tf.layers.rescaling({...}).apply(denseBlock(h, n))`)
      const returnsOutput = chain.length === 1 && returnsOf(fn).some((r) => unwrap(r) === apply);
      if (returnsOutput && roles.isScaledUse(chain[0], 0)) continue;
      note(found, rec, { call: chain[0], model: undefined, returnsOutput, fanInExpr: sizes.lift(fed.expr, chain.slice(0, -1)), outExpr: sizes.lift(outExpr, chain) ?? outExpr });
    }
  }
}

/** Sizes inside a helper at one chain of calls: its parameters stand for what the calls pass. */
class CallSizes {
  /** Per helper and parameter index: whether some call of the file passes a width there. */
  private readonly widthPassed = new Map<ts.FunctionLikeDeclaration, Map<number, boolean>>();

  constructor(
    private readonly w: WidthModel,
    private readonly ix: FileIndex,
  ) {}

  /**
   * Whether `e`, written in the helper that the last call of `via` runs, grows with the width at those calls.
   * A parameter is what the call passes, when some call of the helper passes a width there (so that another
   * passing a fixed size makes a difference); else its name decides, as anywhere (docs/rules.md: a name
   * spelled like a width is a knob whatever its value).
   */
  derivedAt(e: ts.Expression | undefined, via: readonly ts.CallExpression[], depth: number): boolean {
    if (!e) return false;
    if (via.length === 0 || depth > MAX_DEPTH) return this.w.isDerived(e);
    const call = via[via.length - 1];
    const fn = this.ix.resolveCall(call);
    if (!fn) return this.w.isDerived(e);
    const u = unwrap(e);
    if (ts.isIdentifier(u)) {
      const i = this.paramIndex(u, fn);
      if (i < 0) {
        // a local of the helper: what it holds there
        const v = this.ix.latest(u.text, u);
        return v && !this.w.isWidthName(u.text) && enclosingFunction(v) === fn ? this.derivedAt(v, via, depth + 1) : this.w.isDerived(u);
      }
      if (!this.passesWidth(fn, i)) return this.w.isDerived(u);
      const arg = call.arguments[i];
      if (arg && !ts.isSpreadElement(arg)) return this.derivedAt(arg, via.slice(0, -1), depth + 1);
      return this.derivedAt(fn.parameters[i].initializer, via, depth + 1);
    }
    if (ts.isBinaryExpression(u)) return this.derivedAt(u.left, via, depth + 1) || this.derivedAt(u.right, via, depth + 1);
    if (ts.isConditionalExpression(u)) return this.derivedAt(u.whenTrue, via, depth + 1) || this.derivedAt(u.whenFalse, via, depth + 1);
    if (ts.isPrefixUnaryExpression(u)) return this.derivedAt(u.operand, via, depth + 1);
    // (`Math.floor(units / 2)`, `Number(units)`: as the width model reads a call)
    if (ts.isCallExpression(u)) return u.arguments.some((a) => !ts.isObjectLiteralExpression(a) && this.derivedAt(a, via, depth + 1));
    return this.w.isDerived(u);
  }

  /**
   * `e`, written in the helper that the last call of `via` runs, as the code around the first call can
   * write it: a parameter is replaced by what the call passes, through every call; undefined when a part of
   * it cannot be named there (a local of the helper).
   */
  lift(e: ts.Expression | undefined, via: readonly ts.CallExpression[]): ts.Expression | undefined {
    let x = e;
    for (let k = via.length - 1; k >= 0 && x; k--) {
      const fn = this.ix.resolveCall(via[k]);
      const u: ts.Expression = unwrap(x);
      if (!fn) return undefined;
      if (!ts.isIdentifier(u)) return enclosingFunction(u) === fn ? undefined : u;
      const i = this.paramIndex(u, fn);
      if (i < 0) return enclosingFunction(u) === fn && this.ix.latest(u.text, u) !== undefined ? undefined : u;
      const arg = via[k].arguments[i];
      x = arg && !ts.isSpreadElement(arg) ? arg : fn.parameters[i].initializer;
    }
    return x;
  }

  /** The index of the parameter of `fn` that `id` reads, or -1. */
  paramOf(id: ts.Identifier, fn: ts.FunctionLikeDeclaration): number {
    return this.paramIndex(id, fn);
  }

  /**
   * The chains of calls that run `fn`, outermost first: each call of it, and, where that call is in a helper
   * of the file that is called itself, the chains to that helper before it (at most `max` chains).
   */
  chainsTo(fn: ts.FunctionLikeDeclaration, max: number, depth = 0): ts.CallExpression[][] {
    const out: ts.CallExpression[][] = [];
    for (const c of this.ix.callersOf(fn)) {
      const outer = enclosingFunction(c);
      const up = outer && outer !== fn && depth < 4 && this.ix.callersOf(outer).length > 0 ? this.chainsTo(outer, max - out.length, depth + 1) : [];
      if (up.length === 0) out.push([c]);
      for (const u of up) out.push([...u, c]);
      if (out.length >= max) break;
    }
    return out.slice(0, max);
  }

  /** The index of the parameter of `fn` that `id` reads (no local of that name in between), or -1. */
  private paramIndex(id: ts.Identifier, fn: ts.FunctionLikeDeclaration): number {
    for (let f = enclosingFunction(id); f; f = enclosingFunction(f)) {
      const i = f.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
      if (i >= 0) {
        if (f !== fn || fn.parameters[i].dotDotDotToken) return -1;
        // re-assigned in the helper before this read: a local value, not the argument
        const v = this.ix.latest(id.text, id);
        return v === undefined || v === fn.parameters[i].initializer ? i : -1;
      }
    }
    return -1;
  }

  private passesWidth(fn: ts.FunctionLikeDeclaration, i: number): boolean {
    let m = this.widthPassed.get(fn);
    if (!m) this.widthPassed.set(fn, (m = new Map()));
    let r = m.get(i);
    if (r === undefined) m.set(i, (r = this.ix.callersOf(fn).some((c) => !!c.arguments[i] && this.w.isDerived(c.arguments[i]))));
    return r;
  }
}
