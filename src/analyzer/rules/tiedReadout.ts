// mup/readout-not-scaled, tied readouts written by hand (issue 28.3): logits = h @ E^T with the embedding
// table reused, in the forms `MuSharedReadout` replaces: `tf.matMul(h, E, false, true)`, `h.matMul(E, false,
// true)`, `tf.matMul(h, tf.transpose(E))`, `tf.dot(h, E.transpose())`, `tf.einsum('btd,vd->btv', h, E)`,
// where E is an embedding layer's table (`emb.embeddings`, `emb.getWeights()[0]`, `.trainableWeights[0]`,
// `.read()` of those), or a `[vocab, width]` weight the file makes itself (`this.addWeight('wte', [V, d])`,
// `tf.variable(tf.randomNormal([V, d]))`) and also gathers rows of (`tf.gather(E, ids)`: the embedding
// lookup). Not scaled unless the logits, h or E are multiplied or divided by a width-derived value. Fix:
// the product's `.mul(base / width)`, the width in the file's own expression.
import ts = require('typescript');
import { baseText, makeFinding, type Ctx } from '../context';
import { fileIndex } from '../attention/fileIndex';
import { calleeName, configProp, enclosingFunction, outerParent, replaceNode, unwrap } from '../source';
import type { Finding } from '../types';

const MAX_DEPTH = 4;

interface Table {
  /** The width (the table's second dimension, or the embedding's `outputDim`), as written. */
  width: ts.Expression | undefined;
}

/** Shape `[V, d]` of a weight the file makes: `this.addWeight(name, [V, d], ...)`, `tf.variable(tf.randomNormal([V, d]))`. */
function madeShape(e: ts.CallExpression, ctx: Ctx): ts.ArrayLiteralExpression | undefined {
  const name = calleeName(e.expression);
  const path = ctx.b.qualify(unwrap(e.expression));
  let shape: ts.Expression | undefined;
  if (name === 'addWeight') shape = e.arguments[1];
  else if ((path === 'tf.variable' || name === 'variable') && e.arguments[0]) {
    // `tf.variable(tf.randomNormal([V, d]))`, `variable(initializer.apply([V, d]))`
    const init = unwrap(e.arguments[0]);
    if (ts.isCallExpression(init) && (ctx.b.qualify(unwrap(init.expression))?.startsWith('tf.') || calleeName(init.expression) === 'apply')) shape = init.arguments[0];
  }
  const u = shape && unwrap(shape);
  return u && ts.isArrayLiteralExpression(u) && u.elements.length === 2 ? u : undefined;
}

class Tables {
  private gathered: Set<string> | undefined;

  constructor(
    private readonly ctx: Ctx,
    /** The `gather` calls of the file (`tf.gather(X, ids)`, `X.gather(ids)`). */
    private readonly gathers: ts.CallExpression[],
  ) {}

  /** Texts of what the file gathers rows of (`.read()` dropped). */
  private gatheredTexts(): Set<string> {
    if (this.gathered) return this.gathered;
    const out = new Set<string>();
    for (const c of this.gathers) {
      const callee = unwrap(c.expression);
      const x = ts.isPropertyAccessExpression(callee) && c.arguments.length === 1 ? callee.expression : c.arguments[0];
      if (x) out.add(stripRead(x).getText(this.ctx.sf));
    }
    return (this.gathered = out);
  }

  /** The embedding table `e` reads, with whether it is read transposed; undefined when it is not one. */
  table(e0: ts.Expression, depth: number, transposed = false): (Table & { transposed: boolean }) | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const ctx = this.ctx;
    const e = unwrap(e0);
    // what the file gathers rows of (the embedding lookup) and multiplies by: a tied table, however it is held
    const found = this.own(e, depth, transposed);
    return found ?? (this.gatheredTexts().has(stripRead(e).getText(ctx.sf)) ? { width: undefined, transposed } : undefined);
  }

  private own(e: ts.Expression, depth: number, transposed: boolean): (Table & { transposed: boolean }) | undefined {
    const ctx = this.ctx;
    if (ts.isCallExpression(e)) {
      const callee = unwrap(e.expression);
      const path = ctx.b.qualify(callee);
      if (path === 'tf.transpose' && e.arguments[0]) return this.table(e.arguments[0], depth + 1, !transposed);
      if (!path && ts.isPropertyAccessExpression(callee)) {
        if (callee.name.text === 'transpose' && e.arguments.length === 0) return this.table(callee.expression, depth + 1, !transposed);
        if (callee.name.text === 'read' && e.arguments.length === 0) return this.table(callee.expression, depth + 1, transposed);
      }
      const shape = madeShape(e, ctx);
      if (shape) return { width: shape.elements[1], transposed };
      return undefined;
    }
    // `emb.getWeights()[0]`, `emb.trainableWeights[0]`, `emb.weights[0]`
    if (ts.isElementAccessExpression(e)) {
      const o = unwrap(e.expression);
      const holder = ts.isCallExpression(o) && calleeName(o.expression) === 'getWeights' ? unwrap(o.expression) : ts.isPropertyAccessExpression(o) && /^(trainableWeights|weights)$/.test(o.name.text) ? o : undefined;
      const layer = holder && ts.isPropertyAccessExpression(holder) ? this.embeddingLayer(holder.expression) : undefined;
      return layer ? { width: configProp(layer.config, 'outputDim'), transposed } : undefined;
    }
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'embeddings') {
      const layer = this.embeddingLayer(e.expression);
      if (layer) return { width: configProp(layer.config, 'outputDim'), transposed };
    }
    // a name or field holding a table the file also gathers rows of
    if (ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword)) {
      const values = ts.isIdentifier(e) ? [ctx.values.latestAssignment(e.text, e)].filter((v) => v !== undefined) : fileIndex(ctx.facts, ctx.b).fieldValues(e.name.text);
      for (const v of values) {
        if (ts.isBindingElement(v as ts.Node)) continue;
        const t = this.table(v, depth + 1, transposed);
        if (t && (this.gatheredTexts().has(e.getText(ctx.sf)) || this.isEmbeddingValue(v))) return t;
      }
    }
    return undefined;
  }

  /** An embedding layer's own table (no gather needed to say it is one). */
  private isEmbeddingValue(v: ts.Expression): boolean {
    const u = stripRead(v);
    return (ts.isPropertyAccessExpression(u) && u.name.text === 'embeddings') || ts.isElementAccessExpression(u);
  }

  private embeddingLayer(e: ts.Expression) {
    const u = unwrap(e);
    const name = ts.isIdentifier(u) ? u.text : ts.isPropertyAccessExpression(u) ? u.name.text : undefined;
    return this.ctx.layers.layers.find((l) => l.ctor === 'embedding' && (l.node === u || (name !== undefined && l.bindingName === name)));
  }
}

/** `X.read()` -> X */
function stripRead(e: ts.Expression): ts.Expression {
  const u = unwrap(e);
  if (ts.isCallExpression(u) && u.arguments.length === 0) {
    const c = unwrap(u.expression);
    if (ts.isPropertyAccessExpression(c) && c.name.text === 'read') return unwrap(c.expression);
  }
  return u;
}

/** h and the table of a product `h @ E^T`, or undefined. */
function tiedProduct(call: ts.CallExpression, path: string | undefined, tables: Tables): { h: ts.Expression; table: ts.Expression; width: ts.Expression | undefined } | undefined {
  const a = call.arguments;
  const callee = unwrap(call.expression);
  const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(callee);
  const isTrue = (x: ts.Expression | undefined) => !!x && unwrap(x).kind === ts.SyntaxKind.TrueKeyword;
  let h: ts.Expression | undefined;
  let e: ts.Expression | undefined;
  let flag = false;
  if (name === 'einsum' && a.length === 3) {
    h = a[1];
    e = a[2];
    const t = tables.table(e, 0);
    return t ? { h, table: e, width: t.width } : undefined;
  }
  if (name !== 'matMul' && name !== 'dot') return undefined;
  // the function form: `tf.matMul(h, E, false, true)`, a namespace's (`ns.dot(h, E)`), or a function imported by name (`dot(h, E)`)
  if (path || ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && a.length >= 2 && unwrap(a[1]).kind !== ts.SyntaxKind.TrueKeyword && unwrap(a[1]).kind !== ts.SyntaxKind.FalseKeyword)) {
    [h, e, flag] = [a[0], a[1], isTrue(a[3])];
  } else if (ts.isPropertyAccessExpression(callee) && a.length >= 1) {
    [h, e, flag] = [callee.expression, a[0], isTrue(a[2])];
  }
  const t = h && e ? tables.table(e, 0) : undefined;
  // E is [vocab, width]: only h @ E^T contracts the width
  return t && h && e && t.transposed !== flag ? { h, table: e, width: t.width } : undefined;
}

/** Whether `e` is multiplied or divided by a width-derived value, through names (its value where used). */
function scaledValue(ctx: Ctx, e: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const v = ctx.values.latestAssignment(u.text, u);
    return !!v && !ts.isBindingElement(v as ts.Node) && scaledValue(ctx, v, depth + 1);
  }
  if (!ts.isCallExpression(u)) return false;
  const c = unwrap(u.expression);
  const name = calleeName(c);
  if ((name === 'mul' || name === 'div') && u.arguments.some((x) => ctx.w.isDerived(x))) return true;
  // through a reshape or a cast of the scaled tensor
  if (ts.isPropertyAccessExpression(c) && /^(reshape|asType|toFloat)$/.test(c.name.text)) return scaledValue(ctx, c.expression, depth + 1);
  return false;
}

/** Whether the logits are multiplied or divided by a width-derived value where they are used. */
function scaledUse(ctx: Ctx, e: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const { node: p, child } = outerParent(e);
  if (!p) return false;
  if (ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression)) {
    const name = calleeName(p.expression);
    if ((name === 'mul' || name === 'div') && p.arguments.some((x) => x !== child && ctx.w.isDerived(x))) return true;
    if (name === 'reshape') return scaledUse(ctx, p, depth + 1);
    return false;
  }
  if (ts.isPropertyAccessExpression(p) && p.expression === child && ts.isCallExpression(p.parent) && p.parent.expression === p) {
    const call = p.parent;
    if ((p.name.text === 'mul' || p.name.text === 'div') && call.arguments.some((x) => ctx.w.isDerived(x))) return true;
    if (p.name.text === 'reshape') return scaledUse(ctx, call, depth + 1);
    return false;
  }
  let name: string | undefined;
  if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) name = p.name.text;
  else if (ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) name = p.left.text;
  if (!name) return false;
  const ix = fileIndex(ctx.facts, ctx.b);
  for (const use of ix.usesOf(enclosingFunction(p) ?? ctx.sf, name, p.end)) if (scaledUse(ctx, use, depth + 1)) return true;
  return false;
}

/** Whether the file can hold a tied table at all: it gathers rows of something, or reads an embedding's weights. */
const TABLE_HINT = /\bgather\b|\bembeddings\b|\bgetWeights\b|[wW]eights\[/;

export function tiedReadoutRule(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  if (!TABLE_HINT.test(ctx.sf.text)) return out;
  // one pass over the calls: the products, and the gathers that say which tensors are embedding tables
  const products: [ts.CallExpression, string | undefined][] = [];
  const gathers: ts.CallExpression[] = [];
  const calls = ctx.facts.calls;
  const paths = ctx.b.callPaths;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (!ts.isCallExpression(call)) continue;
    const path = paths[i];
    const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(call.expression);
    if (name === 'gather') {
      if (path === 'tf.gather' || (!path && call.arguments.length >= 1)) gathers.push(call);
    } else if ((name === 'matMul' || name === 'dot' || name === 'einsum') && !(path && !path.startsWith('tf.')) && !path?.startsWith('tf.layers.')) products.push([call, path]);
  }
  if (products.length === 0) return out;
  const tables = new Tables(ctx, gathers);
  for (const [call, path] of products) {
    const tied = tiedProduct(call, path, tables);
    if (!tied) continue;
    if (scaledValue(ctx, tied.h, 0) || scaledValue(ctx, tied.table, 0) || scaledUse(ctx, call, 0)) continue;
    // the width as the code there can name it: a knob in scope, else the table's own width
    const width = ctx.w.localWidthRefAt(call) ?? ctx.w.widthNameIn(tied.width, ctx.sf) ?? tied.width?.getText(ctx.sf) ?? ctx.w.widthRefAt(call);
    const base = baseText(ctx);
    const message =
      `tied readout (logits = h @ E^T with the embedding table reused) is not muP-scaled: its output must be multiplied ` +
      `by 1/width_mult (base ${ctx.baseWidth}: scale ${ctx.baseWidth}/${width ?? 'width'}), else the logits grow with width after the first update; ` +
      `MuSharedReadout from mup-lens/runtime does this`;
    const fixes = [];
    if (width) {
      // the tensor's own `.mul` (the logits of a hand-written tied readout are always an eager tensor): no
      // import to add, whatever module the file's other tfjs names come from
      const w = /^[\w$.]+$/.test(width) ? width : `(${width})`;
      fixes.push({ title: `Multiply the logits by ${base} / ${w} (1/width_mult)`, edits: [replaceNode(ctx.sf, call, `${call.getText(ctx.sf)}.mul(${base} / ${w})`)], isPreferred: true });
    }
    out.push(makeFinding(ctx, 'mup/readout-not-scaled', call, message, fixes));
  }
  return out;
}
