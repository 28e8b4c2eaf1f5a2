// The algebraic normal form of an attention scale: the power of the head size d that a scale expression
// comes to, whatever its spelling. Products, quotients and powers of d and of constants fold into c * d^p
// (`Math.sqrt(1.0 / d)`, `Math.pow(d, -0.5)`, `d ** -0.5`, `1 / d ** 0.5`, `tf.rsqrt(dk)`, `tf.div(1,
// tf.sqrt(tf.cast(k.shape[3], 'float32')))`, `tf.pow(dk, -0.5)`), through locals, fields, getters, helpers
// that return it and arguments passed to a helper. The rule flags a multiplier of the scores of power -1/2;
// the fix rewrites the outermost part of power ±1/2 whose other factors are numbers (`root`).
import ts = require('typescript');
import type { Ctx } from '../context';
import { calleeName, enclosingClass, unwrap } from '../source';
import { normalizeName } from '../width';
import { type FileIndex, returnsOf } from './fileIndex';
import { HEAD_DIM_NAMES, isMath, isTensorExpr, singleValue, type SqrtScale } from './scale';

interface Term {
  /** Whether d is in it. */
  has: boolean;
  /** The power of d (0 without d). */
  exp: number;
  /** The constant factor relative to `dim`; NaN when a factor is not a number (a count, a multiplier variable). */
  coef: number;
  /** The outermost part of power exactly 1 that holds d (what a fix writes as the head size). */
  dim?: ts.Expression;
  /** The outermost part of power ±1/2 with a numeric factor, and the expression it is written in. */
  root?: { node: ts.Expression; exp: number; coef: number; def: ts.Expression };
  /** `dim`/`root` lie in the expression being folded (not reached through a name, a field or a helper). */
  local: boolean;
  /** d is a tensor there (`tf.cast(k.shape[3])`, `dk = tf.scalar(depth)`): a fix must stay a tensor op. */
  tensor: boolean;
  /** The namespace a root op is written on (`this.tf` in `this.tf.rsqrt(x)`). */
  ns?: string;
}

const MAX_DEPTH = 6;
const CONST = (c: number): Term => ({ has: false, exp: 0, coef: c, local: true, tensor: false });
const UNKNOWN: Term = CONST(NaN);

/** A name spelled like a head size or a width (`headDim`, `dk`, `depth`, `this.dHead`, `dModel`). */
function headNamed(name: string, ctx: Ctx): boolean {
  const k = normalizeName(name);
  if (HEAD_DIM_NAMES.test(k) || k.endsWith('dim') || ctx.w.isWidthName(name)) return true;
  // a head count is not a head size (`nHead`, `numHeads`, `heads`, `numAttentionHeads`, `headCount`)
  return k.includes('head') && !/heads$|^(n|num|number|numberof|count)?(attention)?head$|headcount|numhead/.test(k);
}

/** How many expressions one scale's normal form looks at before it gives up (the root forms then decide). */
const MAX_STEPS = 160;

class Folder {
  /** Each expression folded once (names met again through reassignments, `att = tf.where(..., att)`). */
  private readonly memo = new Map<ts.Node, Term | undefined>();
  steps = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly ix: FileIndex,
  ) {}

  /** `e` as c * d^p; undefined when d is under something that is not algebraic (`Math.log(d)`, `d + 1`). */
  fold(e0: ts.Expression, def: ts.Expression, use: ts.Node, depth: number): Term | undefined {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const e = unwrap(e0);
    if (this.memo.has(e)) return this.memo.get(e);
    if (++this.steps > MAX_STEPS) return undefined;
    // (set before folding: an expression that reaches itself again is not a power of d)
    this.memo.set(e, UNKNOWN);
    const t = this.compute(e, def, use, depth);
    this.memo.set(e, t);
    return t;
  }

  private compute(e: ts.Expression, def: ts.Expression, use: ts.Node, depth: number): Term | undefined {
    const ctx = this.ctx;
    if (ts.isNumericLiteral(e)) return CONST(Number(e.text));
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
      const t = this.fold(e.operand, def, use, depth);
      return t && this.mark(e, { ...t, coef: -t.coef }, t, def);
    }
    if (ts.isIdentifier(e)) return this.name(e, use, depth);
    if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === 'length') return UNKNOWN;
      if (headNamed(e.name.text, ctx)) return this.atom(e);
      let values = e.expression.kind === ts.SyntaxKind.ThisKeyword ? [...this.ix.fieldValues(e.name.text), ...this.ix.getterReturns(e.name.text, e)] : [];
      // a field of the class it is read in (another class of the file may have a field of that name)
      const cls = values.length > 1 ? enclosingClass(e) : undefined;
      const own = cls ? values.filter((v) => v.pos >= cls.pos && v.end <= cls.end) : [];
      if (own.length > 0) values = own;
      return this.through(e, values, depth);
    }
    if (ts.isElementAccessExpression(e)) return /\.shape\b/.test(e.expression.getText(ctx.sf)) ? this.atom(e) : UNKNOWN;
    if (ts.isBinaryExpression(e)) return this.binary(e, def, use, depth);
    if (ts.isConditionalExpression(e)) {
      const a = this.fold(e.whenTrue, def, use, depth);
      const b = this.fold(e.whenFalse, def, use, depth);
      if (!a || !b) return undefined;
      if (!a.has && !b.has) return UNKNOWN;
      return a.has && b.has && a.exp === b.exp ? { ...a, local: false } : undefined;
    }
    if (ts.isCallExpression(e)) return this.call(e, def, use, depth);
    return UNKNOWN;
  }

  private atom(e: ts.Expression): Term {
    return { has: true, exp: 1, coef: 1, dim: e, local: true, tensor: isTensorExpr(e, this.ctx, this.ix) };
  }

  /** A name: a head size itself, or what it holds (its assignment where used, the arguments of a helper's callers). */
  private name(id: ts.Identifier, use: ts.Node, depth: number): Term | undefined {
    const ctx = this.ctx;
    if (headNamed(id.text, ctx)) return this.atom(id);
    const v = ctx.values.latestAssignment(id.text, use) ?? singleValue(ctx.facts.assigns.get(id.text));
    if (v && ts.isBindingElement(v as ts.Node)) {
      // `const [B, T, C] = k.shape`
      const decl = (v as unknown as ts.BindingElement).parent?.parent;
      return decl && ts.isVariableDeclaration(decl) && decl.initializer && /\.shape\b/.test(decl.initializer.getText(ctx.sf)) ? this.atom(id) : UNKNOWN;
    }
    return this.through(id, v ? [v] : this.ix.argumentsFor(id), depth);
  }

  /** A name, field or helper call standing for `values`: the first that holds d; a value of power 1 makes the name itself the head size. */
  private through(at: ts.Expression, values: ts.Expression[], depth: number): Term | undefined {
    for (const v of values) {
      const t = this.fold(v, v, v, depth + 1);
      if (!t) return undefined;
      if (!t.has) {
        if (values.length === 1) return { ...t, dim: undefined, root: undefined };
        continue;
      }
      if (t.exp === 1) return { ...this.atom(at), tensor: t.tensor };
      return { ...t, local: false };
    }
    return UNKNOWN;
  }

  private binary(e: ts.BinaryExpression, def: ts.Expression, use: ts.Node, depth: number): Term | undefined {
    const op = e.operatorToken.kind;
    const a = this.fold(e.left, def, use, depth);
    if (!a) return undefined;
    if (op === ts.SyntaxKind.AsteriskAsteriskToken) {
      const p = this.ctx.values.evalNumber(e.right);
      if (p === undefined) return a.has ? undefined : UNKNOWN;
      return this.mark(e, { ...a, exp: a.exp * p, coef: a.coef ** p }, a, def);
    }
    const b = this.fold(e.right, def, use, depth);
    if (!b) return undefined;
    const d = a.has ? a : b;
    switch (op) {
      case ts.SyntaxKind.AsteriskToken:
        return this.mark(e, { ...d, has: a.has || b.has, exp: a.exp + b.exp, coef: a.coef * b.coef }, d, def);
      case ts.SyntaxKind.SlashToken:
        return this.mark(e, { ...d, has: a.has || b.has, exp: a.exp - b.exp, coef: a.coef / b.coef }, d, def);
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.MinusToken:
        if (a.has || b.has) return undefined;
        return CONST(op === ts.SyntaxKind.PlusToken ? a.coef + b.coef : a.coef - b.coef);
      default:
        return a.has || b.has ? undefined : UNKNOWN;
    }
  }

  private call(e: ts.CallExpression, def: ts.Expression, use: ts.Node, depth: number): Term | undefined {
    const ctx = this.ctx;
    const c = unwrap(e.expression);
    const path = ctx.b.qualify(c);
    const math = ts.isPropertyAccessExpression(c) && isMath(c.expression);
    const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(c);
    const a = e.arguments;
    // a method of a tensor (`dk.sqrt()`, `x.div(d)`): no namespace, the receiver is an operand
    const method = !path && !math && ts.isPropertyAccessExpression(c) && !(ts.isIdentifier(c.expression) && /^(tf|tfjs|ns)$/.test(c.expression.text)) && a.length <= 1;
    const recv = method ? (c as ts.PropertyAccessExpression).expression : undefined;
    const ns = !math && !path && ts.isPropertyAccessExpression(c) && !method ? c.expression.getText(ctx.sf) : undefined;
    const power = (x: ts.Expression | undefined, p: number | undefined, root: boolean): Term | undefined => {
      if (!x) return UNKNOWN;
      const t = this.fold(x, def, use, depth);
      if (!t) return undefined;
      if (p === undefined) return t.has ? undefined : UNKNOWN;
      return this.mark(e, { ...t, exp: t.exp * p, coef: t.coef ** p, ns: root ? ns ?? t.ns : t.ns }, t, def);
    };
    const two = (x: ts.Expression | undefined, y: ts.Expression | undefined, div: boolean): Term | undefined => {
      if (!x || !y) return UNKNOWN;
      const s = this.fold(x, def, use, depth);
      const t = s && this.fold(y, def, use, depth);
      if (!s || !t) return undefined;
      const d = s.has ? s : t;
      return this.mark(e, { ...d, has: s.has || t.has, exp: div ? s.exp - t.exp : s.exp + t.exp, coef: div ? s.coef / t.coef : s.coef * t.coef }, d, def);
    };
    const num = (x: ts.Expression | undefined): number | undefined => {
      const u = x && unwrap(x);
      if (!u) return undefined;
      if (ts.isCallExpression(u) && calleeName(u.expression) === 'scalar' && u.arguments.length === 1) return ctx.values.evalNumber(u.arguments[0]);
      return ctx.values.evalNumber(u);
    };
    if (math) {
      if (name === 'sqrt' && a.length === 1) return power(a[0], 0.5, true);
      if (name === 'pow' && a.length === 2) return power(a[0], num(a[1]), true);
      return a.some((x) => this.fold(x, def, use, depth)?.has !== false) ? undefined : UNKNOWN;
    }
    if (recv) {
      if ((name === 'sqrt' || name === 'rsqrt') && a.length === 0) return power(recv, name === 'sqrt' ? 0.5 : -0.5, true);
      if (name === 'reciprocal' && a.length === 0) return power(recv, -1, false);
      if (name === 'pow' && a.length === 1) return power(recv, num(a[0]), true);
      if ((name === 'mul' || name === 'div') && a.length === 1) return two(recv, a[0], name === 'div');
      if ((name === 'toFloat' || name === 'asType') && a.length <= 1) return power(recv, 1, false);
    }
    if (path || ns !== undefined || (ts.isIdentifier(c) && /^(Number|parseFloat|parseInt)$/.test(c.text))) {
      if ((name === 'sqrt' || name === 'rsqrt') && a.length === 1) return power(a[0], name === 'sqrt' ? 0.5 : -0.5, true);
      if (name === 'reciprocal' && a.length === 1) return power(a[0], -1, false);
      if (name === 'pow' && a.length === 2) return power(a[0], num(a[1]), true);
      if ((name === 'mul' || name === 'div') && a.length === 2) return two(a[0], a[1], name === 'div');
      if ((name === 'scalar' || name === 'tensor' || name === 'Number' || name === 'parseFloat' || name === 'parseInt') && a.length >= 1) {
        // the number under `tf.scalar(d)` stays the head size a fix writes (`d / 8`, not a tensor)
        const t = this.fold(a[0], def, use, depth);
        return t && { ...t };
      }
      if (name === 'cast' && a.length >= 1) return power(a[0], 1, false) && { ...power(a[0], 1, false)!, tensor: true };
    }
    if (!path && ns === undefined) {
      const helper = this.ix.resolveCall(e);
      if (helper) return this.through(e, returnsOf(helper), depth);
    }
    return a.some((x) => this.fold(x, def, use, depth)?.has !== false) ? undefined : UNKNOWN;
  }

  /** Records `node` as the head size (power 1) or the root (power ±1/2) of the term it comes to. */
  private mark(node: ts.Expression, t: Term, from: Term, def: ts.Expression): Term {
    if (!t.has || !from.local) return t;
    if (t.exp === 1) return { ...t, coef: 1, dim: node, root: undefined, tensor: t.tensor || isTensorExpr(node, this.ctx, this.ix) };
    if (Math.abs(t.exp) === 0.5 && Number.isFinite(t.coef) && t.coef !== 0) return { ...t, root: { node, exp: t.exp, coef: t.coef, def } };
    return t;
  }
}

/**
 * The power of the head size a scale expression comes to, with what a fix rewrites: undefined when it holds
 * no head size or is not a product of powers (then the rule falls back to the root forms of scale.ts).
 */
export function scaleNormalForm(scale: ts.Expression, ctx: Ctx, ix: FileIndex, use: ts.Node): { exp: number; sq?: SqrtScale } | undefined {
  const t = new Folder(ctx, ix).fold(scale, scale, use, 0);
  if (!t || !t.has || !Number.isFinite(t.exp)) return undefined;
  const r = t.root;
  if (!r || !t.dim) return { exp: t.exp };
  return {
    exp: t.exp,
    sq: { node: r.node, dim: t.dim, inverse: r.exp < 0, tensor: t.tensor, ns: t.ns, def: r.def, sign: r.exp < 0 ? -1 : 1, coef: r.coef },
  };
}
