// mup/residual-depth-unscaled (issue 22): a residual addition `h = h + f(h)` inside a block repeated over a depth
// knob (a loop to `depth`/`nLayers`/`numLayers`/`nLayer`/..., or over an array of blocks) whose branch f carries no
// depth multiplier. That is SP in depth (alpha = 0): each block adds an O(1) update, the residual stream grows with
// depth and the LR tuned at one depth does not transfer to another (docs/mup.md "Depth"). A warning, not an error:
// SP is a legitimate choice. Fixes multiply the branch by the file's own knob: (knob / base)^-1 (CompleteP, arXiv
// 2505.01618, preferred) or (knob / base)^-1/2 (depth-muP, Tensor Programs VI, arXiv 2310.02244).
// Each addition is judged by its own branch (the operand that is not the carried stream). A branch counts as
// multiplied when what it is made of (followed through the variables of its function and file, not through the
// carried stream) mentions the knob, `branchMultiplier`, or a name like `branchMult`/`residScale`/`depthMult`. A loop
// bound fixed in the code (literal constants only: rules/depthKnob.ts) is no knob.
import ts = require('typescript');
import { push, type Facts } from '../collect';
import { makeFinding, type Ctx } from '../context';
import { pushChildren } from '../children';
import { enclosingFunction, replaceNode, unwrap, walk } from '../source';
import type { Finding, Fix, TextEdit } from '../types';
import { fixedDepth } from './depthKnob';
import { analysisMemo } from '../memo';

/** Names of a depth knob (the bound of the loop that repeats the blocks). */
export const DEPTH_KNOB = /^(depth|n_?layers?|num_?layers?|n_?blocks?|num_?blocks?|layer_?count|block_?count|n_?layer|num_?hidden_?layers|depth_?mult|L)$/i;
/** An array of blocks looped over (`for (const block of blocks)`, `this.blocks.forEach(...)`). */
const BLOCK_ARRAY = /^(blocks?|layers|h|resblocks|transformer_?blocks|residual_?blocks)$/i;
/** A name that says it is a depth/branch multiplier. */
const MULT_NAME = /(branch|resid|residual|depth|block)_?(mult|multiplier|scale|factor|alpha)|^(alpha|res_?scale|branchMultiplier)$/i;
const BASE_NAME = /^(BASE_?DEPTH|baseDepth|base_depth|BASE_?LAYERS|baseLayers|BASE_N_?LAYERS)$/;

interface Loop {
  /** The knob as the code names it (`depth`, `this.nLayers`, `blocks.length`). */
  knob: string;
  /** The identifier names that are the knob (for the multiplier search). */
  names: Set<string>;
  body: ts.Node;
  /** The loop's bound when it is a named knob (`depth`, `this.nLayers`): what `fixedDepth` resolves. */
  bound?: ts.Expression;
}

const lastName = (e: ts.Expression): string | undefined => {
  const u = unwrap(e);
  if (ts.isIdentifier(u)) return u.text;
  if (ts.isPropertyAccessExpression(u)) return u.name.text;
  return undefined;
};

/** The loop around `n` (inside its function) that repeats over a depth knob, if any. */
function depthLoop(n: ts.Node, sf: ts.SourceFile): Loop | null {
  for (let p = n.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p)) return null;
    if (ts.isForStatement(p) && p.condition && ts.isBinaryExpression(p.condition)) {
      const op = p.condition.operatorToken.kind;
      if (op !== ts.SyntaxKind.LessThanToken && op !== ts.SyntaxKind.LessThanEqualsToken) continue;
      const bound = unwrap(p.condition.right);
      const name = lastName(bound);
      if (name && DEPTH_KNOB.test(name)) return { knob: bound.getText(sf), names: new Set([name]), body: p.statement, bound };
      if (ts.isPropertyAccessExpression(bound) && bound.name.text === 'length') {
        const arr = lastName(bound.expression);
        if (arr && BLOCK_ARRAY.test(arr)) return { knob: bound.getText(sf), names: new Set([arr]), body: p.statement };
      }
    }
    if (ts.isForOfStatement(p)) {
      const arr = lastName(p.expression);
      if (arr && BLOCK_ARRAY.test(arr)) return { knob: `${unwrap(p.expression).getText(sf)}.length`, names: new Set([arr]), body: p.statement };
    }
    if ((ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && ts.isCallExpression(p.parent)) {
      const callee = unwrap(p.parent.expression);
      if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'forEach' || callee.name.text === 'reduce' || callee.name.text === 'map')) {
        const arr = lastName(callee.expression);
        if (arr && BLOCK_ARRAY.test(arr)) return { knob: `${unwrap(callee.expression).getText(sf)}.length`, names: new Set([arr]), body: p.body };
      }
      return null;
    }
  }
  return null;
}

/** `h = <add>` (or `const h2 = <add>` is not residual: the carried name must be the target). */
function assignedTo(call: ts.Node): string | undefined {
  let e: ts.Node = call;
  while (e.parent && (ts.isAsExpression(e.parent) || ts.isParenthesizedExpression(e.parent) || ts.isNonNullExpression(e.parent) || ts.isTypeAssertionExpression(e.parent))) e = e.parent;
  const p = e.parent;
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === e && ts.isIdentifier(p.left)) return p.left.text;
  return undefined;
}

interface Addition {
  /** The node the finding is reported on. */
  at: ts.Node;
  /** The `tf.layers.add(...)` call of a layer addition (the layer the hover describes). */
  layerCall?: ts.CallExpression;
  branch: ts.Expression;
  /** The carried stream (the assignment's target and the other operand): the branch is judged without it. */
  carried: string;
  form: 'layer' | 'op' | 'method';
}

/** The residual additions of the file: `h = add.apply([h, f])`, `h = tf.add(h, f)`, `h = h.add(f)`. */
function additions(ctx: Ctx): Addition[] {
  // (the hover's notes and the rule both ask: found once per analysis)
  let out = additionsMemo.get(ctx.facts);
  if (!out) additionsMemo.set(ctx.facts, (out = findAdditions(ctx)));
  return out;
}
const additionsMemo = analysisMemo<Facts, Addition[]>();

function findAdditions(ctx: Ctx): Addition[] {
  const out: Addition[] = [];
  const paths = ctx.b.callPaths;
  ctx.facts.calls.forEach((call, i) => {
    if (!ts.isCallExpression(call)) return;
    const path = paths[i];
    let operands: readonly ts.Expression[] | undefined;
    let outer: ts.CallExpression = call;
    let form: Addition['form'] = 'op';
    if (path === 'tf.layers.add') {
      const pa = call.parent;
      if (!pa || !ts.isPropertyAccessExpression(pa) || pa.name.text !== 'apply' || !ts.isCallExpression(pa.parent)) return;
      outer = pa.parent;
      const arr = outer.arguments[0] && unwrap(outer.arguments[0]);
      if (!arr || !ts.isArrayLiteralExpression(arr) || arr.elements.length !== 2) return;
      operands = arr.elements;
      form = 'layer';
    } else if (path === 'tf.add' && call.arguments.length === 2) {
      operands = call.arguments;
    } else {
      const c = unwrap(call.expression);
      if (!ts.isPropertyAccessExpression(c) || c.name.text !== 'add' || call.arguments.length !== 1) return;
      operands = [c.expression, call.arguments[0]];
      form = 'method';
    }
    const carried = assignedTo(outer);
    if (!carried) return;
    const k = operands.findIndex((o) => {
      const u = unwrap(o);
      return ts.isIdentifier(u) && u.text === carried;
    });
    if (k < 0) return;
    out.push({ at: outer, branch: operands[1 - k], carried, form, ...(form === 'layer' ? { layerCall: call } : {}) });
  });
  return out;
}

/** Every identifier a branch is made of, followed through the declarations of its function and the file (and,
 *  with `texts`, the source text of what it is made of). The carried stream is not followed: its other definitions
 *  are the other residual additions of the block, whose branches say nothing about this one (a pre-LN block whose
 *  FFN init std mentions the depth does not make its attention branch scaled). */
function mentions(ctx: Ctx, branch: ts.Expression, scope: ts.Node, sf: ts.SourceFile, carried: string, texts?: string[]): Set<string> {
  // (the declarations of a scope are gathered once per analysis: a block with several additions, and the hover's
  // notes, ask again)
  let byScope = defsMemo.get(ctx.facts);
  if (!byScope) defsMemo.set(ctx.facts, (byScope = new Map()));
  let defs = byScope.get(scope);
  if (!defs) byScope.set(scope, (defs = scopeDefs(scope, sf)));
  const seen = new Set<string>();
  const todo: ts.Node[] = [branch];
  let budget = 2000;
  while (todo.length > 0 && budget-- > 0) {
    const n = todo.pop()!;
    if (ts.isIdentifier(n)) {
      if (!seen.has(n.text) && n.text !== carried) {
        seen.add(n.text);
        for (const d of defs.get(n.text) ?? []) {
          todo.push(d);
          texts?.push(d.getText(sf));
        }
      }
      continue;
    }
    // (its children in source order, as `ts.forEachChild` gives them, without a closure per node)
    pushChildren(n, todo);
  }
  return seen;
}

const defsMemo = analysisMemo<Facts, Map<ts.Node, Map<string, ts.Expression[]>>>();

/** name -> what is assigned to it in `scope` (declarations, `x = e`) and in the file's top-level declarations. */
function scopeDefs(scope: ts.Node, sf: ts.SourceFile): Map<string, ts.Expression[]> {
  const defs = new Map<string, ts.Expression[]>();
  const collect = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) push(defs, n.name.text, n.initializer);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) push(defs, n.left.text, n.right);
  };
  walk(scope, collect);
  for (const st of sf.statements) if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) walk(d, collect);
  return defs;
}

/** The base depth as the file names it: its constant, the knob's default (`{ depth = 2 }`), else 1. */
function baseDepthText(ctx: Ctx, loop: Loop): string {
  for (const st of ctx.sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && BASE_NAME.test(d.name.text)) return d.name.text;
  }
  // The first such default in the file: read from the walk's facts (every destructured name is an assignment
  // there, its node the binding element), not by walking the whole file again for each finding.
  let found: ts.BindingElement | undefined;
  for (const name of loop.names) {
    for (const a of ctx.facts.assigns.get(name) ?? []) {
      const n = a.node;
      if (ts.isBindingElement(n) && n.initializer && ts.isNumericLiteral(n.initializer)) {
        if (!found || n.pos < found.pos) found = n;
        break;
      }
    }
  }
  return found ? (found.initializer as ts.NumericLiteral).text : '1';
}

function fixesFor(ctx: Ctx, add: Addition, loop: Loop): Fix[] {
  const base = baseDepthText(ctx, loop);
  const branchText = add.branch.getText(ctx.sf);
  const isTs = /\.(ts|tsx|mts|cts)$/.test(ctx.fileName);
  const make = (exp: string, label: string): Fix => {
    const mult = `(${loop.knob} / ${base}) ** ${exp}`;
    let text: string;
    const edits: TextEdit[] = [];
    if (add.form === 'layer') {
      const ref = ctx.b.refTo('tf.layers.rescaling', add.at);
      edits.push(...ref.edits);
      const ns = /^(\w+)\.layers\.rescaling$/.exec(ref.text)?.[1];
      text = `${ref.text}({ scale: ${mult} }).apply(${branchText})${isTs && ns ? ` as ${ns}.SymbolicTensor` : ''}`;
    } else if (add.form === 'op') {
      const ref = ctx.b.refTo('tf.mul', add.at);
      edits.push(...ref.edits);
      text = `${ref.text}(${branchText}, ${mult})`;
    } else {
      const simple = ts.isIdentifier(unwrap(add.branch)) || ts.isCallExpression(unwrap(add.branch));
      text = `${simple ? branchText : `(${branchText})`}.mul(${mult})`;
    }
    return { title: `Multiply the residual branch by (${loop.knob} / ${base})^${exp} (${label})`, edits: [replaceNode(ctx.sf, add.branch, text), ...edits] };
  };
  const preferred = make('-1', 'CompleteP, alpha = 1');
  preferred.isPreferred = true;
  return [preferred, make('-0.5', 'depth-muP, alpha = 1/2')];
}

/** The alpha a multiplied branch implements, read from what it is made of: `** -0.5` / `Math.sqrt` -> 1/2,
 *  `** -1` / `1 / depth` -> 1, a numeric `ALPHA` constant -> its value; else null (a multiplier, alpha unread). */
function alphaOf(texts: string[], sf: ts.SourceFile): number | null {
  const t = texts.join('\n');
  const alphaConst = /\*\*\s*-\s*\(?\s*([A-Za-z_$][\w$]*)/.exec(t)?.[1];
  if (alphaConst) {
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === alphaConst && d.initializer && ts.isNumericLiteral(unwrap(d.initializer))) return Number((unwrap(d.initializer) as ts.NumericLiteral).text);
      }
    }
  }
  if (/\*\*\s*-\s*\(?\s*(0?\.5|1\s*\/\s*2)\b/.test(t) || /Math\.sqrt/.test(t)) return 0.5;
  if (/\*\*\s*-\s*1\b(?!\s*\/)/.test(t) || /\b1\s*\/\s*\(?\s*[A-Za-z_$][\w$.]*/.test(t)) return 1;
  return null;
}

const SCHEME = (a: number | null): string =>
  a === null ? 'a depth multiplier (its alpha is not read from the code)' : a === 1 ? 'alpha = 1: CompleteP (arXiv 2505.01618)' : a === 0.5 ? 'alpha = 1/2: depth-muP (Tensor Programs VI, arXiv 2310.02244)' : `alpha = ${a} (CompleteP's general form)`;

/**
 * The hover's line for each `tf.layers.add` in a block repeated over a depth knob (issue 22): which depth scheme its
 * branch implements (alpha), or that it has none (SP, alpha = 0). Keyed by the `tf.layers.add(...)` call.
 */
export function residualDepthNotes(ctx: Ctx): Map<ts.Node, string> {
  const out = new Map<ts.Node, string>();
  for (const add of additions(ctx)) {
    if (!add.layerCall) continue;
    const loop = depthLoop(add.at, ctx.sf);
    if (!loop || fixedDepth(loop.bound, ctx.sf, ctx.facts)) continue;
    const texts: string[] = [add.branch.getText(ctx.sf)];
    const seen = mentions(ctx, add.branch, enclosingFunction(add.at) ?? ctx.sf, ctx.sf, add.carried, texts);
    const multiplied = [...seen].some((n) => loop.names.has(n) || MULT_NAME.test(n) || DEPTH_KNOB.test(n));
    out.set(
      add.layerCall,
      multiplied
        ? `residual addition repeated over \`${loop.knob}\`; its branch is scaled with depth: ${SCHEME(alphaOf(texts, ctx.sf))}`
        : `residual addition repeated over \`${loop.knob}\`; its branch has no depth multiplier: alpha = 0 (SP in depth; mup/residual-depth-unscaled)`,
    );
  }
  return out;
}

export function residualDepthRule(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const add of additions(ctx)) {
    const loop = depthLoop(add.at, ctx.sf);
    // A loop to a bound fixed in the code (literal constants only, module or local) builds one depth: there is no
    // depth to transfer across (the knob is what varies).
    if (!loop || fixedDepth(loop.bound, ctx.sf, ctx.facts)) continue;
    const scope = enclosingFunction(add.at) ?? ctx.sf;
    const seen = mentions(ctx, add.branch, scope, ctx.sf, add.carried);
    const multiplied = [...seen].some((n) => loop.names.has(n) || MULT_NAME.test(n) || DEPTH_KNOB.test(n));
    if (multiplied) continue;
    const message =
      `residual addition in a block repeated over '${loop.knob}' adds its branch at full strength: SP in depth (alpha = 0), so the ` +
      'residual stream grows with depth and an LR tuned at one depth does not transfer to another; multiply the branch by ' +
      `(${loop.knob} / base depth)^-alpha: alpha = 1 (CompleteP, arXiv 2505.01618) or 1/2 (depth-muP, arXiv 2310.02244)`;
    out.push(makeFinding(ctx, 'mup/residual-depth-unscaled', add.at, message, fixesFor(ctx, add, loop)));
  }
  return out;
}
