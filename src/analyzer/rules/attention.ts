// mup/attention-sqrt-scaling: attention logits (q.k^T from `matMul` with a transposed key, `batchDot`, or
// `einsum`, that reach a softmax) scaled by 1/sqrt(d_head). muP (TP-V, Table 8) wants attn_mult/d_head; mup's
// README picks attn_mult so that both agree at the base head size (8/d at d_head = 64).
// The parts: attention/flow.ts (where the scores go), attention/scale.ts (the 1/sqrt forms),
// attention/fix.ts (the finding and its fix), attention/fileIndex.ts (helpers, uses, locals).
import ts = require('typescript');
import { fileIndex, type FileIndex, returnsOf } from '../attention/fileIndex';
import { makeAttentionFinding } from '../attention/fix';
import { scoreFlow, type Scaling } from '../attention/flow';
import { scaleNormalForm } from '../attention/normalForm';
import { findSqrt } from '../attention/scale';
import type { Bindings } from '../bindings';
import type { Facts } from '../collect';
import type { Ctx } from '../context';
import { calleeName, enclosingFunction, outerParent, unwrap } from '../source';
import type { Finding } from '../types';

export interface ScoreSite {
  call: ts.CallExpression;
  fn: ts.FunctionLikeDeclaration | undefined;
  /** q and k as written. */
  operands: ts.Expression[];
  /** What multiplies or divides the scores before the softmax, or q/k before the product. */
  scalings: Scaling[];
}

function isTrue(e: ts.Expression | undefined): boolean {
  return !!e && unwrap(e).kind === ts.SyntaxKind.TrueKeyword;
}

function isBool(e: ts.Expression | undefined): boolean {
  return !!e && (unwrap(e).kind === ts.SyntaxKind.TrueKeyword || unwrap(e).kind === ts.SyntaxKind.FalseKeyword);
}

/** A transpose that moves the feature (last) axis next-to-last: `k.transpose([0, 2, 1])`, `tf.transpose(k)`,
 * `tf.transpose(k, [0, 1, 3, 2])`, through a local or a local helper that returns one (not the
 * `[0, 2, 1, 3]` of a head split). */
function isTransposed(e: ts.Expression, ix: FileIndex, depth: number): boolean {
  const u = unwrap(e);
  if (depth > 3) return false;
  if (ts.isIdentifier(u)) {
    const v = ix.latest(u.text, u);
    return !!v && isTransposed(v, ix, depth + 1);
  }
  if (!ts.isCallExpression(u)) return false;
  const c = unwrap(u.expression);
  const path = ix.b.qualify(c);
  let perm: ts.Expression | undefined;
  if (path === 'tf.transpose') perm = u.arguments[1];
  else if (!path && ts.isPropertyAccessExpression(c) && c.name.text === 'transpose') perm = u.arguments.length >= 2 ? u.arguments[1] : u.arguments[0];
  else {
    const helper = !path ? ix.resolveCall(u) : undefined;
    return !!helper && depth < 2 && returnsOf(helper).some((r) => isTransposed(r, ix, depth + 2));
  }
  const p = perm && unwrap(perm);
  if (!p || !ts.isArrayLiteralExpression(p)) return true;
  const n = p.elements.length;
  const nextToLast = p.elements[n - 2];
  return n < 2 || !nextToLast || !ts.isNumericLiteral(nextToLast) || Number(nextToLast.text) === n - 1;
}

/** An einsum equation that contracts two operands (`bhqd,bhkd->bhqk`); a non-literal one is taken as one. */
function isContraction(eq: ts.Expression): boolean {
  const u = unwrap(eq);
  if (!ts.isStringLiteralLike(u)) return true;
  const m = /^\s*([a-z.]+)\s*,\s*([a-z.]+)\s*->\s*([a-z.]*)\s*$/i.exec(u.text);
  if (!m) return false;
  return [...m[1]].some((ch) => ch !== '.' && m[2].includes(ch) && !m[3].includes(ch));
}

/** q and k of a score product, or undefined when the call is not one. */
function scoreOperands(n: ts.CallExpression, path: string | undefined, ix: FileIndex): ts.Expression[] | undefined {
  const callee = unwrap(n.expression);
  const a = n.arguments;
  const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(callee);
  if (name === 'batchDot' && a.length >= 2) return [a[0], a[1]];
  if (name === 'einsum' && (path || ts.isPropertyAccessExpression(callee)) && a.length === 3 && isContraction(a[0])) return [a[1], a[2]];
  if (path === 'tf.layers.dot') return dotLayerOperands(n, ix);
  if (name !== 'matMul' && name !== 'dot') return undefined;
  // `tf.matMul(q, k, false, true)`, also with a namespace the imports do not show (`this.tf.matMul(q, k, ...)`)
  const fnForm = !!path || (ts.isPropertyAccessExpression(callee) && a.length >= 2 && !isBool(a[1]));
  if (fnForm) return a.length >= 2 && (isTrue(a[3]) || isTransposed(a[1], ix, 0)) ? [a[0], a[1]] : undefined;
  if (!ts.isPropertyAccessExpression(callee) || a.length < 1) return undefined;
  return isTrue(a[2]) || isTransposed(a[0], ix, 0) ? [callee.expression, a[0]] : undefined;
}

/** `tf.layers.dot({axes}).apply([q, k])` (also through a local holding the layer): the apply call is the
 * product. Returns [q, k] and moves `n`'s role to the apply call via `dotApply`. */
function dotLayerOperands(n: ts.CallExpression, ix: FileIndex): ts.Expression[] | undefined {
  const apply = dotApply(n, ix);
  const arr = apply && apply.arguments[0] && unwrap(apply.arguments[0]);
  return arr && ts.isArrayLiteralExpression(arr) && arr.elements.length === 2 ? [arr.elements[0], arr.elements[1]] : undefined;
}

function dotApply(n: ts.CallExpression, ix: FileIndex): ts.CallExpression | undefined {
  const { node: p, child } = outerParent(n);
  if (p && ts.isPropertyAccessExpression(p) && p.name.text === 'apply' && p.parent && ts.isCallExpression(p.parent) && p.parent.expression === p) return p.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) {
    for (const use of ix.usesOf(enclosingFunction(p) ?? ix.facts.sf, p.name.text, p.end)) {
      const u = outerParent(use).node;
      if (ts.isPropertyAccessExpression(u) && u.name.text === 'apply' && u.parent && ts.isCallExpression(u.parent)) return u.parent;
    }
  }
  return undefined;
}

const SCORE_NAMES = new Set(['matMul', 'dot', 'einsum', 'batchDot']);

/** q.k^T products whose result reaches a softmax, with what scales them. */
export function findScoreSites(facts: Facts, b: Bindings): ScoreSite[] {
  const out: ScoreSite[] = [];
  let ix: FileIndex | undefined;
  for (let i = 0; i < facts.calls.length; i++) {
    const n = facts.calls[i];
    if (!ts.isCallExpression(n)) continue;
    const path = b.callPaths[i];
    const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(n.expression);
    if (!name || !SCORE_NAMES.has(name) || (path && !path.startsWith('tf.'))) continue;
    if (path?.startsWith('tf.layers.') && path !== 'tf.layers.dot') continue;
    ix ??= fileIndex(facts, b);
    const operands = scoreOperands(n, path, ix);
    if (!operands) continue;
    const product = path === 'tf.layers.dot' ? dotApply(n, ix)! : n;
    const flow = scoreFlow(product, operands, ix);
    if (flow.reachesSoftmax) out.push({ call: product, fn: facts.callFns[i], operands, scalings: flow.scalings });
  }
  return out;
}

export function attentionRule(ctx: Ctx, sites: ScoreSite[]): Finding[] {
  const findings: Finding[] = [];
  if (sites.length === 0) return findings;
  const ix = fileIndex(ctx.facts, ctx.b);
  const seen = new Set<ts.Node>();
  const done = new Set<ts.Node>();
  for (const site of sites) {
    for (const s of site.scalings) {
      if (done.has(s.scale)) continue;
      done.add(s.scale);
      // the scores (or q) end up multiplied by d^-1/2: a d^1/2 divided in, or a d^-1/2 multiplied in
      const divides = s.divides ?? (calleeName(s.call.expression) === 'div' && s.tensor !== s.scale);
      // The power of d the scale comes to, in its algebraic normal form (attention/normalForm.ts); where
      // that cannot say (no head size found in it, or something that is not a product of powers), the
      // root forms of scale.ts.
      const nf = scaleNormalForm(s.scale, ctx, ix, s.call);
      // (a normal form other than d^-1/2 decides without the root forms: no search for them)
      if (nf && (divides ? -nf.exp : nf.exp) !== -0.5) continue;
      let sq = findSqrt(s.scale, ctx, ix, s.scale, 0, s.call);
      if (nf) {
        // the root forms' fix where they read the scale the same way, else the normal form's
        if (!sq || (divides ? -sq.sign : sq.sign) !== -1) sq = nf.sq;
      } else if (sq && (divides ? -sq.sign : sq.sign) !== -1) continue;
      if (!sq || seen.has(sq.node)) continue;
      seen.add(sq.node);
      findings.push(makeAttentionFinding(ctx, sq));
    }
  }
  return findings;
}
