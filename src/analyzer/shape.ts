// Shapes: the size of each layer's input (its fan-in) and output (its fan-out, the last dimension it
// produces), and the last dimension of tensor expressions. One walk returns a size: the expression that
// sets it where it is written out (`units: 4 * width`, the last element of an `inputShape`), and whether it
// grows with the width knob; every "does it scale" answer of the analyzer is read off these sizes.
// Sizes follow sequential models (the layers that can come before), `.apply()` chains through local
// variables, wrappers, `tf.input` shapes, reshapes with a written-out last dimension and elementwise ops.
import ts = require('typescript');
import { type FileIndex, returnsOf } from './attention/fileIndex';
import type { Bindings } from './bindings';
import type { Gaps } from './incomplete';
import { PROJECTION_OUT, type LayerIndex, type LayerRec } from './discovery';
import type { Sequences } from './sequence';
import { configProp, enclosingFunction, unwrap } from './source';
import type { Values } from './values';
import type { WidthModel } from './width';

/** Ops whose output has the last dimension of their input: the expression that sets it carries over. */
const SHAPE_KEEPING = new Set(['relu', 'gelu', 'tanh', 'sigmoid', 'elu', 'selu', 'relu6', 'leakyRelu', 'neg', 'abs', 'square', 'exp', 'add', 'sub', 'mul', 'div', 'dropout', 'clone', 'identity']);

/** Methods by which a block or sub-model is run on a tensor (not a known layer's `apply`). */
const BLOCK_CALLS = new Set(['call', 'apply', 'forward']);

/** How many steps a tensor expression is followed back (names, ops, layers it goes through). */
const MAX_TENSOR_STEPS = 12;
/**
 * How many layers deep one size is followed back through the layers before it (each level is up to ~30
 * calls: the tensor steps in between). Sizes are worked out in source order and remembered, so a model of
 * thousands of layers written in order never comes near it; layers defined in the reverse of the order
 * they are used can. Past it the size is unknown and the file gets a mup/analysis-incomplete finding.
 */
export const MAX_LAYER_CHAIN = 120;

export interface Size {
  /** Whether the size grows with the width knob. */
  scales: boolean;
  /**
   * The expression that sets the size, when it is written out (its value at a given width is the size);
   * undefined when only whether it scales is known (a custom layer, an op that changes the shape).
   */
  expr: ts.Expression | undefined;
}

const FIXED: Size = { scales: false, expr: undefined };
const SCALES: Size = { scales: true, expr: undefined };

export class Shapes {
  private readonly fanInMemo = new Map<LayerRec, Size>();
  private readonly busy = new Set<LayerRec>();
  private readonly tensorMemo = new Map<ts.Node, Size | undefined>();
  /** How many `fanIn` calls are open (a size followed back through that many layers). */
  private depth = 0;

  constructor(
    private readonly index: LayerIndex,
    private readonly seq: Sequences,
    private readonly b: Bindings,
    private readonly w: WidthModel,
    private readonly values: Values,
    private readonly gaps: Gaps,
    private readonly ix: FileIndex,
  ) {}

  private size(e: ts.Expression | undefined): Size {
    if (e && !this.w.isDerived(e)) {
      // `units: x.shape[x.shape.length - 1]`: the size of that tensor (a feed-forward layer that maps back
      // to its input's size)
      const t = this.shapeRead(e);
      if (t) return { scales: t.scales, expr: e };
    }
    return { scales: this.w.isDerived(e), expr: e };
  }

  /** The size a tensor's shape is read for (`x.shape[2]`, `x.shape[x.shape.length - 1]`, `x.shape.at(-1)`). */
  private shapeRead(e0: ts.Expression): Size | undefined {
    const e = unwrap(e0);
    let shape: ts.Expression | undefined;
    if (ts.isElementAccessExpression(e)) shape = unwrap(e.expression);
    else if (ts.isCallExpression(e) && e.arguments.length === 1) {
      const c = unwrap(e.expression);
      if (ts.isPropertyAccessExpression(c) && c.name.text === 'at') shape = unwrap(c.expression);
    }
    if (!shape || !ts.isPropertyAccessExpression(shape) || shape.name.text !== 'shape') return undefined;
    return this.tensor(shape.expression, 1);
  }

  /** The size of a tensor expression (its last dimension), when it can be worked out. */
  tensorSize(e: ts.Expression): Size | undefined {
    return this.tensor(e, 0);
  }

  /**
   * A layer's input size: `inputShape`/`inputDim` in its config, the output size of the layer before it in a
   * sequential model (any of them that scales, with adds in branches), or the tensor it is applied to.
   */
  fanIn(rec: LayerRec): Size {
    const m = this.fanInMemo.get(rec);
    if (m !== undefined) return m;
    // (a layer whose input is, through others, its own output)
    if (this.busy.has(rec)) return FIXED;
    if (this.depth >= MAX_LAYER_CHAIN) {
      // not remembered: asked again from nearer, it can be worked out
      this.gaps.bound(`the size of this layer depends on a chain of more than ${MAX_LAYER_CHAIN} layers before it, which was not followed to its end`, rec.node.getStart());
      return FIXED;
    }
    this.busy.add(rec);
    this.depth++;
    try {
      const r = this.computeFanIn(rec);
      this.fanInMemo.set(rec, r);
      return r;
    } finally {
      this.depth--;
      this.busy.delete(rec);
    }
  }

  private computeFanIn(rec: LayerRec): Size {
    if (rec.category === 'embedding') return this.size(configProp(rec.config, 'inputDim'));
    // a runtime readout is a readout by construction; a custom layer scales when its config does
    if (rec.category === 'runtimeReadout') return SCALES;
    if (rec.category === 'custom' && !rec.keepsShape) return this.customScales(rec) ? SCALES : FIXED;
    const c = rec.config;
    const shape = configProp(c, 'inputShape') ?? configProp(c, 'batchInputShape');
    if (shape) {
      const s = unwrap(shape);
      if (ts.isArrayLiteralExpression(s) && s.elements.length > 0) return this.size(s.elements[s.elements.length - 1]);
      return { scales: this.w.isDerived(s), expr: undefined };
    }
    const dim = configProp(c, 'inputDim');
    if (dim) return this.size(dim);
    if (rec.wrapper) return this.fanIn(rec.wrapper);
    if (rec.seq) {
      const preds = this.seq.predecessors(rec);
      const p = preds.find((x) => this.out(x).scales) ?? preds[0];
      return p ? this.out(p) : FIXED;
    }
    const input = rec.applies.length > 0 ? rec.applies[0].arguments[0] : rec.helperInputs[0];
    if (input) {
      const t = this.tensor(input, 0);
      if (t) return t;
    }
    // Unknown input (a function parameter, `inputs` of a custom layer's call()): inside code that is
    // configured by a width knob, tensors are width-sized unless shown otherwise.
    return this.w.widthRefAt(rec.node) !== undefined ? SCALES : FIXED;
  }

  /** A layer's output size (last dimension). */
  out(rec: LayerRec): Size {
    // a wrapper's output is that of the layer it wraps (wrappers of wrappers: a loop, they can nest deep)
    while (rec.inner) rec = rec.inner;
    switch (rec.category) {
      case 'projection':
        return this.size(configProp(rec.config, PROJECTION_OUT[rec.ctor]));
      case 'embedding':
        return this.size(configProp(rec.config, 'outputDim'));
      case 'runtimeReadout':
        // its output is the fixed side of a readout, whatever `units` is
        return { scales: false, expr: configProp(rec.config, 'units') };
      case 'custom':
        // (a shape-keeping layer of the file's own: the size of its input)
        return rec.keepsShape ? this.fanIn(rec) : this.customScales(rec) ? SCALES : FIXED;
      default: {
        // a reshape layer whose target's last dimension is written out (`targetShape: [channelCount, 1]`)
        if (rec.ctor === 'reshape') {
          const t = configProp(rec.config, 'targetShape');
          const last = t && this.writtenLastDim(unwrap(t));
          if (last) return this.size(last);
        }
        // norms, activations, dropout: the size of their input
        return this.fanIn(rec);
      }
    }
  }

  /** A custom layer scales when any of its constructor arguments (or config values) is width-derived. */
  private customScales(rec: LayerRec): boolean {
    const args = rec.node.arguments ?? [];
    for (const a of args) {
      const u = unwrap(a);
      if (ts.isObjectLiteralExpression(u)) {
        for (const p of u.properties) {
          if (ts.isPropertyAssignment(p) && this.w.isDerived(p.initializer)) return true;
          if (ts.isShorthandPropertyAssignment(p) && this.w.isDerived(p.name)) return true;
        }
      } else if (this.w.isDerived(u)) return true;
    }
    return false;
  }

  /** The last dimension of a tensor expression; undefined when it cannot be worked out. */
  private tensor(e: ts.Expression | undefined, depth: number): Size | undefined {
    if (!e || depth > MAX_TENSOR_STEPS) return undefined;
    e = unwrap(e);
    if (this.tensorMemo.has(e)) return this.tensorMemo.get(e);
    const r = this.computeTensor(e, depth);
    this.tensorMemo.set(e, r);
    return r;
  }

  private computeTensor(e: ts.Expression, depth: number): Size | undefined {
    if (ts.isIdentifier(e)) {
      const a = this.values.latestAssignment(e.text, e);
      if (a) return ts.isBindingElement(a as ts.Node) ? undefined : this.tensor(a, depth + 1);
      // a parameter of a function of the file (a block helper's `x`): what its callers pass there
      return this.anyOf(this.ix.argumentsFor(e), depth + 2);
    }
    // elementwise ops of a list (`tf.layers.add().apply([x, h])`): every element has the size
    if (ts.isArrayLiteralExpression(e)) return this.anyOf(e.elements, depth + 1);
    // either arm (`Array.isArray(m.output) ? m.output[0] : m.output`)
    if (ts.isConditionalExpression(e)) return this.anyOf([e.whenTrue, e.whenFalse], depth + 1);
    // the output of a model that comes from outside the file (a pretrained base passed in or loaded)
    if (this.modelOutput(e, depth) === 'external') return FIXED;
    if (!ts.isCallExpression(e)) return undefined;
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') {
      const rec = this.index.layerOf(callee.expression);
      if (rec) return !rec.inner && (rec.category === 'norm' || rec.category === 'passthrough' || rec.keepsShape) ? this.tensor(e.arguments[0], depth + 1) : this.out(rec);
    }
    // an apply-helper (`project(this.denseQ, q)`): the output of the layer it applies
    const viaHelper = this.index.helperCalls.get(e);
    if (viaHelper) return !viaHelper.inner && (viaHelper.category === 'norm' || viaHelper.category === 'passthrough') ? this.tensor(viaHelper.helperInputs[0], depth + 1) : this.out(viaHelper);
    const path = this.b.qualify(callee);
    if (path === 'tf.input' || path === 'tf.layers.input') {
      const c = e.arguments[0] && unwrap(e.arguments[0]);
      const shape = c && ts.isObjectLiteralExpression(c) ? configProp(c, 'shape') ?? configProp(c, 'batchShape') : undefined;
      const s = shape && unwrap(shape);
      return s && ts.isArrayLiteralExpression(s) && s.elements.length ? this.size(s.elements[s.elements.length - 1]) : FIXED;
    }
    const last = this.reshapeLastDim(e, path);
    if (last) return this.size(last);
    if (!path && (ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword))) {
      // a helper of the file run on the stream (`y = decoderLayer(enc, y, cfg)`): the size of what it returns
      const helper = this.ix.resolveCall(e);
      const r = helper && depth < MAX_TENSOR_STEPS - 2 ? this.anyOf(returnsOf(helper), depth + 2) : undefined;
      if (r) return r;
    }
    // Ops and helper functions: the shape follows the receiver of a method, else the first argument; only
    // elementwise ops keep the expression that sets it (concat, matMul, a helper: whether it scales only).
    // A block or sub-model called on the stream (`x = block.call(x)`, `x = this.blocks[i].apply(x)`, a
    // module from another file): its output has the width of its input, as a residual block's does.
    const blockCall = !path && ts.isPropertyAccessExpression(callee) && BLOCK_CALLS.has(callee.name.text) && e.arguments.length > 0;
    const from = blockCall ? e.arguments[0] : ts.isPropertyAccessExpression(callee) && !path ? callee.expression : e.arguments[0];
    const t = this.tensor(from, depth + 1);
    if (!t) return undefined;
    const m = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    return SHAPE_KEEPING.has(m) || blockCall ? t : t.scales ? SCALES : FIXED;
  }

  /**
   * Whether `e` reads an output of a model the file does not build: `m.output`, `m.outputs[0]`,
   * `m.output[0]`, `m.layers[i].output`, `m.getLayer('x').output`, `m.layers.find(...).output`, where `m` is
   * a parameter no call of the file passes anything to (a pretrained base handed in) or a loaded model
   * (`await tf.loadLayersModel(url)`). Its sizes are that model's, fixed in this file's width.
   */
  private modelOutput(e: ts.Expression, depth: number): 'external' | undefined {
    let x = unwrap(e);
    if (ts.isElementAccessExpression(x)) x = unwrap(x.expression);
    if (!ts.isPropertyAccessExpression(x) || (x.name.text !== 'output' && x.name.text !== 'outputs')) return undefined;
    return this.modelSource(x.expression, depth + 1);
  }

  private modelSource(e0: ts.Expression, depth: number): 'external' | undefined {
    if (depth > MAX_TENSOR_STEPS) return undefined;
    let e = unwrap(e0);
    if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
    // a layer of the model (`m.layers[i]`, `m.layers.slice().reverse().find(...)`, `m.getLayer('x')`): the model's
    let steps = 0;
    let viaLayers = false;
    for (; steps < 8; steps++) {
      let next: ts.Expression | undefined;
      if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(unwrap(e.expression))) {
        const c = unwrap(e.expression) as ts.PropertyAccessExpression;
        viaLayers ||= c.name.text === 'getLayer';
        next = c.expression;
      } else if (ts.isElementAccessExpression(e)) next = e.expression;
      else if (ts.isPropertyAccessExpression(e)) {
        viaLayers ||= e.name.text === 'layers';
        next = e.expression;
      }
      if (!next) break;
      e = unwrap(next);
    }
    if (steps > 0 && !viaLayers) return undefined;
    if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
    if (ts.isCallExpression(e)) {
      const path = this.b.qualify(e.expression);
      return path === 'tf.loadLayersModel' || path === 'tf.loadGraphModel' ? 'external' : undefined;
    }
    if (!ts.isIdentifier(e)) return undefined;
    const a = this.values.latestAssignment(e.text, e);
    if (a) return ts.isBindingElement(a as ts.Node) ? undefined : this.modelSource(a, depth + 1);
    const fn = enclosingFunction(e);
    if (!fn || !fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === e.text)) return undefined;
    // a parameter: handed in from outside the file when no call of the file passes it
    return this.ix.argumentsFor(e).length === 0 ? 'external' : undefined;
  }

  /** The size of the first of `es` that scales, else of the first that can be worked out. */
  private anyOf(es: readonly ts.Expression[], depth: number): Size | undefined {
    let first: Size | undefined;
    for (const x of es) {
      const t = this.tensor(x, depth);
      if (t?.scales) return t;
      first ??= t;
    }
    return first;
  }

  /**
   * The last dimension a reshape sets (`tf.reshape(t, [-1, T, heads * dimHead])`, `t.reshape([...])`), when
   * it is written out and is either width-derived or a constant; undefined otherwise (`-1`, `C` from a shape).
   */
  private reshapeLastDim(e: ts.CallExpression, path: string | undefined): ts.Expression | undefined {
    const callee = unwrap(e.expression);
    const shapeArg = path === 'tf.reshape' ? e.arguments[1] : !path && ts.isPropertyAccessExpression(callee) && callee.name.text === 'reshape' ? e.arguments[0] : undefined;
    return shapeArg && this.writtenLastDim(unwrap(shapeArg));
  }

  /** The last element of a shape literal when it is width-derived or a positive constant. */
  private writtenLastDim(shape: ts.Expression): ts.Expression | undefined {
    if (!ts.isArrayLiteralExpression(shape) || shape.elements.length === 0) return undefined;
    const last = shape.elements[shape.elements.length - 1];
    if (ts.isSpreadElement(last)) return undefined;
    if (this.w.isDerived(last)) return last;
    const v = this.values.evalNumber(last);
    return v !== undefined && v > 0 ? last : undefined;
  }
}
