// The width a readout fix divides the base width by, written so that it is right when the fixed code runs:
// the knob that sets the size of the tensor the readout reads (its fan-in), as the code at the fix can name
// it. For a list of layer sizes that is the element feeding the readout, the last one
// (`hiddenDim[hiddenDim.length - 1]`), never the list itself (`64 / params.hiddenDim` is NaN).
import ts = require('typescript');
import type { Ctx } from '../context';
import type { LayerRec } from '../discovery';
import type { Assignment } from '../collect';
import { enclosingClass, enclosingFunction, isAncestor, unwrap } from '../source';
import { iteratedList } from '../width';
import { analysisMemo } from '../memo';

/** How many names or operands are followed from the fan-in expression to the knob. */
const MAX_STEPS = 12;

/** The width knob behind the readout's fan-in, as an expression valid at `at`; undefined when none is. */
export function fanInKnobAt(ctx: Ctx, rec: LayerRec, at: ts.Node): string | undefined {
  return sizeKnobAt(ctx, ctx.layers.fanInExpr(rec), at);
}

/** The width knob behind a size expression, as an expression valid at `at`; undefined when none is. */
export function sizeKnobAt(ctx: Ctx, e: ts.Expression | undefined, at: ts.Node): string | undefined {
  if (!e || !ctx.w.isDerived(e)) return undefined;
  const chain = knobChain(ctx, e, at, 0);
  if (!chain) return undefined;
  const text = chainText(ctx, chain, 0);
  return text && visibleAt(ctx, chain, at) ? text : undefined;
}

/** The list a name runs over when it is a loop variable (`sizes.forEach((s) => ...)`, `for (const s of sizes)`)
 *  and nothing else is assigned to it. */
function loopList(ctx: Ctx, id: ts.Identifier): ts.Expression | undefined {
  return ctx.facts.assigns.has(id.text) ? undefined : iteratedList(id);
}

/**
 * The name, property or element chain that names the width inside a size expression (`lstmUnits` in
 * `Math.floor(lstmUnits / 2)`, `config.nEmbd` in `4 * config.nEmbd`), through local variables that are not
 * knobs themselves (`const hidden2 = ... channelCount ...`: `channelCount`).
 */
function knobChain(ctx: Ctx, e0: ts.Expression, at: ts.Node, steps: number): ts.Expression | undefined {
  if (steps > MAX_STEPS) return undefined;
  const e = unwrap(e0);
  if (ts.isIdentifier(e)) {
    if (loopList(ctx, e)) return e;
    // a knob the fix can name; else what it was assigned (`const size = sizes[i]` inside the loop)
    if (ctx.w.isWidthName(e.text) && visibleAt(ctx, e, at)) return e;
    const v = ctx.values.latestAssignment(e.text, e);
    if (!v || ts.isBindingElement(v as ts.Node)) return ctx.w.isDerived(e) ? e : undefined;
    return knobChain(ctx, v, at, steps + 1);
  }
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return isChain(e) ? e : undefined;
  const operands: ts.Expression[] = [];
  if (ts.isBinaryExpression(e)) operands.push(e.left, e.right);
  else if (ts.isCallExpression(e)) operands.push(...e.arguments);
  else if (ts.isConditionalExpression(e)) operands.push(e.whenTrue, e.whenFalse);
  else if (ts.isPrefixUnaryExpression(e)) operands.push(e.operand);
  for (const o of operands) if (ctx.w.isDerived(o)) return knobChain(ctx, o, at, steps + 1);
  return undefined;
}

/** `a.b[i].c`, `this.x`, `e[0]`: names, `this`, property and element accesses only. */
function isChain(e: ts.Expression): boolean {
  for (let x = unwrap(e); ; ) {
    if (ts.isIdentifier(x) || x.kind === ts.SyntaxKind.ThisKeyword) return true;
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = unwrap(x.expression);
    else return false;
  }
}

/**
 * The chain with its loop variables and indices replaced by the last element: `size` of
 * `sizes.forEach((size) => ...)` -> `sizes[sizes.length - 1]`, `e[0]` -> `list[list.length - 1][0]`,
 * `this.lstmLayers[i].units` -> `this.lstmLayers[this.lstmLayers.length - 1].units`.
 */
function chainText(ctx: Ctx, e0: ts.Expression, depth: number): string | undefined {
  if (depth > MAX_STEPS) return undefined;
  const e = unwrap(e0);
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isIdentifier(e)) {
    const list = loopList(ctx, e);
    if (!list) return e.text;
    const l = chainText(ctx, list, depth + 1);
    return l && `${l}[${l}.length - 1]`;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const o = chainText(ctx, e.expression, depth + 1);
    return o && `${o}.${e.name.text}`;
  }
  if (ts.isElementAccessExpression(e)) {
    const o = chainText(ctx, e.expression, depth + 1);
    if (!o) return undefined;
    const a = unwrap(e.argumentExpression);
    return ts.isNumericLiteral(a) || ts.isStringLiteralLike(a) ? `${o}[${a.getText(ctx.sf)}]` : `${o}[${o}.length - 1]`;
  }
  return undefined;
}

/** The root of the rewritten chain (its list's root for a loop variable) can be named at `at`. */
function visibleAt(ctx: Ctx, chain: ts.Expression, at: ts.Node): boolean {
  let root: ts.Expression = unwrap(chain);
  for (let i = 0; i <= MAX_STEPS; i++) {
    const list = ts.isIdentifier(root) ? loopList(ctx, root) : undefined;
    if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
    else if (list) root = unwrap(list);
    else break;
  }
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = enclosingClass(root);
    return !!cls && cls === enclosingClass(at);
  }
  if (!ts.isIdentifier(root)) return false;
  const name = root.text;
  const assigns = ctx.facts.assigns.get(name);
  const inScope = (a: Assignment): boolean => a.node.pos < at.pos && (!ts.isVariableDeclaration(a.node) || isAncestor(blockOf(a.node), at));
  if (assigns?.some((a) => a.fn === undefined && inScope(a))) return true;
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) {
    if (fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) return true;
    if (assigns?.some((a) => a.fn === fn && inScope(a))) return true;
  }
  return false;
}

/** The block (or loop, or file) a declaration is scoped to. */
function blockOf(n: ts.Node): ts.Node {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isCaseBlock(p)) return p;
  }
  return n.getSourceFile();
}

/**
 * A knob written as a reference (`params.hiddenDim`, `hiddenLayerSizes`) that holds a list of layer sizes
 * in this file (indexed, `.length`, iterated, or named `...Sizes`): its last element, in the file's own
 * expression; otherwise the reference itself.
 */
export function lastElementOf(ctx: Ctx, ref: string): string {
  if (/sizes$/i.test(ref) || isListInFile(ctx, ref)) return `${ref}[${ref}.length - 1]`;
  return ref;
}

/** Per file text, the answers so far (a factory with hundreds of readouts asks about one knob each time). */
const listMemo = analysisMemo<ts.SourceFile, Map<string, boolean>>();

function isListInFile(ctx: Ctx, ref: string): boolean {
  let memo = listMemo.get(ctx.sf);
  if (!memo) listMemo.set(ctx.sf, (memo = new Map()));
  let r = memo.get(ref);
  if (r === undefined) memo.set(ref, (r = scanForList(ctx.sf.text, ref)));
  return r;
}

function scanForList(text: string, ref: string): boolean {
  // `ref[`, `ref.length`, `ref.forEach(`/`.map(`, `of ref)`, `Array.isArray(ref)`: one indexOf pass over the
  // occurrences of `ref`, the text around each checked with sticky patterns (a regular expression over the whole
  // file that starts with a lookbehind is tried at every offset of the text; with the cheap pre-checks, five passes
  // over the text per name: 2-3% of the analysis). A list needs some occurrence followed by `[`, `.`, ` [` or `)`
  // (the pre-check) and one written as above.
  let written = false;
  let listLike = false;
  for (let i = text.indexOf(ref); i >= 0; i = text.indexOf(ref, i + 1)) {
    const after = i + ref.length;
    if (!written) {
      const c = text.charCodeAt(after);
      written = c === 91 /* [ */ || c === 46 /* . */ || c === 41 /* ) */ || (c === 32 && text.charCodeAt(after + 1) === 91);
    }
    if (!listLike) listLike = isListUse(text, i, after);
    if (written && listLike) return true;
  }
  return false;
}

function isListUse(text: string, i: number, after: number): boolean {
  // Both patterns need `[`, `.` or `)` as the first character after the name that is not white space: most
  // occurrences of a name (`width,`, `width;`, `width * 2`) are ruled out here, without a regular expression. (A
  // character past ASCII may be white space to `\s`: then the patterns decide.)
  let k = after;
  let c = text.charCodeAt(k);
  while (c === 32 || (c >= 9 && c <= 13)) c = text.charCodeAt(++k);
  if (c < 128 && c !== 91 /* [ */ && c !== 46 /* . */ && c !== 41 /* ) */) return false;
  if (!NAME_BEFORE.test(text.charAt(i - 1))) {
    LIST_USE.lastIndex = after;
    if (LIST_USE.test(text)) return true;
  }
  CLOSE_PAREN.lastIndex = after;
  if (!CLOSE_PAREN.test(text)) return false;
  let j = i;
  while (j > 0 && SPACE.test(text.charAt(j - 1))) j--;
  if (j < i && j >= 2 && text.slice(j - 2, j) === 'of' && !WORD.test(text.charAt(j - 3))) return true;
  return j >= 8 && text.slice(j - 8, j) === 'isArray(';
}
const NAME_BEFORE = /^[\w$.]$/;
const LIST_USE = /\s*\[|\.length\b|\.(?:forEach|map|reduce|slice)\s*\(/y;
const CLOSE_PAREN = /\s*\)/y;
const SPACE = /^\s$/;
const WORD = /^\w$/;
