// Finding the layers: every tfjs layer constructed in the file (`tf.layers.*` calls, mup-lens runtime
// readouts, `new` of custom `tf.layers.Layer` subclasses), where each one is held (a variable, a property),
// where it is used (`.apply(...)` calls, elements of `tf.sequential({layers: [...]})`, `model.add(...)`
// calls, in order per model) and the wrappers around it (`timeDistributed`, `bidirectional`).
import ts = require('typescript');
import type { Bindings } from './bindings';
import type { Facts } from './collect';
import { configProp, enclosingClass, enclosingFunction, outerParent, propName, unwrap } from './source';
import { inlineModelHelpers, type SeqList } from './models';
import type { LayerRole } from './types';

export type Category = 'projection' | 'embedding' | 'norm' | 'passthrough' | 'runtimeReadout' | 'custom';

/** Config key that sets the output size of a projection layer. */
export const PROJECTION_OUT: Record<string, string> = {
  dense: 'units', conv1d: 'filters', conv2d: 'filters', conv3d: 'filters', conv2dTranspose: 'filters',
  conv3dTranspose: 'filters', separableConv2d: 'filters', simpleRNN: 'units', lstm: 'units', gru: 'units',
};
const NORMS = new Set(['layerNormalization', 'batchNormalization']);
const NOT_LAYERS = new Set(['input', 'Layer', 'RNN', 'InputSpec']);

/** Where a layer sits in a sequential model: an element of `layers: [...]`, or a `model.add(...)` call. */
export type SeqSite =
  | { kind: 'element'; node: ts.Expression }
  /** `node`: where the layer is added in this model's code (a call of a helper that adds it, when it is
   * added by one: `addHidden(model, units)`); `add`: the `model.add(...)` itself when that is in a helper;
   * `via`: the helper calls from the model's code down to that add, outermost first (`node` is `via[0]`). */
  | { kind: 'add'; node: ts.CallExpression; add?: ts.CallExpression; model?: ts.Expression; via?: ts.CallExpression[] };

export interface LayerRec {
  node: ts.CallExpression | ts.NewExpression;
  kind: string;
  ctor: string;
  category: Category;
  config?: ts.ObjectLiteralExpression;
  cls?: ts.ClassLikeDeclaration;
  /** A custom layer whose `computeOutputShape` returns the shape it is given: its output has its input's size. */
  keepsShape: boolean;
  applies: ts.CallExpression[];
  /**
   * The tensors it is applied to through a small helper (`const project = (layer, x) => layer.apply(x)`,
   * called as `project(this.denseQ, q)`): the argument given for the helper's input parameter.
   */
  helperInputs: ts.Expression[];
  seq?: { list: LayerRec[]; index: number; sites: SeqSite[] };
  /** `tf.layers.timeDistributed({layer})` / `bidirectional({layer})` around this layer: it takes the wrapper's place. */
  wrapper?: LayerRec;
  /** The layer this wrapper wraps. */
  inner?: LayerRec;
  bindingName?: string;
  // Set by roles.ts, from shape.ts:
  fanIn: boolean;
  fanOut: boolean;
  role: LayerRole;
  outputScaled: boolean;
  name: string | null;
}

export class LayerIndex {
  readonly layers: LayerRec[] = [];
  readonly byNode = new Map<ts.Node, LayerRec>();
  private readonly layerVars = new Map<string, LayerRec>();
  private readonly layerProps = new Map<string, LayerRec>();
  readonly customClasses = new Map<string, ts.ClassLikeDeclaration>();
  /** The models of a file that uses helpers adding to a model passed in (models.ts): each with its layers in order. */
  readonly helperModels: SeqList[] = [];
  /** Calls of apply-helpers (`project(this.denseQ, q)`) -> the layer they apply: their output is its output. */
  readonly helperCalls = new Map<ts.Node, LayerRec>();

  constructor(
    private readonly facts: Facts,
    private readonly b: Bindings,
  ) {
    this.findCustomClasses();
    this.findLayers();
    this.findUses();
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
      node: n, kind: callee.getText(this.facts.sf), ctor, category, config, cls, keepsShape: !!cls && this.keepsShape(cls), applies: [], helperInputs: [], seq: undefined, wrapper: undefined, inner: undefined, bindingName: undefined,
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

  /**
   * Whether a layer class (or one it extends in the file) declares `computeOutputShape(s) { return s; }`:
   * the output has the input's shape (a scaling layer, a residual block).
   */
  private keepsShape(cls: ts.ClassLikeDeclaration): boolean {
    for (let c: ts.ClassLikeDeclaration | undefined = cls, i = 0; c && i < 4; i++) {
      for (const m of c.members) {
        if (!ts.isMethodDeclaration(m) || !m.body || !m.name || propName(m.name) !== 'computeOutputShape') continue;
        const p = m.parameters[0];
        const ret = m.body.statements.length === 1 ? m.body.statements[0] : undefined;
        const e = ret && ts.isReturnStatement(ret) && ret.expression ? unwrap(ret.expression) : undefined;
        return !!p && ts.isIdentifier(p.name) && !!e && ts.isIdentifier(e) && e.text === p.name.text;
      }
      const ext: ts.Expression | undefined = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      c = ext && ts.isIdentifier(ext) ? this.customClasses.get(ext.text) : undefined;
    }
    return false;
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
    const adds = new Map<string, SeqList>();
    const seqVars = new Map<string, SeqList>();
    const paths = this.b.callPaths;
    const helpers = new Map<string, { layerParam: number; inputParam: number }>();
    /** Calls that may run a helper adding layers to a model passed in (`addHidden(model, units)`). */
    const helperCalls: ts.CallExpression[] = [];
    for (let i = 0; i < this.facts.calls.length; i++) {
      const n = this.facts.calls[i];
      if (!ts.isCallExpression(n)) continue;
      const callee = unwrap(n.expression);
      if (!paths[i] && n.arguments.length > 0 && (ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword))) helperCalls.push(n);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply' && n.arguments.length > 0) {
        const rec = this.layerOf(callee.expression);
        if (rec) rec.applies.push(n);
        else this.noteHelper(n, callee.expression, helpers);
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
        else if (p && ts.isBinaryExpression(p) && (ts.isIdentifier(p.left) || ts.isPropertyAccessExpression(p.left))) seqVars.set(this.scopeKey(p.left.getText(this.facts.sf), n), seq);
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
    if (helpers.size > 0) this.findHelperCalls(helpers);
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
    // Models passed to helpers: the helper's adds run where it is called (models.ts); a layer's place is
    // first taken in a model that is not a helper's parameter.
    const open = helperCalls.length > 0 ? inlineModelHelpers(this.facts, this.b, helperCalls, seqVars, adds, (name, at) => this.scopeKey(name, at)) : new Set<SeqList>();
    if (open.size > 0) for (const seq of new Set([...seqVars.values(), ...adds.values()])) if (!open.has(seq)) this.helperModels.push(seq);
    for (const seq of [...seqVars.values(), ...adds.values()].sort((a, c) => Number(open.has(a)) - Number(open.has(c)))) {
      seq.list.forEach((rec, index) => {
        if (!rec.seq) rec.seq = { list: seq.list, index, sites: seq.sites };
      });
    }
  }

  /** `layer.apply(x)` where `layer` is a parameter of a named function or arrow: an apply-helper. */
  private noteHelper(apply: ts.CallExpression, recv: ts.Expression, helpers: Map<string, { layerParam: number; inputParam: number }>): void {
    const fn = enclosingFunction(apply);
    const r = unwrap(recv);
    if (!fn || !ts.isIdentifier(r)) return;
    const idx = (e: ts.Expression | undefined): number => {
      const u = e && unwrap(e);
      return u && ts.isIdentifier(u) ? fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === u.text) : -1;
    };
    const layerParam = idx(r);
    if (layerParam < 0) return;
    let name: string | undefined;
    if (ts.isFunctionDeclaration(fn) && fn.name) name = fn.name.text;
    else if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) && fn.parent.initializer === fn) name = fn.parent.name.text;
    if (name && !helpers.has(name)) helpers.set(name, { layerParam, inputParam: idx(apply.arguments[0]) });
  }

  /** The calls of apply-helpers with a layer for the layer parameter. */
  private findHelperCalls(helpers: Map<string, { layerParam: number; inputParam: number }>): void {
    for (const n of this.facts.calls) {
      if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression)) continue;
      const h = helpers.get(n.expression.text);
      const arg = h && n.arguments[h.layerParam];
      const rec = arg && this.layerOf(arg);
      if (!h || !rec) continue;
      this.helperCalls.set(n, rec);
      const input = h.inputParam >= 0 ? n.arguments[h.inputParam] : undefined;
      if (input) rec.helperInputs.push(input);
    }
  }

  /**
   * Which model a receiver names: `model` is the variable of the function that declares it (adds inside a
   * `sizes.forEach((s) => model.add(...))` callback go to the outer model), `this.model` the field of the
   * class (built in the constructor, filled in a method and its callbacks).
   */
  scopeKey(name: string, at: ts.Node): string {
    if (name.startsWith('this.')) {
      const cls = enclosingClass(at);
      if (cls) return `${name}@class${cls.pos}`;
    }
    const inner = enclosingFunction(at);
    if (/^[A-Za-z_$][\w$]*$/.test(name)) {
      const list = this.facts.assigns.get(name);
      for (let fn = inner; fn; fn = enclosingFunction(fn)) {
        const declares = fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name) || !!list?.some((a) => a.fn === fn && ts.isVariableDeclaration(a.node));
        if (declares) return `${name}@${fn.pos}`;
      }
      if (list?.some((a) => a.fn === undefined)) return `${name}@-1`;
    }
    return `${name}@${inner ? inner.pos : -1}`;
  }
}
