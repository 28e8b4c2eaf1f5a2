// Roles: what each layer is to muP (input, hidden, readout, embedding, norm, attention, other), from whether
// its fan-in and fan-out scale (shape.ts), and whether a readout's output is multiplied by 1/width_mult (a
// width rescaling right before or after it in its model, or a width-derived mul/div of its input or output).
import ts = require('typescript');
import { fileIndex } from './attention/fileIndex';
import type { Bindings } from './bindings';
import type { Facts } from './collect';
import { PROJECTION_OUT, type LayerIndex, type LayerRec } from './discovery';
import type { Sequences } from './sequence';
import type { Shapes } from './shape';
import { configProp, enclosingClass, enclosingFunction, outerParent, SKIP, STOP, unwrap, walk } from './source';
import type { Values } from './values';
import type { WidthModel } from './width';

export class Roles {
  constructor(
    private readonly facts: Facts,
    private readonly index: LayerIndex,
    private readonly seq: Sequences,
    private readonly shapes: Shapes,
    private readonly b: Bindings,
    private readonly w: WidthModel,
    private readonly values: Values,
    /** Classes whose methods compute attention scores that go to a softmax. */
    private readonly attentionClasses: Set<ts.ClassLikeDeclaration>,
  ) {}

  /** Sets `fanIn`, `fanOut`, `name`, `role` and `outputScaled` of a layer. */
  classify(rec: LayerRec): void {
    rec.fanIn = this.shapes.fanIn(rec).scales;
    rec.fanOut = this.shapes.out(rec).scales;
    const nameLit = configProp(rec.config, 'name');
    rec.name = nameLit && ts.isStringLiteralLike(nameLit) ? nameLit.text : rec.bindingName ?? null;
    switch (rec.category) {
      case 'embedding':
        rec.role = 'embedding';
        break;
      case 'norm':
        rec.role = 'norm';
        break;
      case 'passthrough':
        rec.role = 'other';
        break;
      case 'runtimeReadout':
        rec.role = 'readout';
        rec.outputScaled = true;
        break;
      case 'custom':
        rec.role = rec.cls && this.attentionClasses.has(rec.cls) ? 'attention' : 'other';
        break;
      case 'projection':
        // A layer whose output is added to the width-sized stream (a transformer's feed-forward
        // `dense({units: dModel})` after `dense({units: dff})`) has the stream's size, whatever its units say.
        if (rec.fanIn && !rec.fanOut && this.addedToStream(rec)) rec.fanOut = true;
        rec.role = rec.fanIn ? (rec.fanOut ? 'hidden' : 'readout') : rec.fanOut ? 'input' : 'other';
        if (rec.role === 'readout') rec.outputScaled = this.isOutputScaled(rec);
        break;
    }
  }

  /**
   * Whether the layer's output is added (a residual) to a tensor whose size scales: `tf.layers.add().apply([x,
   * h])`, `tf.add(x, h)`, `x.add(h)`, `h.add(x)`, directly or through the variable it is held in. An add needs
   * both sides of one size, so the layer's output scales too (a `units: 1` gate that broadcasts is left out).
   */
  private addedToStream(rec: LayerRec): boolean {
    // A size written as a number, or one of the data (a vocabulary, classes, actions), is no stream's size:
    // only a size the code reads from elsewhere (`x.shape[2]`, a helper's parameter) can be.
    const out = configProp(rec.config, PROJECTION_OUT[rec.ctor] ?? 'units');
    if (!out || this.values.evalNumber(out) !== undefined || /vocab|class|label|action|output|target/i.test(out.getText(this.facts.sf))) return false;
    const ix = fileIndex(this.facts, this.b);
    const scales = (e: ts.Expression | undefined): boolean => !!e && (this.shapes.tensorSize(e)?.scales ?? false);
    const check = (use: ts.Expression, depth: number): boolean => {
      const { node: p, child } = outerParent(use);
      if (!p) return false;
      if (ts.isArrayLiteralExpression(p)) {
        const { node: call } = outerParent(p);
        const c = call && ts.isCallExpression(call) ? unwrap(call.expression) : undefined;
        const layer = c && ts.isPropertyAccessExpression(c) && c.name.text === 'apply' ? this.index.layerOf(c.expression) : undefined;
        return layer?.ctor === 'add' && p.elements.some((x) => x !== child && scales(x));
      }
      if (ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression)) {
        const c = unwrap(p.expression);
        const path = this.b.qualify(c);
        if (path === 'tf.add' || path === 'tf.sub') return p.arguments.some((x) => x !== child && scales(x));
        return !path && ts.isPropertyAccessExpression(c) && (c.name.text === 'add' || c.name.text === 'sub') && p.arguments.length === 1 && scales(c.expression);
      }
      if (ts.isPropertyAccessExpression(p) && p.expression === child && (p.name.text === 'add' || p.name.text === 'sub')) {
        const call = p.parent;
        return ts.isCallExpression(call) && call.expression === p && call.arguments.length === 1 && scales(call.arguments[0]);
      }
      let name: ts.Identifier | undefined;
      if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) name = p.name;
      else if (ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) name = p.left;
      if (!name || depth > 0) return false;
      const scope: ts.Node = enclosingFunction(p) ?? this.facts.sf;
      // the uses up to the next assignment of the name
      for (const u of ix.usesOf(scope, name.text, p.end)) {
        if (this.values.latestAssignment(name.text, u) !== child) break;
        if (check(u, depth + 1)) return true;
      }
      return false;
    };
    return rec.applies.some((a) => check(a, 0));
  }

  /** A rescaling layer whose scale depends on the width (`tf.layers.rescaling({scale: 64 / width})`). */
  isWidthRescaling(rec: LayerRec | undefined): boolean {
    return !!rec && rec.ctor === 'rescaling' && this.w.isDerived(configProp(rec.config, 'scale'));
  }

  private isOutputScaled(inner: LayerRec): boolean {
    const rec = inner.wrapper ?? inner;
    if (rec.seq) {
      // A rescaling before it on every path in, or one that always runs right after it.
      const preds = this.seq.predecessors(rec);
      if (preds.length > 0 && preds.every((p) => this.isWidthRescaling(p))) return true;
      if (this.isWidthRescaling(this.seq.next(rec))) return true;
    }
    for (const a of rec.applies) {
      if (this.isScaledTensor(a.arguments[0], 0)) return true;
      if (this.isScaledUse(a, 0)) return true;
    }
    return false;
  }

  /** A tensor multiplied or divided by a width-derived value, or passed through a width rescaling. */
  private isScaledTensor(e: ts.Expression | undefined, depth: number): boolean {
    if (!e || depth > 4) return false;
    e = unwrap(e);
    if (ts.isIdentifier(e)) return this.isScaledTensor(this.values.latestAssignment(e.text, e), depth + 1);
    if (!ts.isCallExpression(e)) return false;
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (m === 'apply') return this.isWidthRescaling(this.index.layerOf(callee.expression));
      const path = this.b.qualify(callee);
      if ((path === 'tf.mul' || path === 'tf.div') && e.arguments.length === 2) return this.w.isDerived(e.arguments[0]) || this.w.isDerived(e.arguments[1]);
      if (!path && (m === 'mul' || m === 'div') && e.arguments.length === 1) return this.w.isDerived(e.arguments[0]);
    }
    return false;
  }

  /** Whether the output of `expr` is multiplied by a width-derived value where it is used. */
  isScaledUse(expr: ts.Expression, depth: number): boolean {
    if (depth > 3) return false;
    const { node: p, child } = outerParent(expr);
    if (!p) return false;
    if (ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression)) {
      const callee = unwrap(p.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') {
        const rec = this.index.layerOf(callee.expression);
        if (this.isWidthRescaling(rec)) return true;
        if (rec && (rec.category === 'passthrough' || rec.category === 'norm') && rec.ctor !== 'rescaling') return this.isScaledUse(p, depth + 1);
        return false;
      }
      const path = this.b.qualify(callee);
      if ((path === 'tf.mul' || path === 'tf.div') && p.arguments.length === 2) return p.arguments.some((a) => a !== child && this.w.isDerived(a));
      return false;
    }
    if (ts.isPropertyAccessExpression(p) && p.expression === child && (p.name.text === 'mul' || p.name.text === 'div')) {
      const call = p.parent;
      return ts.isCallExpression(call) && call.expression === p && call.arguments.length === 1 && this.w.isDerived(call.arguments[0]);
    }
    let name: string | undefined;
    if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) name = p.name.text;
    else if (ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) name = p.left.text;
    if (!name) return false;
    const scope: ts.Node = enclosingFunction(p)?.body ?? enclosingClass(p) ?? this.facts.sf;
    let found = false;
    const from = p.pos;
    walk(scope, (n) => {
      // Only uses after the assignment count: subtrees that end before it are skipped (at top level the
      // scope is the whole file).
      if (n.end <= from || ts.isTypeNode(n)) return SKIP;
      if (ts.isIdentifier(n) && n.text === name && n.pos > p.pos && n.parent !== p) {
        found = this.isScaledUse(n, depth + 1);
        return found ? STOP : SKIP;
      }
      return undefined;
    });
    return found;
  }
}
