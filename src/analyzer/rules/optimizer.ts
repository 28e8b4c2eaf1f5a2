// mup/optimizer-global-lr: one tf.train.* learning rate for a model with hidden (width x width)
// matrices. muP (docs/mup.md table): Adam hidden lr/width_mult, everything else lr; SGD hidden lr,
// input/readout/biases lr*width_mult. Adam is scale-invariant, so no gradient scaling can stand in.
import ts = require('typescript');
import { makeFinding, type Ctx } from '../context';
import type { LayerRec } from '../discovery';
import { configProp, enclosingClass, enclosingFunction, unwrap } from '../source';
import type { Finding } from '../types';

const OPTIMIZERS = new Set(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamax', 'adadelta']);

const RNNS = new Set(['lstm', 'gru', 'simpleRNN']);

/**
 * A layer with a width x width matrix: a hidden layer, an attention layer, a custom layer that scales on
 * both sides, or an RNN whose units scale (its recurrent kernel is units x k*units, whatever its input).
 */
function hasHiddenMatrix(l: LayerRec): boolean {
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
 * The layers of the model an optimizer trains: those built in the innermost function around it that
 * builds any (or in the functions it calls by name, `model = buildGRUModel(...)`), else in its class,
 * else the whole file. Four factories with four optimizers in one file are four models.
 */
function layersTrainedBy(ctx: Ctx, site: ts.Node): LayerRec[] {
  const all = ctx.layers.layers;
  for (let fn = enclosingFunction(site); fn; fn = enclosingFunction(fn)) {
    const own = all.filter((l) => within(l.node, fn));
    if (own.length > 0) return own;
    // the names it calls (`buildModel()`, `this.buildModel()`), from the calls collect() already listed
    const called = new Set<string>();
    for (const n of ctx.facts.calls) {
      if (!ts.isCallExpression(n) || !within(n, fn)) continue;
      const c = unwrap(n.expression);
      if (ts.isIdentifier(c)) called.add(c.text);
      else if (ts.isPropertyAccessExpression(c) && unwrap(c.expression).kind === ts.SyntaxKind.ThisKeyword) called.add(c.name.text);
    }
    const callees = ctx.facts.functions.filter((f) => f !== fn && called.has(functionName(f) ?? '\0'));
    const theirs = all.filter((l) => callees.some((f) => within(l.node, f)));
    if (theirs.length > 0) return theirs;
  }
  const cls = enclosingClass(site);
  const inClass = cls ? all.filter((l) => within(l.node, cls)) : [];
  return inClass.length > 0 ? inClass : all;
}

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
  return sites.filter(({ node }) => layersTrainedBy(ctx, node).some(hasHiddenMatrix)).map(({ node, name }) => {
    const sgdLike = name === 'sgd' || name === 'momentum';
    const wants = sgdLike
      ? `muP SGD: hidden weights at lr, input/readout weights and biases at lr*width_mult (lr*width/${B})`
      : `muP ${name === 'adam' ? 'Adam' : 'adaptive optimizers'}: hidden (width x width) weights at lr/width_mult (lr*${B}/width), input/readout weights and biases at lr`;
    const message = `one ${name} learning rate for every parameter of a model with hidden matrices: ${wants}; use per-group LRs (MuAdam/MuSGD from mup-lens/runtime, or the engine's --mup)`;
    return makeFinding(ctx, 'mup/optimizer-global-lr', node, message, []);
  });
}
