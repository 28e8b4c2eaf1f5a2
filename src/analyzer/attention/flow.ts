// Where attention scores go: from the q.k product forward (through locals, reassignments, masks and other
// element-wise ops, `tidy` callbacks, one level of helper into a function or out to its callers) to a softmax:
// `tf.softmax`, `.softmax()`, a softmax layer's `.apply()` (`tf.layers.softmax`, activation 'softmax'), or
// an exp-normalisation written out (`exp(x - max)` divided by a sum). On the way: what multiplies or divides
// them; and, backwards from q and k, what scaled those before the product.
import ts = require('typescript');
import { calleeName, enclosingFunction, outerParent, unwrap, walk, STOP } from '../source';
import { customLayerScale } from './customScale';
import { type FileIndex, returnsOf } from './fileIndex';

export interface Scaling {
  /** The mul/div call. */
  call: ts.CallExpression;
  /** The scores (or q/k) it scales. */
  tensor: ts.Expression;
  /** The factor or divisor. */
  scale: ts.Expression;
  /** Whether `scale` divides (set where the call alone does not say: a custom layer's `call` that divides). */
  divides?: boolean;
}

/** Products: the scores end there (a product with the values is after the softmax). */
const PRODUCTS = new Set(['matMul', 'dot', 'einsum', 'batchDot', 'outerProduct', 'conv1d', 'conv2d']);
/** Reductions and reads: what comes out is not the scores any more. */
const ENDS = new Set(['dispose', 'print', 'data', 'dataSync', 'array', 'arraySync', 'toString', 'argMax', 'argMin', 'max', 'min', 'sum', 'mean', 'logSumExp', 'norm', 'equal', 'greater', 'less', 'shape']);
const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'where', 'maximum', 'minimum']);
const SOFTMAX = new Set(['softmax', 'logSoftmax']);
/** tfjs functions a namespace passed in may be written with (`ns.div(scores, d)`, `ns.exp(x)`); as a
 * Tensor's methods, mul/div/add/sub/maximum/minimum take one argument and exp none. */
const NS_FUNCS = new Set(['mul', 'div', 'add', 'sub', 'where', 'maximum', 'minimum', 'exp']);

interface State {
  ix: FileIndex;
  softmax: boolean;
  scalings: Scaling[];
  seen: Set<ts.Node>;
  steps: number;
}

/** A helper entered from `call`: a return in `fn` continues at `call`. */
interface Entered {
  fn: ts.FunctionLikeDeclaration;
  call: ts.CallExpression;
}

const MAX_STEPS = 400;
/** Helper crossings allowed (into a helper, out to a caller). */
const MAX_LEVEL = 2;

export interface Flow {
  reachesSoftmax: boolean;
  scalings: Scaling[];
}

/** Follows the scores of `product` (q and k as `operands`). */
export function scoreFlow(product: ts.CallExpression, operands: ts.Expression[], ix: FileIndex): Flow {
  const st: State = { ix, softmax: false, scalings: [], seen: new Set(), steps: 0 };
  forward(product, st, 0, false, undefined);
  if (st.softmax) for (const o of operands) backward(o, st, 0);
  return { reachesSoftmax: st.softmax, scalings: st.scalings };
}

function forward(node: ts.Expression, st: State, level: number, exp: boolean, entered: Entered | undefined): void {
  if (++st.steps > MAX_STEPS || st.seen.has(node)) return;
  st.seen.add(node);
  const { node: p, child } = outerParent(node);
  if (!p) return;
  if (ts.isPropertyAccessExpression(p) && p.expression === child) {
    const call = p.parent;
    if (call && ts.isCallExpression(call) && call.expression === p) onMethod(p.name.text, call, child as ts.Expression, st, level, exp, entered);
    return;
  }
  if (ts.isCallExpression(p) && child !== p.expression) {
    onArgument(p, child as ts.Expression, st, level, exp, entered);
    return;
  }
  if (ts.isVariableDeclaration(p) && p.initializer === child) {
    if (ts.isIdentifier(p.name)) toUses(p.name.text, p, st, level, exp, entered);
    return;
  }
  if (ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (ts.isIdentifier(p.left)) toUses(p.left.text, p, st, level, exp, entered);
    return;
  }
  if (ts.isConditionalExpression(p) && p.condition !== child) {
    forward(p, st, level, exp, entered);
    return;
  }
  if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === child)) {
    const fn = ts.isArrowFunction(p) ? p : enclosingFunction(p);
    if (fn) toCaller(fn, st, level, exp, entered);
  }
}

function toUses(name: string, decl: ts.Node, st: State, level: number, exp: boolean, entered: Entered | undefined): void {
  const scope = enclosingFunction(decl) ?? st.ix.facts.sf;
  for (const use of st.ix.usesOf(scope, name, decl.end)) forward(use, st, level, exp, entered);
}

function toCaller(fn: ts.FunctionLikeDeclaration, st: State, level: number, exp: boolean, entered: Entered | undefined): void {
  if (entered && entered.fn === fn) {
    forward(entered.call, st, level, exp, undefined);
    return;
  }
  // a callback (`tidy(() => ...)`): its value is the call's
  const { node: p } = outerParent(fn);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && p && ts.isCallExpression(p) && p.arguments.some((a) => unwrap(a) === fn)) {
    forward(p, st, level, exp, entered);
    return;
  }
  if (level >= MAX_LEVEL) return;
  for (const c of st.ix.callersOf(fn)) forward(c, st, level + 1, exp, undefined);
}

function onMethod(name: string, call: ts.CallExpression, recv: ts.Expression, st: State, level: number, exp: boolean, entered: Entered | undefined): void {
  const a = call.arguments;
  if (SOFTMAX.has(name)) {
    st.softmax = true;
    return;
  }
  if (name === 'exp') return forward(call, st, level, true, entered);
  if ((name === 'div' && exp && a.length === 1 && hasSum(a[0], st.ix)) || (name === 'sub' && a.length === 1 && hasSum(a[0], st.ix, 'logSumExp'))) {
    st.softmax = true;
    return;
  }
  if ((name === 'mul' || name === 'div') && a.length === 1) st.scalings.push({ call, tensor: recv, scale: a[0] });
  if (PRODUCTS.has(name) || ENDS.has(name) || name === 'apply') return;
  forward(call, st, level, exp, entered);
}

function onArgument(call: ts.CallExpression, arg: ts.Expression, st: State, level: number, exp: boolean, entered: Entered | undefined): void {
  const ix = st.ix;
  const callee = unwrap(call.expression);
  const path = ix.b.qualify(callee);
  const a = call.arguments;
  const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(callee);
  if (!name) return;
  if (!path) {
    const helper = ix.resolveCall(call);
    if (helper) {
      if (level >= MAX_LEVEL) return;
      const param = helper.parameters[a.indexOf(arg)];
      if (param && ts.isIdentifier(param.name)) {
        for (const use of ix.usesOf(helper, param.name.text, param.end)) forward(use, st, level + 1, exp, { fn: helper, call });
      }
      return;
    }
    if (ts.isPropertyAccessExpression(callee) && name === 'apply') {
      if (a[0] !== arg) return;
      if (isSoftmaxLayer(callee.expression, ix, 0)) st.softmax = true;
      else {
        // a rescaling layer multiplies (`tf.layers.rescaling({scale}).apply(scores)`); a dropout passes on
        const scale = rescalingScale(callee.expression, ix, 0);
        if (scale) st.scalings.push({ call, tensor: arg, scale });
        else {
          // a layer class of the file's own whose call() multiplies by what its constructor was given
          const custom = customLayerScale(callee.expression, 'apply', ix);
          if (custom) st.scalings.push({ call, tensor: arg, scale: custom.scale, divides: custom.divides });
        }
        forward(call, st, level, exp, entered);
      }
      return;
    }
    if (ts.isPropertyAccessExpression(callee) && (name === 'call' || name === 'forward') && a[0] === arg) {
      // `scaler.call(scores)`, `this.scale.forward(scores)` on an object of a class of the file's own
      const custom = customLayerScale(callee.expression, name, ix);
      if (custom) {
        st.scalings.push({ call, tensor: arg, scale: custom.scale, divides: custom.divides });
        forward(call, st, level, exp, entered);
        return;
      }
    }
    if (/softmax/i.test(name)) {
      st.softmax = true;
      return;
    }
    if (!ts.isPropertyAccessExpression(callee)) return; // a function of its own that is not in the file
    // a tfjs namespace held elsewhere (`this.tf.div(s, d)`) reads like the functions below; otherwise a
    // method of another tensor with the scores as its argument (`mask.add(scores)`)
    if (!(NS_FUNCS.has(name) && (a.length >= 2 || name === 'exp'))) {
      if (name === 'mul' && a.length === 1) st.scalings.push({ call, tensor: arg, scale: callee.expression });
      if (ELEMENTWISE.has(name)) forward(call, st, level, exp, entered);
      return;
    }
  }
  if (SOFTMAX.has(name)) {
    st.softmax = true;
    return;
  }
  if (name === 'exp') return forward(call, st, level, true, entered);
  if (a[0] === arg && a.length === 2 && ((name === 'div' && exp && hasSum(a[1], ix)) || (name === 'sub' && hasSum(a[1], ix, 'logSumExp')))) {
    st.softmax = true;
    return;
  }
  if ((name === 'mul' || name === 'div') && a.length === 2) {
    if (a[0] === arg) st.scalings.push({ call, tensor: arg, scale: a[1] });
    else if (name === 'mul') st.scalings.push({ call, tensor: arg, scale: a[0] });
  }
  if (PRODUCTS.has(name) || ENDS.has(name) || (path && path.startsWith('tf.layers.'))) return;
  forward(call, st, level, exp, entered);
}

/** Whether `x` is a softmax layer: `tf.layers.softmax(...)`, a layer with activation 'softmax', or a name
 * or field holding one (or named so, when its value is not in the file). */
function isSoftmaxLayer(x: ts.Expression, ix: FileIndex, depth: number): boolean {
  const u = unwrap(x);
  if (depth > 3) return false;
  if (ts.isCallExpression(u)) {
    const path = ix.b.qualify(u.expression);
    if (path === 'tf.layers.softmax') return true;
    const cfg = u.arguments[0] && unwrap(u.arguments[0]);
    if (path?.startsWith('tf.layers.') && cfg && ts.isObjectLiteralExpression(cfg)) {
      return cfg.properties.some((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'activation' && ts.isStringLiteralLike(p.initializer) && p.initializer.text === 'softmax');
    }
    return false;
  }
  if (ts.isIdentifier(u)) {
    const v = ix.latest(u.text, u);
    return v ? isSoftmaxLayer(v, ix, depth + 1) : /softmax/i.test(u.text);
  }
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const vs = ix.fieldValues(u.name.text);
    return vs.length > 0 ? vs.some((v) => isSoftmaxLayer(v, ix, depth + 1)) : /softmax/i.test(u.name.text);
  }
  return false;
}

/** The `scale` of a `tf.layers.rescaling({scale})` layer (also held in a local or field). */
function rescalingScale(x: ts.Expression, ix: FileIndex, depth: number): ts.Expression | undefined {
  const u = unwrap(x);
  if (depth > 3) return undefined;
  if (ts.isCallExpression(u)) {
    const cfg = u.arguments[0] && unwrap(u.arguments[0]);
    if (ix.b.qualify(u.expression) !== 'tf.layers.rescaling' || !cfg || !ts.isObjectLiteralExpression(cfg)) return undefined;
    for (const p of cfg.properties) if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'scale') return p.initializer;
    return undefined;
  }
  if (ts.isIdentifier(u)) {
    const v = ix.latest(u.text, u);
    return v && rescalingScale(v, ix, depth + 1);
  }
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) {
    for (const v of ix.fieldValues(u.name.text)) {
      const s = rescalingScale(v, ix, depth + 1);
      if (s) return s;
    }
  }
  return undefined;
}

/** A sum in `e` (the denominator of a hand-written softmax; `logSumExp` for a log-softmax), also through
 * one local. */
function hasSum(e: ts.Expression, ix: FileIndex, op = 'sum', depth = 0): boolean {
  let found = false;
  walk(e, (n) => {
    if (ts.isCallExpression(n) && calleeName(n.expression) === op) found = true;
    else if (ts.isIdentifier(n) && n === unwrap(e) && depth < 3) {
      const v = ix.latest(n.text, n);
      if (v && v !== e) found = hasSum(v, ix, op, depth + 1);
    }
    return found ? STOP : undefined;
  });
  return found;
}

/** mul/div calls that produced q or k (`q = q.mul(s)`, `mul(query, s)`, through locals and ops). */
function backward(e: ts.Expression, st: State, depth: number): void {
  if (depth > 6 || ++st.steps > MAX_STEPS) return;
  const u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const v = st.ix.latest(u.text, u);
    if (v && !st.seen.has(v)) {
      st.seen.add(v);
      backward(v, st, depth + 1);
    }
    // q passed into the helper that computes the scores: what its callers pass
    if (!v && depth < 3) for (const arg of st.ix.argumentsFor(u)) backward(arg, st, depth + 2);
    return;
  }
  if (!ts.isCallExpression(u)) return;
  const c = unwrap(u.expression);
  const path = st.ix.b.qualify(c);
  const name = path ? path.slice(path.lastIndexOf('.') + 1) : calleeName(c);
  const a = u.arguments;
  if (name === 'mul' || name === 'div') {
    const pairs: [ts.Expression, ts.Expression][] = [];
    if (a.length === 2) pairs.push([a[0], a[1]], ...(name === 'mul' ? [[a[1], a[0]] as [ts.Expression, ts.Expression]] : []));
    else if (a.length === 1 && ts.isPropertyAccessExpression(c)) pairs.push([c.expression, a[0]]);
    for (const [t, s] of pairs) st.scalings.push({ call: u, tensor: t, scale: s });
    for (const [t] of pairs) backward(t, st, depth + 1);
    return;
  }
  // a product or a layer (`this.wq.apply(x)`): what scaled its input is not the attention's scale
  if (name && (PRODUCTS.has(name) || name === 'apply')) return;
  if (!path && ts.isPropertyAccessExpression(c)) backward(c.expression, st, depth + 1);
  if (!path) {
    // q from a local helper: what it returns (`return tf.mul(x, scale)`)
    const helper = st.ix.resolveCall(u);
    if (helper && depth < 3) for (const r of returnsOf(helper)) backward(r, st, depth + 2);
  }
  for (const x of a) backward(x, st, depth + 1);
}
