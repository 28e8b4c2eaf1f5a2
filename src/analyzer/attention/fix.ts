// The attention finding and its fix: 1/sqrt(d) becomes M/d with M = sqrt(base head size), so the scale is
// unchanged at the base width; a root of a tensor stays a tensor op (a Tensor divided by a number is NaN).
import ts = require('typescript');
import { makeFinding, type Ctx } from '../context';
import { calleeName, outerParent, replaceNode, unwrap } from '../source';
import type { Finding } from '../types';
import { singleValue, type SqrtScale } from './scale';

/** `tf.scalar(d)`, `tf.cast(d, ...)`, `tf.tensor(d)` -> `d` (the number under a tensor), else undefined. */
function underTensor(e: ts.Expression, ctx: Ctx): ts.Expression | undefined {
  if (!ts.isCallExpression(e) || e.arguments.length < 1) return undefined;
  const path = ctx.b.qualify(e.expression);
  return path === 'tf.scalar' || path === 'tf.cast' || path === 'tf.tensor' ? unwrap(e.arguments[0]) : undefined;
}

/** Head size at the base width: `dModel / 4` with base 64 gives 16; unknown: mup's default 64. */
function baseHeadSize(ctx: Ctx, dim: ts.Expression): { size: number; known: boolean } {
  let e: ts.Expression | undefined = unwrap(dim);
  for (let i = 0; i < 6 && e; i++) {
    const c = ctx.values.evalNumber(e);
    if (c !== undefined) return { size: c, known: true };
    const inner = underTensor(e, ctx);
    if (inner) {
      e = inner;
      continue;
    }
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

export function makeAttentionFinding(ctx: Ctx, sq: SqrtScale): Finding {
  const sf = ctx.sf;
  const base = baseHeadSize(ctx, sq.dim);
  const mult = fmt(Math.sqrt(base.size));
  // the constant beside the root (`Math.sqrt(2 / d)`: sqrt 2), kept so the value at the base head size is unchanged
  const coef = sq.coef ?? 1;
  const num = fmt(sq.inverse ? Math.sqrt(base.size) * coef : Math.sqrt(base.size) / coef);
  const dimText0 = sq.dim.getText(sf);
  const du = unwrap(sq.dim);
  const dimText = ts.isIdentifier(du) || ts.isPropertyAccessExpression(du) || ts.isElementAccessExpression(du) || ts.isCallExpression(du) ? dimText0 : `(${dimText0})`;
  // Replace so that 1/sqrt(d) becomes mult/d: a whole `1 / sqrt(d)` becomes `mult / d`; otherwise
  // sqrt(d) -> (d / mult) and d ** -0.5 -> (mult / d), which keeps any surrounding arithmetic right.
  let target: ts.Node = sq.node;
  let text: string;
  const { node: p, child } = outerParent(sq.node);
  // the div of the namespace the root is written on (`this.tf.div`), else the file's own name for tf.div
  const div = sq.ns !== undefined ? { text: `${sq.ns}.div`, edits: [] } : ctx.b.refTo('tf.div');
  if (sq.tensor) {
    // A tensor under the root: stay in tensor ops. `tf.div(1, tf.sqrt(X))` -> `tf.div(M, X)`,
    // `tf.sqrt(X)` -> `tf.div(X, M)`, `tf.rsqrt(X)` -> `tf.div(M, X)`.
    const outerDiv = p && ts.isCallExpression(p) && calleeName(p.expression) === 'div' && p.arguments.length === 2 && (sq.ns !== undefined || ctx.b.qualify(p.expression) === 'tf.div');
    if (!sq.inverse && outerDiv && p.arguments[1] === child && ts.isNumericLiteral(unwrap(p.arguments[0]))) {
      target = p;
      text = `${p.expression.getText(sf)}(${fmt(Number((unwrap(p.arguments[0]) as ts.NumericLiteral).text) * Math.sqrt(base.size))}, ${dimText0})`;
    } else text = sq.inverse ? `${div.text}(${num}, ${dimText0})` : `${div.text}(${dimText0}, ${num})`;
  } else if (!sq.inverse && p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.SlashToken && p.right === child && ts.isNumericLiteral(unwrap(p.left))) {
    target = p;
    text = `${fmt(Number((unwrap(p.left) as ts.NumericLiteral).text) * Math.sqrt(base.size))} / ${dimText}`;
  } else {
    text = sq.inverse ? `${num} / ${dimText}` : `${dimText} / ${num}`;
  }
  const { node: tp } = outerParent(target);
  const bare = !tp || ts.isCallExpression(tp) || ts.isNewExpression(tp) || ts.isVariableDeclaration(tp) || ts.isPropertyAssignment(tp) || ts.isPropertyDeclaration(tp) || ts.isReturnStatement(tp) || ts.isArrowFunction(tp) || (ts.isBinaryExpression(tp) && tp.operatorToken.kind === ts.SyntaxKind.EqualsToken);
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
