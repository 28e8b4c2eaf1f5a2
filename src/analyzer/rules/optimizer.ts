// mup/optimizer-global-lr: one tf.train.* learning rate for a model with hidden (width x width)
// matrices. muP (docs/mup.md table): Adam hidden lr/width_mult, everything else lr; SGD hidden lr,
// input/readout/biases lr*width_mult. Adam is scale-invariant, so no gradient scaling can stand in.
import ts = require('typescript');
import { makeFinding, type Ctx } from '../context';
import type { LayerRec } from '../discovery';
import { configProp, enclosingClass, enclosingFunction, unwrap } from '../source';
import type { Finding } from '../types';
import { analysisMemo } from '../memo';

const OPTIMIZERS = new Set(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamax', 'adadelta']);

const RNNS = new Set(['lstm', 'gru', 'simpleRNN']);

/**
 * A layer with a width x width matrix: a hidden layer, an attention layer, a custom layer that scales on
 * both sides, or an RNN whose units scale (its recurrent kernel is units x k*units, whatever its input).
 */
function hasHiddenMatrix(l: LayerRec): boolean {
  let r = hiddenMatrix.get(l);
  if (r === undefined) hiddenMatrix.set(l, (r = computeHasHiddenMatrix(l)));
  return r;
}
/** (asked once per optimizer for each layer it trains: answered once per layer) */
const hiddenMatrix = analysisMemo<LayerRec, boolean>();

function computeHasHiddenMatrix(l: LayerRec): boolean {
  // (a shape-keeping layer of the file's own with no weights, a scaling layer, has no matrix)
  const weightless = l.keepsShape && !!l.cls && !/\baddWeight\b|\blayers\.\w+\(/.test(l.cls.getText());
  if (l.role === 'hidden' || l.role === 'attention' || (l.category === 'custom' && l.fanIn && l.fanOut && !weightless)) return true;
  // a width-sized layer added to a sequential model in a loop (`layerSizes.forEach((units) =>
  // model.add(dense({units})))`): the first iteration is the input layer, every later one maps the
  // previous width to the next (layers applied in a loop to one fixed input are not chained so)
  const site = (l.wrapper ?? l).seq;
  return l.fanOut && (RNNS.has(l.ctor) || (l.category === 'projection' && !!site && inLoop(site.sites[site.index].node)));
}

/** Inside a loop statement or an element callback (`forEach`, `map`) of the function it is in. */
function inLoop(n: ts.Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) return true;
    if (ts.isArrowFunction(p) || ts.isFunctionExpression(p)) {
      const c = p.parent;
      const callee = ts.isCallExpression(c) ? unwrap(c.expression) : undefined;
      return !!callee && ts.isPropertyAccessExpression(callee) && (callee.name.text === 'forEach' || callee.name.text === 'map');
    }
    if (ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) || ts.isConstructorDeclaration(p)) return false;
  }
  return false;
}

const within = (n: ts.Node, scope: ts.Node): boolean => n.pos >= scope.pos && n.end <= scope.end;

/**
 * The entries of `list` (nodes in source order: the walk's calls, the layers) inside `scope`, in order; found by
 * binary search on `pos` (each optimizer in a function of its own otherwise looks at every call of the file).
 * A list not in order is searched whole.
 */
function nodesWithin<T>(list: readonly T[], node: (t: T) => ts.Node, scope: ts.Node): T[] {
  let sorted = sortedLists.get(list);
  if (sorted === undefined) {
    sorted = true;
    for (let i = 1; i < list.length && sorted; i++) sorted = node(list[i - 1]).pos <= node(list[i]).pos;
    sortedLists.set(list, sorted);
  }
  if (!sorted) return list.filter((t) => within(node(t), scope));
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (node(list[mid]).pos < scope.pos) lo = mid + 1;
    else hi = mid;
  }
  const out: T[] = [];
  for (let i = lo; i < list.length; i++) {
    const n = node(list[i]);
    if (n.pos > scope.end) break;
    if (n.end <= scope.end) out.push(list[i]);
  }
  return out;
}
const sortedLists = analysisMemo<readonly unknown[], boolean>();
const layerNode = (l: LayerRec): ts.Node => l.node;
const callNode = (c: ts.Node): ts.Node => c;

/**
 * The layers of the model an optimizer trains: those built in the innermost function around it that
 * builds any (or in the functions it calls by name, `model = buildGRUModel(...)`), else in its class,
 * else the whole file. Four factories with four optimizers in one file are four models.
 */
function layersTrainedBy(ctx: Ctx, site: ts.Node, byFn: Map<ts.Node, LayerRec[] | null>): LayerRec[] {
  const all = ctx.layers.layers;
  for (let fn = enclosingFunction(site); fn; fn = enclosingFunction(fn)) {
    // (the optimizers of one function share its answer: `byFn`, per run of the rule)
    let found = byFn.get(fn);
    if (found === undefined) byFn.set(fn, (found = layersOfFunction(ctx, all, fn)));
    if (found) return found;
  }
  const cls = enclosingClass(site);
  const inClass = cls ? all.filter((l) => within(l.node, cls)) : [];
  return inClass.length > 0 ? inClass : all;
}

/** The layers `fn` builds, else those of the functions it calls by name; null when neither builds any. */
function layersOfFunction(ctx: Ctx, all: LayerRec[], fn: ts.FunctionLikeDeclaration): LayerRec[] | null {
  const own = nodesWithin(all, layerNode, fn);
  if (own.length > 0) return own;
  // the names it calls (`buildModel()`, `this.buildModel()`), from the calls collect() already listed
  const called = new Set<string>();
  for (const n of nodesWithin(ctx.facts.calls, callNode, fn)) {
    if (!ts.isCallExpression(n)) continue;
    const c = unwrap(n.expression);
    if (ts.isIdentifier(c)) called.add(c.text);
    else if (ts.isPropertyAccessExpression(c) && unwrap(c.expression).kind === ts.SyntaxKind.ThisKeyword) called.add(c.name.text);
  }
  if (called.size === 0) return null;
  // (plain loops, the names of the file's functions read once per file: this ran for each function around each
  // optimizer, and its closures and copies were the analysis's largest allocation on the bench's mixed corpus)
  const byName = functionsByName(ctx.facts.functions);
  const callees: ts.FunctionLikeDeclaration[] = [];
  for (const name of called) for (const f of byName.get(name) ?? NONE) if (f !== fn) callees.push(f);
  if (callees.length === 0) return null;
  const theirs: LayerRec[] = [];
  for (const l of all) {
    for (const f of callees) {
      if (within(l.node, f)) {
        theirs.push(l);
        break;
      }
    }
  }
  return theirs.length > 0 ? theirs : null;
}
const NONE: readonly ts.FunctionLikeDeclaration[] = [];

/** The file's functions by name (`functionName`), each list in the order of `functions`. */
function functionsByName(functions: readonly ts.FunctionLikeDeclaration[]): Map<string, ts.FunctionLikeDeclaration[]> {
  let m = namesMemo.get(functions);
  if (m) return m;
  m = new Map();
  for (const f of functions) {
    const name = functionName(f);
    if (name === undefined) continue;
    const list = m.get(name);
    if (list) list.push(f);
    else m.set(name, [f]);
  }
  namesMemo.set(functions, m);
  return m;
}
const namesMemo = analysisMemo<readonly ts.FunctionLikeDeclaration[], Map<string, ts.FunctionLikeDeclaration[]>>();

function functionName(f: ts.FunctionLikeDeclaration): string | undefined {
  if (f.name && ts.isIdentifier(f.name)) return f.name.text;
  const p = f.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  return undefined;
}

export function optimizerRule(ctx: Ctx): Finding[] {
  if (!ctx.layers.layers.some(hasHiddenMatrix)) return [];
  const sites: { node: ts.Node; name: string }[] = [];
  let perGroup = false;
  const paths = ctx.b.callPaths;
  for (let i = 0; i < ctx.facts.calls.length; i++) {
    const call = ctx.facts.calls[i];
    if (!ts.isCallExpression(call)) continue;
    const path = paths[i];
    if (path?.startsWith('tf.train.')) {
      const name = path.slice('tf.train.'.length);
      if (!OPTIMIZERS.has(name)) continue;
      // An LR that already depends on the width is a per-group muP LR (hand-written MuAdam).
      if (call.arguments[0] && ctx.w.isDerived(call.arguments[0])) perGroup = true;
      sites.push({ node: call, name });
      continue;
    }
    const c = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(c) && c.name.text === 'compile' && call.arguments[0]) {
      const cfg = unwrap(call.arguments[0]);
      const opt = ts.isObjectLiteralExpression(cfg) ? configProp(cfg, 'optimizer') : undefined;
      if (opt && ts.isStringLiteralLike(unwrap(opt)) && OPTIMIZERS.has((unwrap(opt) as ts.StringLiteral).text)) {
        sites.push({ node: opt, name: (unwrap(opt) as ts.StringLiteral).text });
      }
    }
  }
  if (perGroup) return [];
  const B = ctx.baseWidth;
  const byFn = new Map<ts.Node, LayerRec[] | null>();
  return sites.filter(({ node }) => layersTrainedBy(ctx, node, byFn).some(hasHiddenMatrix)).map(({ node, name }) => {
    const sgdLike = name === 'sgd' || name === 'momentum';
    const wants = sgdLike
      ? `muP SGD: hidden weights at lr, input/readout weights and biases at lr*width_mult (lr*width/${B})`
      : `muP ${name === 'adam' ? 'Adam' : 'adaptive optimizers'}: hidden (width x width) weights at lr/width_mult (lr*${B}/width), input/readout weights and biases at lr`;
    const message = `one ${name} learning rate for every parameter of a model with hidden matrices: ${wants}; use per-group LRs (MuAdam/MuSGD from mup-lens/runtime, or the engine's --mup)`;
    return makeFinding(ctx, 'mup/optimizer-global-lr', node, message, []);
  });
}
