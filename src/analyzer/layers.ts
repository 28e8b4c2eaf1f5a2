// Every tfjs layer definition in the file, its role and whether its fan-in/fan-out scale with width.
// Data flow is followed through `tf.sequential({layers: [...]})`, `model.add(...)` and functional
// `.apply()` chains (through local variables), which is all a readout needs: "infinite fan-in, finite
// fan-out" (MUP.md vocabulary).
import ts = require('typescript');
import type { Bindings } from './bindings';
import type { Assignment, Facts } from './collect';
import { configProp, enclosingClass, enclosingFunction, isAncestor, outerParent, propName, unwrap } from './source';
import type { LayerRole } from './types';
import type { WidthModel } from './width';

export type Category = 'projection' | 'embedding' | 'norm' | 'passthrough' | 'runtimeReadout' | 'custom';

/** Config key that sets the output size of a projection layer. */
export const PROJECTION_OUT: Record<string, string> = {
  dense: 'units', conv1d: 'filters', conv2d: 'filters', conv3d: 'filters', conv2dTranspose: 'filters',
  conv3dTranspose: 'filters', separableConv2d: 'filters', simpleRNN: 'units', lstm: 'units', gru: 'units',
};
const NORMS = new Set(['layerNormalization', 'batchNormalization']);
const NOT_LAYERS = new Set(['input', 'Layer', 'RNN', 'InputSpec']);
/** Ops whose output has the last dimension of their input (followed when looking for a fan-in size). */
const SHAPE_KEEPING = new Set(['relu', 'gelu', 'tanh', 'sigmoid', 'elu', 'selu', 'relu6', 'leakyRelu', 'neg', 'abs', 'square', 'exp', 'add', 'sub', 'mul', 'div', 'dropout', 'clone', 'identity']);

/** Where a layer sits in a sequential model: an element of `layers: [...]`, or a `model.add(...)` call. */
export type SeqSite = { kind: 'element'; node: ts.Expression } | { kind: 'add'; node: ts.CallExpression };

export interface LayerRec {
  node: ts.CallExpression | ts.NewExpression;
  kind: string;
  ctor: string;
  category: Category;
  config?: ts.ObjectLiteralExpression;
  cls?: ts.ClassLikeDeclaration;
  applies: ts.CallExpression[];
  seq?: { list: LayerRec[]; index: number; sites: SeqSite[] };
  /** `tf.layers.timeDistributed({layer})` / `bidirectional({layer})` around this layer: it takes the wrapper's place. */
  wrapper?: LayerRec;
  /** The layer this wrapper wraps. */
  inner?: LayerRec;
  bindingName?: string;
  fanIn: boolean;
  fanOut: boolean;
  role: LayerRole;
  outputScaled: boolean;
  name: string | null;
}

function statementOf(n: ts.Node): ts.Node {
  let p: ts.Node = n;
  while (p.parent && !ts.isBlock(p.parent) && !ts.isSourceFile(p.parent) && !ts.isCaseClause(p.parent) && !ts.isDefaultClause(p.parent)) p = p.parent;
  return p;
}

function depthOf(n: ts.Node): number {
  let d = 0;
  for (let p = n.parent; p; p = p.parent) d++;
  return d;
}

/** Lowest common ancestor (climbs to equal depth, then together: no allocation). */
function lca(a: ts.Node, b: ts.Node): ts.Node | undefined {
  let x: ts.Node | undefined = a;
  let y: ts.Node | undefined = b;
  let dx = depthOf(a);
  let dy = depthOf(b);
  for (; dx > dy; dx--) x = x!.parent;
  for (; dy > dx; dy--) y = y!.parent;
  while (x && y && x !== y) {
    x = x.parent;
    y = y.parent;
  }
  return x && x === y ? x : undefined;
}

/** A node that may not run when its parent does: an if's branch, a case clause, a loop body, a ?: arm. */
function isBranch(n: ts.Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (ts.isCaseClause(n) || ts.isDefaultClause(n)) return true;
  if (ts.isIfStatement(p)) return n === p.thenStatement || n === p.elseStatement;
  if (ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p)) return n === p.statement;
  if (ts.isConditionalExpression(p)) return n === p.whenTrue || n === p.whenFalse;
  return false;
}

/** Whether a branch node lies on the way from `n` up to (not including) `stop`. */
function branchBetween(n: ts.Node, stop: ts.Node | undefined): boolean {
  for (let p: ts.Node | undefined = n; p && p !== stop; p = p.parent) if (isBranch(p)) return true;
  return false;
}

/** `a` and `b` never both run: the two arms of one if, or two clauses of one switch. */
function exclusive(a: ts.Node, b: ts.Node): boolean {
  const l = lca(a, b);
  return !!l && (ts.isIfStatement(l) || ts.isCaseBlock(l)) && a !== l && b !== l;
}

/** Whether a path from `from` to `to` can go around `k` (k sits in a branch that holds neither). */
function skippable(k: ts.Node, from: ts.Node, to: ts.Node): boolean {
  if (exclusive(k, from) || exclusive(k, to)) return true;
  const a = lca(k, from);
  const b = lca(k, to);
  // The deeper of the two common ancestors: a branch below it holds k but neither end.
  const stop = a && b && isAncestor(a, b) ? b : a;
  return branchBetween(k, stop);
}

/** How many `model.add` sites back `predecessors` looks through branches. */
const MAX_BACK = 16;

function functionChain(n: ts.Node): ts.Node[] {
  const s: ts.Node[] = [];
  for (let f = enclosingFunction(n); f; f = enclosingFunction(f)) s.push(f);
  return s;
}

export class LayerModel {
  readonly layers: LayerRec[] = [];
  readonly byNode = new Map<ts.Node, LayerRec>();
  private readonly layerVars = new Map<string, LayerRec>();
  private readonly layerProps = new Map<string, LayerRec>();
  readonly customClasses = new Map<string, ts.ClassLikeDeclaration>();
  private readonly fanInMemo = new Map<LayerRec, boolean>();
  private readonly busy = new Set<LayerRec>();

  constructor(
    private readonly facts: Facts,
    private readonly b: Bindings,
    private readonly w: WidthModel,
    /** Classes whose methods compute attention scores that go to a softmax. */
    private readonly attentionClasses: Set<ts.ClassLikeDeclaration>,
  ) {
    this.findCustomClasses();
    this.findLayers();
    this.findUses();
    for (const l of this.layers) this.classify(l);
  }

  private findCustomClasses(): void {
    for (let round = 0; round < 3; round++) {
      for (const c of this.facts.classes) {
        if (!c.name || this.customClasses.has(c.name.text)) continue;
        const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        if (!ext) continue;
        const path = this.b.qualify(ext);
        if (path === 'tf.layers.Layer' || (ts.isIdentifier(ext) && this.customClasses.has(ext.text)) || (path?.startsWith('mup.') ?? false)) {
          this.customClasses.set(c.name.text, c);
        }
      }
    }
  }

  private findLayers(): void {
    const paths = this.b.callPaths;
    this.facts.calls.forEach((n, i) => this.addLayer(n, paths[i]));
  }

  private addLayer(n: ts.CallExpression | ts.NewExpression, path: string | undefined): void {
    const callee = n.expression;
    if (!path && !(ts.isNewExpression(n) && ts.isIdentifier(callee) && this.customClasses.has(callee.text))) return;
    if (path && !path.startsWith('tf.layers.') && !path.startsWith('mup.')) return;
    let ctor: string;
    let category: Category;
    let cls: ts.ClassLikeDeclaration | undefined;
    if (path === 'mup.MuReadout' || path === 'mup.MuSharedReadout' || path === 'mup.muReadout' || path === 'mup.muSharedReadout') {
      // `new MuReadout(args)` or the function form `muReadout(args)` of mup-lens/runtime
      ctor = path.slice(4);
      category = 'runtimeReadout';
    } else if (ts.isNewExpression(n) && ts.isIdentifier(callee) && this.customClasses.has(callee.text)) {
      ctor = callee.text;
      category = 'custom';
      cls = this.customClasses.get(ctor);
    } else if (ts.isCallExpression(n) && path && path.startsWith('tf.layers.')) {
      ctor = path.slice('tf.layers.'.length);
      const c0 = ctor.charCodeAt(0);
      if (ctor.includes('.') || NOT_LAYERS.has(ctor) || c0 < 97 || c0 > 122) return;
      category = PROJECTION_OUT[ctor] ? 'projection' : ctor === 'embedding' ? 'embedding' : NORMS.has(ctor) ? 'norm' : 'passthrough';
    } else return;
    const arg0 = n.arguments?.[0] && unwrap(n.arguments[0]);
    const config = arg0 && ts.isObjectLiteralExpression(arg0) ? arg0 : undefined;
    // One object shape for every layer record (all fields set here, in this order).
    const full: LayerRec = {
      node: n, kind: callee.getText(this.facts.sf), ctor, category, config, cls, applies: [], seq: undefined, wrapper: undefined, inner: undefined, bindingName: undefined,
      fanIn: false, fanOut: false, role: 'other', outputScaled: false, name: null,
    };
    this.layers.push(full);
    this.byNode.set(n, full);
    // Where the layer object goes: `const fc = ...`, `this.fc = ...`, class field `fc = ...`.
    const { node: p, child } = outerParent(n);
    if (p && ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) {
      full.bindingName = p.name.text;
      this.layerVars.set(p.name.text, full);
    } else if (p && ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (ts.isIdentifier(p.left)) {
        full.bindingName = p.left.text;
        this.layerVars.set(p.left.text, full);
      } else if (ts.isPropertyAccessExpression(p.left)) {
        full.bindingName = p.left.name.text;
        this.layerProps.set(p.left.name.text, full);
      }
    } else if (p && ts.isPropertyDeclaration(p) && p.initializer === child) {
      const nm = propName(p.name);
      if (nm) {
        full.bindingName = nm;
        this.layerProps.set(nm, full);
      }
    }
  }

  /** The layer an expression denotes: the constructing call itself, a variable or a property holding it. */
  layerOf(e: ts.Expression): LayerRec | undefined {
    e = unwrap(e);
    const direct = this.byNode.get(e);
    if (direct) return direct;
    if (ts.isIdentifier(e)) return this.layerVars.get(e.text);
    if (ts.isPropertyAccessExpression(e)) return this.layerProps.get(e.name.text);
    return undefined;
  }

  private findUses(): void {
    const adds = new Map<string, { list: LayerRec[]; sites: SeqSite[] }>();
    const seqVars = new Map<string, { list: LayerRec[]; sites: SeqSite[] }>();
    const paths = this.b.callPaths;
    for (let i = 0; i < this.facts.calls.length; i++) {
      const n = this.facts.calls[i];
      if (!ts.isCallExpression(n)) continue;
      const callee = unwrap(n.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply' && n.arguments.length > 0) {
        const rec = this.layerOf(callee.expression);
        if (rec) rec.applies.push(n);
        continue;
      }
      const path = paths[i];
      if (path === 'tf.sequential') {
        const seq = { list: [] as LayerRec[], sites: [] as SeqSite[] };
        const arr = configProp(n.arguments[0] && ts.isObjectLiteralExpression(unwrap(n.arguments[0])) ? (unwrap(n.arguments[0]) as ts.ObjectLiteralExpression) : undefined, 'layers');
        if (arr && ts.isArrayLiteralExpression(unwrap(arr))) {
          for (const el of (unwrap(arr) as ts.ArrayLiteralExpression).elements) {
            const rec = this.layerOf(el);
            if (rec) {
              seq.list.push(rec);
              seq.sites.push({ kind: 'element', node: el });
            }
          }
        }
        const { node: p, child } = outerParent(n);
        if (p && ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) seqVars.set(this.scopeKey(p.name.text, n), seq);
        else if (p && ts.isBinaryExpression(p) && ts.isIdentifier(p.left)) seqVars.set(this.scopeKey(p.left.text, n), seq);
        adds.set(`\0${n.pos}`, seq);
        continue;
      }
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'add' && n.arguments.length === 1) {
        const rec = this.layerOf(n.arguments[0]);
        if (!rec) continue;
        const recv = unwrap(callee.expression);
        const key = this.scopeKey(recv.getText(this.facts.sf), n);
        let seq = seqVars.get(key) ?? adds.get(key);
        if (!seq) {
          seq = { list: [], sites: [] };
          adds.set(key, seq);
        }
        seq.list.push(rec);
        seq.sites.push({ kind: 'add', node: n });
      }
    }
    // Wrappers: the wrapped layer is where the wrapper is (its input, its place in a sequential model).
    for (const rec of this.layers) {
      if (rec.ctor !== 'timeDistributed' && rec.ctor !== 'bidirectional') continue;
      const innerExpr = configProp(rec.config, 'layer');
      const inner = innerExpr && this.layerOf(innerExpr);
      // (a wrapper that, through others, wraps itself would send fan-out and scale lookups round forever)
      let loops = false;
      for (let x: LayerRec | undefined = inner; x && !loops; x = x.inner) loops = x === rec;
      if (inner && !loops && !inner.wrapper) {
        inner.wrapper = rec;
        rec.inner = inner;
      }
    }
    for (const seq of [...seqVars.values(), ...adds.values()]) {
      seq.list.forEach((rec, index) => {
        if (!rec.seq) rec.seq = { list: seq.list, index, sites: seq.sites };
      });
    }
  }

  /**
   * The layers that can come right before `rec` in its sequential model. In a `layers: [...]` array or a
   * straight run of `model.add(...)` statements that is the one before it; with adds in if/else or
   * switch branches (tfjs-examples' sentiment model picks its layers by `modelType`), every add that
   * some path through the branches runs last before this one.
   */
  predecessors(rec: LayerRec): LayerRec[] {
    let memo = this.predMemo.get(rec);
    if (!memo) this.predMemo.set(rec, (memo = this.findPredecessors(rec)));
    return memo;
  }

  private readonly predMemo = new Map<LayerRec, LayerRec[]>();

  private findPredecessors(rec: LayerRec): LayerRec[] {
    if (!rec.seq || rec.seq.index === 0) return [];
    const { list, index, sites } = rec.seq;
    const here = sites[index];
    const prev = sites[index - 1];
    if (here.kind !== 'add' || prev.kind !== 'add') return [list[index - 1]];
    // Fast path: two statements of the same block, neither inside a branch of it (`if (x) model.add(a)`
    // without braces is a statement of the block too), run one after the other.
    const block = statementOf(here.node).parent;
    if (block === statementOf(prev.node).parent && !branchBetween(here.node, block) && !branchBetween(prev.node, block)) return [list[index - 1]];
    const out: LayerRec[] = [];
    // At most MAX_BACK adds back: the scan is quadratic in its length (each candidate checks every add
    // between it and this one), and a run of more optional layers than that is not a model anyone writes.
    for (let j = index - 1; j >= Math.max(0, index - MAX_BACK); j--) {
      const sj = sites[j].node;
      if (exclusive(sj, here.node)) continue;
      let reaches = true;
      for (let k = j + 1; k < index && reaches; k++) reaches = skippable(sites[k].node, sj, here.node);
      if (reaches) out.push(list[j]);
      // An add that always runs before this one hides everything before it.
      if (reaches && !branchBetween(sj, lca(sj, here.node))) break;
    }
    return out;
  }

  private scopeKey(name: string, at: ts.Node): string {
    const fn = enclosingFunction(at);
    return `${name}@${fn ? fn.pos : -1}`;
  }

  private configInput(rec: LayerRec): boolean | undefined {
    const c = rec.config;
    if (!c) return undefined;
    const shape = configProp(c, 'inputShape') ?? configProp(c, 'batchInputShape');
    if (shape) {
      const s = unwrap(shape);
      if (ts.isArrayLiteralExpression(s) && s.elements.length > 0) return this.w.isDerived(s.elements[s.elements.length - 1]);
      return this.w.isDerived(s);
    }
    const dim = configProp(c, 'inputDim');
    if (dim) return this.w.isDerived(dim);
    return undefined;
  }

  private fanOutOf(rec: LayerRec): boolean {
    if (rec.inner) return this.outScales(rec.inner);
    switch (rec.category) {
      case 'projection':
        return this.w.isDerived(configProp(rec.config, PROJECTION_OUT[rec.ctor]));
      case 'embedding':
        return this.w.isDerived(configProp(rec.config, 'outputDim'));
      case 'custom':
        return this.customScales(rec);
      case 'runtimeReadout':
        return false;
      default:
        return this.fanInOf(rec);
    }
  }

  private customScales(rec: LayerRec): boolean {
    const args = rec.node.arguments ?? [];
    for (const a of args) {
      const u = unwrap(a);
      if (ts.isObjectLiteralExpression(u)) {
        for (const p of u.properties) {
          if (ts.isPropertyAssignment(p) && this.w.isDerived(p.initializer)) return true;
          if (ts.isShorthandPropertyAssignment(p) && this.w.isDerived(p.name)) return true;
        }
      } else if (this.w.isDerived(u)) return true;
    }
    return false;
  }

  fanInOf(rec: LayerRec): boolean {
    const m = this.fanInMemo.get(rec);
    if (m !== undefined) return m;
    if (this.busy.has(rec)) return false;
    this.busy.add(rec);
    const r = this.computeFanIn(rec);
    this.busy.delete(rec);
    this.fanInMemo.set(rec, r);
    return r;
  }

  private computeFanIn(rec: LayerRec): boolean {
    if (rec.category === 'embedding') return this.w.isDerived(configProp(rec.config, 'inputDim'));
    if (rec.category === 'runtimeReadout') return true;
    if (rec.category === 'custom') return this.customScales(rec);
    const fromConfig = this.configInput(rec);
    if (fromConfig !== undefined) return fromConfig;
    if (rec.wrapper) return this.fanInOf(rec.wrapper);
    if (rec.seq) {
      // Any layer that can come right before it (model.add in if/else or switch branches).
      for (const p of this.predecessors(rec)) if (this.outScales(p)) return true;
      return false;
    }
    if (rec.applies.length > 0) {
      const s = this.tensorScales(rec.applies[0].arguments[0], 0);
      if (s !== undefined) return s;
    }
    // Unknown input (a function parameter, `inputs` of a custom layer's call()): inside code that is
    // configured by a width knob, tensors are width-sized unless shown otherwise.
    return this.w.widthRefAt(rec.node) !== undefined;
  }

  outScales(rec: LayerRec): boolean {
    if (rec.inner) return this.fanOutOf(rec);
    switch (rec.category) {
      case 'projection':
      case 'embedding':
      case 'custom':
      case 'runtimeReadout':
        return this.fanOutOf(rec);
      default:
        return this.fanInOf(rec);
    }
  }

  /** Whether the last dimension of a tensor expression scales with width; undefined when unknown. */
  private readonly tensorMemo = new Map<ts.Node, boolean | undefined>();

  tensorScales(e: ts.Expression | undefined, depth: number): boolean | undefined {
    if (!e || depth > 12) return undefined;
    e = unwrap(e);
    if (this.tensorMemo.has(e)) return this.tensorMemo.get(e);
    const r = this.computeTensorScales(e, depth);
    this.tensorMemo.set(e, r);
    return r;
  }

  private computeTensorScales(e: ts.Expression, depth: number): boolean | undefined {
    if (ts.isIdentifier(e)) {
      const a = this.latestAssignment(e.text, e);
      if (!a || ts.isBindingElement(a as ts.Node)) return undefined;
      return this.tensorScales(a, depth + 1);
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.length ? this.tensorScales(e.elements[0], depth + 1) : undefined;
    if (ts.isCallExpression(e)) {
      const callee = unwrap(e.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') {
        const rec = this.layerOf(callee.expression);
        if (rec) {
          if (!rec.inner && (rec.category === 'norm' || rec.category === 'passthrough')) return this.tensorScales(e.arguments[0], depth + 1);
          return this.outScales(rec);
        }
      }
      const path = this.b.qualify(callee);
      if (path === 'tf.input' || path === 'tf.layers.input') {
        const c = e.arguments[0] && unwrap(e.arguments[0]);
        const shape = c && ts.isObjectLiteralExpression(c) ? configProp(c, 'shape') ?? configProp(c, 'batchShape') : undefined;
        const s = shape && unwrap(shape);
        if (s && ts.isArrayLiteralExpression(s) && s.elements.length) return this.w.isDerived(s.elements[s.elements.length - 1]);
        return false;
      }
      const last = this.reshapeLastDim(e, path);
      if (last) return this.w.isDerived(last);
      // Ops and helper functions: shape follows the receiver of a method, else the first argument.
      if (ts.isPropertyAccessExpression(callee) && !path) return this.tensorScales(callee.expression, depth + 1);
      return this.tensorScales(e.arguments[0], depth + 1);
    }
    return undefined;
  }

  /**
   * The expression that sets a layer's input size (its fan-in), found the way `fanInOf` decides whether it
   * scales: `inputShape`/`inputDim` in its config, the output size of the layer before it in a sequential
   * model, or the tensor it is applied to. Undefined when it cannot be worked out.
   */
  fanInExpr(rec: LayerRec, depth = 0): ts.Expression | undefined {
    if (depth > 12) return undefined;
    const c = rec.config;
    if (c) {
      const shape = configProp(c, 'inputShape') ?? configProp(c, 'batchInputShape');
      if (shape) {
        const s = unwrap(shape);
        return ts.isArrayLiteralExpression(s) ? s.elements[s.elements.length - 1] : undefined;
      }
      const dim = configProp(c, 'inputDim');
      if (dim && rec.category !== 'embedding') return dim;
    }
    if (rec.wrapper) return this.fanInExpr(rec.wrapper, depth + 1);
    if (rec.seq) {
      const preds = this.predecessors(rec);
      const p = preds.find((x) => this.outScales(x)) ?? preds[0];
      return p && this.outExpr(p, depth + 1);
    }
    if (rec.applies.length > 0) return this.tensorDimExpr(rec.applies[0].arguments[0], depth + 1);
    return undefined;
  }

  /** The expression that sets a layer's output size (last dimension). */
  private outExpr(rec: LayerRec, depth: number): ts.Expression | undefined {
    if (rec.inner) return this.outExpr(rec.inner, depth + 1);
    switch (rec.category) {
      case 'projection':
        return configProp(rec.config, PROJECTION_OUT[rec.ctor]);
      case 'embedding':
        return configProp(rec.config, 'outputDim');
      case 'runtimeReadout':
        return configProp(rec.config, 'units');
      case 'custom':
        return undefined;
      default:
        return this.fanInExpr(rec, depth + 1);
    }
  }

  /** The expression that sets the last dimension of a tensor expression (follows `tensorScales`). */
  private tensorDimExpr(e: ts.Expression | undefined, depth: number): ts.Expression | undefined {
    if (!e || depth > 12) return undefined;
    e = unwrap(e);
    if (ts.isIdentifier(e)) {
      const a = this.latestAssignment(e.text, e);
      return !a || ts.isBindingElement(a as ts.Node) ? undefined : this.tensorDimExpr(a, depth + 1);
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.length ? this.tensorDimExpr(e.elements[0], depth + 1) : undefined;
    if (!ts.isCallExpression(e)) return undefined;
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') {
      const rec = this.layerOf(callee.expression);
      if (rec) return !rec.inner && (rec.category === 'norm' || rec.category === 'passthrough') ? this.tensorDimExpr(e.arguments[0], depth + 1) : this.outExpr(rec, depth + 1);
    }
    const path = this.b.qualify(callee);
    if (path === 'tf.input' || path === 'tf.layers.input') {
      const c = e.arguments[0] && unwrap(e.arguments[0]);
      const shape = c && ts.isObjectLiteralExpression(c) ? configProp(c, 'shape') ?? configProp(c, 'batchShape') : undefined;
      const s = shape && unwrap(shape);
      return s && ts.isArrayLiteralExpression(s) && s.elements.length ? s.elements[s.elements.length - 1] : undefined;
    }
    const last = this.reshapeLastDim(e, path);
    if (last) return last;
    // Elementwise ops keep the shape of their receiver or first argument; anything else (concat,
    // matMul, reshape) is not followed.
    const m = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (!SHAPE_KEEPING.has(m)) return undefined;
    if (ts.isPropertyAccessExpression(callee) && !path) return this.tensorDimExpr(callee.expression, depth + 1);
    return this.tensorDimExpr(e.arguments[0], depth + 1);
  }

  /**
   * The last dimension a reshape sets (`tf.reshape(t, [-1, T, heads * dimHead])`, `t.reshape([...])`), when
   * it is written out and is either width-derived or a constant; undefined otherwise (`-1`, `C` from a shape).
   */
  private reshapeLastDim(e: ts.CallExpression, path: string | undefined): ts.Expression | undefined {
    const callee = unwrap(e.expression);
    const shapeArg = path === 'tf.reshape' ? e.arguments[1] : !path && ts.isPropertyAccessExpression(callee) && callee.name.text === 'reshape' ? e.arguments[0] : undefined;
    const shape = shapeArg && unwrap(shapeArg);
    if (!shape || !ts.isArrayLiteralExpression(shape) || shape.elements.length === 0) return undefined;
    const last = shape.elements[shape.elements.length - 1];
    if (ts.isSpreadElement(last)) return undefined;
    if (this.w.isDerived(last)) return last;
    const v = this.w.evalNumber(last);
    return v !== undefined && v > 0 ? last : undefined;
  }

  /**
   * The value of a size expression when the width knob is `width` (width knobs and local constants
   * resolved through their assignments, scope-aware), or undefined when it is not plain arithmetic.
   */
  sizeAt(e: ts.Expression | undefined, width: number, depth = 0): number | undefined {
    if (!e || depth > 12) return undefined;
    e = unwrap(e);
    if (ts.isNumericLiteral(e)) return Number(e.text);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
      const v = this.sizeAt(e.operand, width, depth + 1);
      return v === undefined ? undefined : -v;
    }
    if (ts.isIdentifier(e)) {
      if (this.w.isWidthName(e.text)) return width;
      const a = this.latestAssignment(e.text, e);
      if (a && ts.isBindingElement(a as ts.Node)) {
        const el = a as unknown as ts.BindingElement;
        const key = el.propertyName ? propName(el.propertyName) : undefined;
        return key !== undefined && this.w.isWidthName(key) ? width : undefined;
      }
      return this.sizeAt(a, width, depth + 1);
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (this.w.isWidthName(e.name.text)) return width;
      const list = this.facts.props.get(e.name.text);
      return list && list.length === 1 && !ts.isBindingElement(list[0].value as ts.Node) ? this.sizeAt(list[0].value, width, depth + 1) : undefined;
    }
    if (ts.isBinaryExpression(e)) {
      const a = this.sizeAt(e.left, width, depth + 1);
      const b = a === undefined ? undefined : this.sizeAt(e.right, width, depth + 1);
      if (a === undefined || b === undefined) return undefined;
      switch (e.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken: return a + b;
        case ts.SyntaxKind.MinusToken: return a - b;
        case ts.SyntaxKind.AsteriskToken: return a * b;
        case ts.SyntaxKind.SlashToken: return a / b;
        default: return undefined;
      }
    }
    return undefined;
  }

  /** The value a variable holds at `use`: the last assignment before it in source order. */
  latestAssignment(name: string, use: ts.Node): ts.Expression | undefined {
    const list = this.facts.assigns.get(name);
    if (!list) return undefined;
    const at = use.pos;
    let chain: ts.Node[] | undefined;
    // Source order: the first visible one from the end, before `use`.
    for (let i = list.length - 1; i >= 0; i--) {
      const a = list[i];
      if (a.node.pos >= at) continue;
      // Only bindings visible from `use`: declared at top level or in a function around it.
      if (a.fn) {
        chain ??= functionChain(use);
        if (!chain.includes(a.fn)) continue;
      }
      if (isAncestor(a.node, use)) continue;
      return a.value;
    }
    return undefined;
  }

  private classify(rec: LayerRec): void {
    rec.fanIn = this.fanInOf(rec);
    rec.fanOut = this.fanOutOf(rec);
    const nameLit = configProp(rec.config, 'name');
    rec.name = nameLit && ts.isStringLiteralLike(nameLit) ? nameLit.text : rec.bindingName ?? null;
    switch (rec.category) {
      case 'embedding':
        rec.role = 'embedding';
        break;
      case 'norm':
        rec.role = 'norm';
        break;
      case 'passthrough':
        rec.role = 'other';
        break;
      case 'runtimeReadout':
        rec.role = 'readout';
        rec.outputScaled = true;
        break;
      case 'custom':
        rec.role = rec.cls && this.attentionClasses.has(rec.cls) ? 'attention' : 'other';
        break;
      case 'projection':
        rec.role = rec.fanIn ? (rec.fanOut ? 'hidden' : 'readout') : rec.fanOut ? 'input' : 'other';
        if (rec.role === 'readout') rec.outputScaled = this.isOutputScaled(rec);
        break;
    }
  }

  /** A rescaling layer whose scale depends on the width (`tf.layers.rescaling({scale: 64 / width})`). */
  isWidthRescaling(rec: LayerRec | undefined): boolean {
    return !!rec && rec.ctor === 'rescaling' && this.w.isDerived(configProp(rec.config, 'scale'));
  }

  private isOutputScaled(inner: LayerRec): boolean {
    const rec = inner.wrapper ?? inner;
    if (rec.seq) {
      // A rescaling before it on every path in, or one that always runs right after it: with adds in
      // branches, the neighbour in source order can sit in another branch.
      const preds = this.predecessors(rec);
      if (preds.length > 0 && preds.every((p) => this.isWidthRescaling(p))) return true;
      const { list, index, sites } = rec.seq;
      const next = list[index + 1];
      if (this.isWidthRescaling(next) && this.predecessors(next).length === 1 && this.predecessors(next)[0] === rec) {
        const a = sites[index].node;
        const b = sites[index + 1].node;
        if (sites[index + 1].kind !== 'add' || !branchBetween(b, lca(a, b))) return true;
      }
    }
    for (const a of rec.applies) {
      if (this.isScaledTensor(a.arguments[0], 0)) return true;
      if (this.isScaledUse(a, 0)) return true;
    }
    return false;
  }

  /** A tensor multiplied or divided by a width-derived value, or passed through a width rescaling. */
  private isScaledTensor(e: ts.Expression | undefined, depth: number): boolean {
    if (!e || depth > 4) return false;
    e = unwrap(e);
    if (ts.isIdentifier(e)) return this.isScaledTensor(this.latestAssignment(e.text, e), depth + 1);
    if (!ts.isCallExpression(e)) return false;
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (m === 'apply') return this.isWidthRescaling(this.layerOf(callee.expression));
      const path = this.b.qualify(callee);
      if ((path === 'tf.mul' || path === 'tf.div') && e.arguments.length === 2) return this.w.isDerived(e.arguments[0]) || this.w.isDerived(e.arguments[1]);
      if (!path && (m === 'mul' || m === 'div') && e.arguments.length === 1) return this.w.isDerived(e.arguments[0]);
    }
    return false;
  }

  /** Whether the output of `expr` is multiplied by a width-derived value where it is used. */
  private isScaledUse(expr: ts.Expression, depth: number): boolean {
    if (depth > 3) return false;
    const { node: p, child } = outerParent(expr);
    if (!p) return false;
    if (ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression)) {
      const callee = unwrap(p.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') {
        const rec = this.layerOf(callee.expression);
        if (this.isWidthRescaling(rec)) return true;
        if (rec && (rec.category === 'passthrough' || rec.category === 'norm') && rec.ctor !== 'rescaling') return this.isScaledUse(p, depth + 1);
        return false;
      }
      const path = this.b.qualify(callee);
      if ((path === 'tf.mul' || path === 'tf.div') && p.arguments.length === 2) return p.arguments.some((a) => a !== child && this.w.isDerived(a));
      return false;
    }
    if (ts.isPropertyAccessExpression(p) && p.expression === child && (p.name.text === 'mul' || p.name.text === 'div')) {
      const call = p.parent;
      return ts.isCallExpression(call) && call.expression === p && call.arguments.length === 1 && this.w.isDerived(call.arguments[0]);
    }
    let name: string | undefined;
    if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) name = p.name.text;
    else if (ts.isBinaryExpression(p) && p.right === child && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) name = p.left.text;
    if (!name) return false;
    const scope: ts.Node = enclosingFunction(p)?.body ?? enclosingClass(p) ?? this.facts.sf;
    let found = false;
    const from = p.pos;
    const visit = (n: ts.Node): void => {
      // Only uses after the assignment count: subtrees that end before it are skipped (at top level the
      // scope is the whole file).
      if (found || n.end <= from || ts.isTypeNode(n)) return;
      if (ts.isIdentifier(n) && n.text === name && n.pos > p.pos && n.parent !== p) {
        if (this.isScaledUse(n, depth + 1)) found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(scope);
    return found;
  }
}
