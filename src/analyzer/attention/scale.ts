// The 1/sqrt(d_head) in a scale expression: `Math.sqrt(d)`, `d ** ±0.5`, `Math.pow(d, ±0.5)`, `tf.sqrt`,
// `tf.rsqrt`, `x.sqrt()` / `x.rsqrt()` of a tensor, through locals, class fields and local helpers that
// return it, where `d` is a head size (named like one, width-derived, or read from a shape).
import ts = require('typescript');
import type { Bindings } from '../bindings';
import type { Ctx } from '../context';
import { calleeName, SKIP, STOP, unwrap, walk } from '../source';
import { normalizeName } from '../width';
import { type FileIndex, returnsOf } from './fileIndex';

export interface SqrtScale {
  /** The constant factor beside the root, relative to `dim` (`Math.sqrt(2 / d)`: sqrt 2); 1 when absent. */
  coef?: number;
  /** The `Math.sqrt(d)` / `d ** -0.5` / `tf.rsqrt(...)` node. */
  node: ts.Expression;
  /** The head dimension under the root. */
  dim: ts.Expression;
  inverse: boolean;
  /** `dim` is a tensor (`tf.sqrt(tf.cast(k.shape[3], 'float32'))`, `tf.sqrt(dk)` with `dk = tf.scalar(...)`):
   * the fix must stay a tensor op, since `tensor / 8` in JS is NaN. */
  tensor: boolean;
  /** The namespace the root is written on (`tf` in `tf.sqrt(x)`, `this.tf`), for the fix's tensor op. */
  ns?: string;
  /** The whole scale expression where it is defined (what the finding points at). */
  def: ts.Expression;
  /** The power of d_head the scale expression comes to: -1 for d^-1/2 (`1 / Math.sqrt(d)`, `d ** -0.5`),
   * +1 for d^1/2 (a divisor `Math.sqrt(d)`, or an upscaling). */
  sign: 1 | -1;
}

/** Whether `n` sits in the denominator of `root` (an odd number of times): `x / n`, `tf.div(x, n)`,
 * `x.div(n)`, `n ** -1`. */
function polarityWithin(n: ts.Node, root: ts.Node): 1 | -1 {
  let s: 1 | -1 = 1;
  for (let c: ts.Node = n; c !== root && c.parent; c = c.parent) {
    const p = c.parent;
    if (ts.isBinaryExpression(p) && p.right === c && p.operatorToken.kind === ts.SyntaxKind.SlashToken) s = -s as 1 | -1;
    else if (ts.isBinaryExpression(p) && p.left === c && p.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken && ts.isPrefixUnaryExpression(unwrap(p.right))) s = -s as 1 | -1;
    else if (ts.isCallExpression(p) && p.arguments.length >= 1 && calleeName(p.expression) === 'div' && p.arguments[p.arguments.length === 1 ? 0 : 1] === c) s = -s as 1 | -1;
    if (p === root) break;
  }
  return s;
}

function flip(r: SqrtScale | undefined, n: ts.Node, root: ts.Node): SqrtScale | undefined {
  return r && (polarityWithin(n, root) < 0 ? { ...r, sign: (-r.sign) as 1 | -1 } : r);
}

export const HEAD_DIM_NAMES = /^(d|dk|dq|dv|dh|dqk|dkey|dimk|dimq|dimqk|dimkey|dhead|headdim|headsize|dimhead|dimperhead|sizeperhead|keydim|keydims|keysdim|kdim|qkdim|keysize|qksize|keydepth|depth|headdimension|keydimension|hd|hs)$/;

/** A head size: width-derived, read from a shape (`k.shape[3]`, `const [B, T, C] = k.shape`), or named like
 * one, also through a local holding it. */
function isHeadDim(e: ts.Expression, ctx: Ctx, ix: FileIndex, depth = 0): boolean {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u)) return false;
  if (ctx.w.isDerived(u)) return true;
  const text = u.getText();
  if (/\.shape\b/.test(text)) return true;
  let named = false;
  walk(u, (n) => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) {
      const k = normalizeName(n.text);
      if (HEAD_DIM_NAMES.test(k) || k.includes('head') || k.endsWith('dim')) named = true;
    }
    return named ? STOP : undefined;
  });
  if (named || depth >= 2 || !ts.isIdentifier(u)) return named;
  const a = ctx.facts.assigns.get(u.text);
  const v = ix.latest(u.text, u, true) ?? (a && a.length === 1 ? a[0].value : undefined);
  if (!v) return false;
  if (ts.isBindingElement(v as ts.Node)) {
    // `const [B, T, C] = k.shape`
    const decl = (v as unknown as ts.BindingElement).parent?.parent;
    return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && /\.shape\b/.test(decl.initializer.getText());
  }
  return isHeadDim(v, ctx, ix, depth + 1);
}

function isHalf(e: ts.Expression): 1 | -1 | 0 {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u) && Number(u.text) === 0.5) return 1;
  if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(u.operand) && Number(u.operand.text) === 0.5) return -1;
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.SlashToken && ts.isNumericLiteral(u.left) && ts.isNumericLiteral(u.right) && Number(u.left.text) / Number(u.right.text) === 0.5) return 1;
  return 0;
}

/** A tfjs op's result (`tf.cast(...)`, `tf.scalar(...)`), also through a local or a field holding one, as
 * opposed to a plain number expression. */
export function isTensorExpr(e: ts.Expression, ctx: Ctx, ix: FileIndex, depth = 0): boolean {
  const u = unwrap(e);
  if (ts.isCallExpression(u)) {
    const c = unwrap(u.expression);
    if (ctx.b.qualify(c)?.startsWith('tf.')) return true;
    // `this.tf.scalar(d)`, `ns.cast(x, 'float32')`: what these make is a tensor whoever the namespace is
    if (ts.isPropertyAccessExpression(c) && TENSOR_MAKERS.has(c.name.text) && !isMath(c.expression)) return true;
    // a tensor method (`x.toFloat()`, `dk.sqrt()`) of a tensor
    return ts.isPropertyAccessExpression(c) && !ctx.b.qualify(c.expression) && depth < 3 && isTensorExpr(c.expression, ctx, ix, depth + 1);
  }
  if (depth >= 3) return false;
  if (ts.isIdentifier(u)) {
    const v = ix.latest(u.text, u);
    return !!v && isTensorExpr(v, ctx, ix, depth + 1);
  }
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const vs = ix.fieldValues(u.name.text);
    return vs.length > 0 && vs.every((v) => isTensorExpr(v, ctx, ix, depth + 1));
  }
  return false;
}

const TENSOR_MAKERS = new Set(['scalar', 'tensor', 'tensor1d', 'cast', 'toFloat', 'fill', 'ones', 'zeros', 'onesLike', 'zerosLike']);

export function isMath(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isIdentifier(u) && u.text === 'Math';
}

/** `tf.scalar(d)` (also `this.tf.scalar(d)`) -> `d` */
function unScalar(e: ts.Expression, b: Bindings): ts.Expression {
  const u = unwrap(e);
  if (!ts.isCallExpression(u) || u.arguments.length < 1) return u;
  const path = b.qualify(u.expression);
  const c = unwrap(u.expression);
  if (path === 'tf.scalar' || path === 'tf.tensor' || (!path && ts.isPropertyAccessExpression(c) && c.name.text === 'scalar' && !isMath(c.expression))) return u.arguments[0];
  return u;
}

function sqrtForm(n: ts.Node, ctx: Ctx, ix: FileIndex): { dim: ts.Expression; inverse: boolean; tensor?: boolean; ns?: string } | undefined {
  if (ts.isCallExpression(n)) {
    const c = unwrap(n.expression);
    const text = ts.isPropertyAccessExpression(c) ? c.getText(ctx.sf) : '';
    const path = ctx.b.qualify(c);
    if (text === 'Math.sqrt' && n.arguments.length === 1) return { dim: n.arguments[0], inverse: false };
    if (text === 'Math.pow' && n.arguments.length === 2) {
      const h = isHalf(n.arguments[1]);
      if (h) return { dim: n.arguments[0], inverse: h < 0 };
    }
    // `tf.sqrt(x)`, also on a namespace the imports do not show (`this.tf.sqrt(x)`: a tensor's own
    // `.sqrt()` takes no argument)
    const nsForm = !path && ts.isPropertyAccessExpression(c) && (c.name.text === 'sqrt' || c.name.text === 'rsqrt') && !isMath(c.expression);
    if ((path === 'tf.sqrt' || path === 'tf.rsqrt' || nsForm) && n.arguments.length === 1) {
      const dim = unScalar(n.arguments[0], ctx.b);
      const ns = ts.isPropertyAccessExpression(c) ? c.expression.getText(ctx.sf) : undefined;
      return { dim, inverse: (path ?? `.${(c as ts.PropertyAccessExpression).name.text}`).endsWith('rsqrt'), tensor: isTensorExpr(dim, ctx, ix), ns };
    }
    if (!path && ts.isPropertyAccessExpression(c) && (c.name.text === 'sqrt' || c.name.text === 'rsqrt') && n.arguments.length === 0) {
      const dim = unScalar(c.expression, ctx.b);
      return { dim, inverse: c.name.text === 'rsqrt', tensor: dim === unwrap(c.expression) };
    }
  }
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) {
    const h = isHalf(n.right);
    if (h) return { dim: n.left, inverse: h < 0 };
  }
  return undefined;
}

/** Finds a 1/sqrt(head dim) in a scale expression, through local variables, class fields and helpers. */
export function findSqrt(e: ts.Expression, ctx: Ctx, ix: FileIndex, def: ts.Expression, depth: number, use: ts.Node): SqrtScale | undefined {
  if (depth > 4) return undefined;
  let result: SqrtScale | undefined;
  walk(e, (n) => {
    if (ts.isTypeNode(n)) return SKIP;
    const f = sqrtForm(n, ctx, ix);
    if (f && isHeadDim(f.dim, ctx, ix)) {
      result = { node: n as ts.Expression, dim: f.dim, inverse: f.inverse, tensor: f.tensor ?? false, ns: f.ns, def, sign: (f.inverse ? -1 : 1) as 1 | -1 };
      result = flip(result, n, e);
      return STOP;
    }
    if (ts.isIdentifier(n) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const v = ctx.values.latestAssignment(n.text, use) ?? singleValue(ctx.facts.assigns.get(n.text));
      if (v && !ts.isBindingElement(v as ts.Node)) result = flip(findSqrt(v, ctx, ix, v, depth + 1, v), n, e);
      // a scale passed into a helper as an argument
      if (!v) for (const arg of ix.argumentsFor(n)) if (!result) result = flip(findSqrt(arg, ctx, ix, arg, depth + 2, arg), n, e);
      return result ? STOP : SKIP;
    }
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) {
      for (const a of ctx.facts.props.get(n.name.text) ?? []) {
        result = flip(findSqrt(a.value, ctx, ix, a.value, depth + 1, a.value), n, e);
        if (result) return STOP;
      }
      // a getter (`get scale() { return 1 / Math.sqrt(this.headDim); }`)
      for (const r of ix.getterReturns(n.name.text, n)) {
        result = flip(findSqrt(r, ctx, ix, r, depth + 1, r), n, e);
        if (result) return STOP;
      }
      return SKIP;
    }
    if (ts.isCallExpression(n) && !ctx.b.qualify(n.expression)) {
      // a local helper that returns the scale (`scaleFor(dHead)`, `this.attnScale()`)
      const helper = ix.resolveCall(n);
      if (helper) {
        for (const r of returnsOf(helper)) {
          result = flip(findSqrt(r, ctx, ix, r, depth + 1, r), n, e);
          if (result) return STOP;
        }
      }
    }
    return undefined;
  });
  return result;
}

export function singleValue<T extends { value: ts.Expression }>(list: T[] | undefined): ts.Expression | undefined {
  return list && list.length === 1 ? list[0].value : undefined;
}
