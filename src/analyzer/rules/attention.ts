// mup/attention-sqrt-scaling: attention logits (`matMul(q, k, false, true)` or einsum scores that go to a
// softmax) scaled by 1/sqrt(d_head). muP (TP-V, Table 8) wants attn_mult/d_head; mup's README picks
// attn_mult so that both agree at the base head size (8/d at d_head = 64).
import ts = require('typescript');
import type { Bindings } from '../bindings';
import type { Facts } from '../collect';
import { makeFinding, type Ctx } from '../context';
import { isAncestor, outerParent, replaceNode, SKIP, STOP, unwrap, walk } from '../source';
import type { Finding } from '../types';
import { normalizeName, type WidthModel } from '../width';

export interface ScoreSite {
  call: ts.CallExpression;
  fn: ts.FunctionLikeDeclaration;
  /** q and k as written. */
  operands: ts.Expression[];
}

function isTrue(e: ts.Expression | undefined): boolean {
  return !!e && unwrap(e).kind === ts.SyntaxKind.TrueKeyword;
}

function isTransposeCall(e: ts.Expression, b: Bindings): boolean {
  const u = unwrap(e);
  if (!ts.isCallExpression(u)) return false;
  const c = unwrap(u.expression);
  return b.qualify(c) === 'tf.transpose' || (ts.isPropertyAccessExpression(c) && c.name.text === 'transpose');
}

/** q.k^T products inside functions that also apply a softmax. */
export function findScoreSites(facts: Facts, b: Bindings): ScoreSite[] {
  const out: ScoreSite[] = [];
  const softmaxFns = new Map<ts.Node, boolean>();
  for (let i = 0; i < facts.calls.length; i++) {
    const n = facts.calls[i];
    if (!ts.isCallExpression(n)) continue;
    const callee = unwrap(n.expression);
    const a = n.arguments;
    let operands: ts.Expression[] | undefined;
    const path = b.callPaths[i];
    if (!path && !(ts.isPropertyAccessExpression(callee) && callee.name.text === 'matMul')) continue;
    if (path === 'tf.matMul' && a.length >= 2 && (isTrue(a[3]) || isTransposeCall(a[1], b))) operands = [a[0], a[1]];
    else if (path === 'tf.einsum' && a.length === 3) operands = [a[1], a[2]];
    else if (!path && ts.isPropertyAccessExpression(callee) && callee.name.text === 'matMul' && a.length >= 1 && (isTrue(a[2]) || isTransposeCall(a[0], b))) operands = [callee.expression, a[0]];
    if (!operands) continue;
    const fn = facts.callFns[i];
    if (!fn || !fn.body) continue;
    let has = softmaxFns.get(fn);
    if (has === undefined) {
      has = fn.body.getText(facts.sf).includes('softmax');
      softmaxFns.set(fn, has);
    }
    if (has) out.push({ call: n, fn, operands });
  }
  return out;
}

interface SqrtScale {
  /** The `Math.sqrt(d)` / `d ** -0.5` / `tf.rsqrt(...)` node. */
  node: ts.Expression;
  /** The head dimension under the root. */
  dim: ts.Expression;
  inverse: boolean;
  /** `dim` is a tensor (`tf.sqrt(tf.cast(k.shape[3], 'float32'))`): the fix must stay a tensor op, since
   * `tensor / 8` in JS is NaN. */
  tensor: boolean;
  /** The whole scale expression where it is defined (what the finding points at). */
  def: ts.Expression;
}

const HEAD_DIM_NAMES = /^(d|dk|dq|dv|dh|dkey|dhead|headdim|headsize|dimhead|dimperhead|keydim|kdim|qkdim|headdimension|hd|hs|depth)$/;

function isHeadDim(e: ts.Expression, w: WidthModel): boolean {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u)) return false;
  if (w.isDerived(u)) return true;
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
  return named;
}

function isHalf(e: ts.Expression): 1 | -1 | 0 {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u) && Number(u.text) === 0.5) return 1;
  if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(u.operand) && Number(u.operand.text) === 0.5) return -1;
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.SlashToken && ts.isNumericLiteral(u.left) && ts.isNumericLiteral(u.right) && Number(u.left.text) / Number(u.right.text) === 0.5) return 1;
  return 0;
}

/** A tfjs op's result (`tf.cast(...)`, `tf.scalar(...)`), as opposed to a plain number expression. */
function isTensorExpr(e: ts.Expression, ctx: Ctx): boolean {
  const u = unwrap(e);
  return ts.isCallExpression(u) && (ctx.b.qualify(u.expression)?.startsWith('tf.') ?? false);
}

/** `tf.scalar(d)` -> `d` */
function unScalar(e: ts.Expression, b: Bindings): ts.Expression {
  const u = unwrap(e);
  if (ts.isCallExpression(u) && (b.qualify(u.expression) === 'tf.scalar' || b.qualify(u.expression) === 'tf.tensor') && u.arguments.length >= 1) return u.arguments[0];
  return u;
}

function sqrtForm(n: ts.Node, ctx: Ctx): { dim: ts.Expression; inverse: boolean; tensor?: boolean } | undefined {
  if (ts.isCallExpression(n)) {
    const c = unwrap(n.expression);
    const text = ts.isPropertyAccessExpression(c) ? c.getText(ctx.sf) : '';
    const path = ctx.b.qualify(c);
    if (text === 'Math.sqrt' && n.arguments.length === 1) return { dim: n.arguments[0], inverse: false };
    if (text === 'Math.pow' && n.arguments.length === 2) {
      const h = isHalf(n.arguments[1]);
      if (h) return { dim: n.arguments[0], inverse: h < 0 };
    }
    if ((path === 'tf.sqrt' || path === 'tf.rsqrt') && n.arguments.length === 1) {
      const dim = unScalar(n.arguments[0], ctx.b);
      return { dim, inverse: path === 'tf.rsqrt', tensor: isTensorExpr(dim, ctx) };
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

/** Finds a 1/sqrt(head dim) in a scale expression, through local variables and class fields. */
function findSqrt(e: ts.Expression, ctx: Ctx, def: ts.Expression, depth: number, use: ts.Node): SqrtScale | undefined {
  if (depth > 4) return undefined;
  let result: SqrtScale | undefined;
  walk(e, (n) => {
    if (ts.isTypeNode(n)) return SKIP;
    const f = sqrtForm(n, ctx);
    if (f && isHeadDim(f.dim, ctx.w)) {
      result = { node: n as ts.Expression, dim: f.dim, inverse: f.inverse, tensor: f.tensor ?? false, def };
      return STOP;
    }
    if (ts.isIdentifier(n) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const v = ctx.values.latestAssignment(n.text, use) ?? singleValue(ctx.facts.assigns.get(n.text));
      if (v && !ts.isBindingElement(v as ts.Node)) result = findSqrt(v, ctx, v, depth + 1, v);
      return result ? STOP : SKIP;
    }
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) {
      for (const a of ctx.facts.props.get(n.name.text) ?? []) {
        result = findSqrt(a.value, ctx, a.value, depth + 1, a.value);
        if (result) return STOP;
      }
      return SKIP;
    }
    return undefined;
  });
  return result;
}

function singleValue<T extends { value: ts.Expression }>(list: T[] | undefined): ts.Expression | undefined {
  return list && list.length === 1 ? list[0].value : undefined;
}

/** Mul/div calls in `fn`: [tensor operands, scale operand] pairs. */
function scalings(call: ts.CallExpression, b: Bindings): [ts.Expression, ts.Expression][] {
  const c = unwrap(call.expression);
  const path = b.qualify(c);
  if ((path === 'tf.mul' || path === 'tf.div') && call.arguments.length === 2) {
    const [x, y] = call.arguments;
    return path === 'tf.div' ? [[x, y]] : [[x, y], [y, x]];
  }
  if (!path && ts.isPropertyAccessExpression(c) && (c.name.text === 'mul' || c.name.text === 'div') && call.arguments.length === 1) {
    return [[c.expression, call.arguments[0]]];
  }
  return [];
}

/** Whether `t` is (or holds) the scores of `site`, or one of its q/k operands. */
function relatesTo(t: ts.Expression, site: ScoreSite, ctx: Ctx, depth: number): boolean {
  const u = unwrap(t);
  if (isAncestor(u, site.call)) return true;
  if (depth > 4) return false;
  if (ts.isIdentifier(u)) {
    for (const op of site.operands) {
      const o = unwrap(op);
      if (ts.isIdentifier(o) && o.text === u.text) return true;
    }
    const v = ctx.values.latestAssignment(u.text, u);
    return !!v && !ts.isBindingElement(v as ts.Node) && relatesTo(v, site, ctx, depth + 1);
  }
  if (ts.isCallExpression(u)) {
    // ops that keep the scores (add a mask, reshape): follow their tensor arguments
    const c = unwrap(u.expression);
    if (ts.isPropertyAccessExpression(c) && relatesTo(c.expression, site, ctx, depth + 1)) return true;
    return u.arguments.some((a) => relatesTo(a, site, ctx, depth + 1));
  }
  return false;
}

/** Whether a mul/div call feeds the q or k of the score product. */
function feedsOperand(call: ts.CallExpression, site: ScoreSite): boolean {
  const { node: p, child } = outerParent(call);
  if (p === site.call) return true;
  if (p && ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) {
    const name = p.name.text;
    return site.operands.some((o) => ts.isIdentifier(unwrap(o)) && (unwrap(o) as ts.Identifier).text === name);
  }
  return false;
}

export function attentionRule(ctx: Ctx, sites: ScoreSite[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<ts.Node>();
  const byFn = new Map<ts.Node, ScoreSite[]>();
  for (const s of sites) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  if (sites.length === 0) return findings;
  const { calls, callFns } = ctx.facts;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    const fn = callFns[i];
    if (!ts.isCallExpression(call)) continue;
    const fnSites = fn && byFn.get(fn);
    if (!fnSites) continue;
    for (const [tensor, scale] of scalings(call, ctx.b)) {
      const site = fnSites.find((s) => relatesTo(tensor, s, ctx, 0) || feedsOperand(call, s));
      if (!site) continue;
      const sq = findSqrt(scale, ctx, scale, 0, call);
      if (!sq || seen.has(sq.node)) continue;
      seen.add(sq.node);
      findings.push(makeAttentionFinding(ctx, sq));
    }
  }
  return findings;
}

/** Head size at the base width: `dModel / 4` with base 64 gives 16; unknown: mup's default 64. */
function baseHeadSize(ctx: Ctx, dim: ts.Expression): { size: number; known: boolean } {
  let e: ts.Expression | undefined = unwrap(dim);
  for (let i = 0; i < 4 && e; i++) {
    const c = ctx.values.evalNumber(e);
    if (c !== undefined) return { size: c, known: true };
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.SlashToken && ctx.w.isDerived(e.left)) {
      const h = ctx.values.evalNumber(e.right);
      if (h !== undefined && h > 0) return { size: ctx.baseWidth / h, known: true };
      return { size: 64, known: false };
    }
    if (ts.isIdentifier(e) && ctx.w.isWidthName(e.text)) return { size: ctx.baseWidth, known: true };
    if (ts.isPropertyAccessExpression(e) && ctx.w.isWidthName(e.name.text)) return { size: ctx.baseWidth, known: true };
    const list: { value: ts.Expression }[] | undefined = ts.isIdentifier(e) ? ctx.facts.assigns.get(e.text) : ts.isPropertyAccessExpression(e) ? ctx.facts.props.get(e.name.text) : undefined;
    const v: ts.Expression | undefined = singleValue(list);
    e = v && !ts.isBindingElement(v as ts.Node) ? unwrap(v) : undefined;
  }
  return { size: 64, known: false };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

function makeAttentionFinding(ctx: Ctx, sq: SqrtScale): Finding {
  const sf = ctx.sf;
  const base = baseHeadSize(ctx, sq.dim);
  const mult = fmt(Math.sqrt(base.size));
  const dimText0 = sq.dim.getText(sf);
  const du = unwrap(sq.dim);
  const dimText = ts.isIdentifier(du) || ts.isPropertyAccessExpression(du) || ts.isElementAccessExpression(du) || ts.isCallExpression(du) ? dimText0 : `(${dimText0})`;
  // Replace so that 1/sqrt(d) becomes mult/d: a whole `1 / sqrt(d)` becomes `mult / d`; otherwise
  // sqrt(d) -> (d / mult) and d ** -0.5 -> (mult / d), which keeps any surrounding arithmetic right.
  let target: ts.Node = sq.node;
  let text: string;
  const { node: p, child } = outerParent(sq.node);
  const div = ctx.b.refTo('tf.div');
  if (sq.tensor) {
    // A tensor under the root: stay in tensor ops. `tf.div(1, tf.sqrt(X))` -> `tf.div(M, X)`,
    // `tf.sqrt(X)` -> `tf.div(X, M)`, `tf.rsqrt(X)` -> `tf.div(M, X)`.
    if (!sq.inverse && p && ts.isCallExpression(p) && ctx.b.qualify(p.expression) === 'tf.div' && p.arguments.length === 2 && p.arguments[1] === child && ts.isNumericLiteral(unwrap(p.arguments[0]))) {
      target = p;
      text = `${div.text}(${fmt(Number((unwrap(p.arguments[0]) as ts.NumericLiteral).text) * Math.sqrt(base.size))}, ${dimText0})`;
    } else text = sq.inverse ? `${div.text}(${mult}, ${dimText0})` : `${div.text}(${dimText0}, ${mult})`;
  } else if (!sq.inverse && p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.SlashToken && p.right === child && ts.isNumericLiteral(unwrap(p.left))) {
    target = p;
    text = `${fmt(Number((unwrap(p.left) as ts.NumericLiteral).text) * Math.sqrt(base.size))} / ${dimText}`;
  } else {
    text = sq.inverse ? `${mult} / ${dimText}` : `${dimText} / ${mult}`;
  }
  const { node: tp } = outerParent(target);
  const bare = !tp || ts.isCallExpression(tp) || ts.isVariableDeclaration(tp) || ts.isPropertyAssignment(tp) || ts.isPropertyDeclaration(tp) || ts.isReturnStatement(tp) || (ts.isBinaryExpression(tp) && tp.operatorToken.kind === ts.SyntaxKind.EqualsToken);
  const newText = bare || sq.tensor ? text : `(${text})`;
  const at = base.known ? `d_head=${fmt(base.size)}, the head size at base width ${ctx.baseWidth}` : `d_head=${fmt(base.size)}`;
  const message =
    `attention logits scaled by 1/sqrt(d_head); muP wants attn_mult/d_head ` +
    `(${mult}/d_head equals 1/sqrt(d_head) at ${at}): with 1/sqrt(d_head) the logits grow like sqrt(width) after training`;
  return makeFinding(ctx, 'mup/attention-sqrt-scaling', sq.def, message, [
    {
      title: `Scale attention by ${mult} / ${dimText0} (muP attn_mult/d_head, same value at d_head=${fmt(base.size)})`,
      edits: [...(sq.tensor ? div.edits : []), replaceNode(sf, target, newText)],
      isPreferred: true,
    },
  ]);
}
