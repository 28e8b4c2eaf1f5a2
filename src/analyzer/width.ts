// Width knobs (docs/rules.md "Width knobs"): a parameter, property or variable named like a width, or marked
// `// @mup width=<name>`, and any value derived from one (`4 * dModel`, `cfg.nEmbd`, `const w = opts.width`).
import ts = require('typescript');
import type { Assignment, Facts } from './collect';
import { bindingKey, enclosingClass, enclosingFunction, isFunctionLike, STOP, unwrap, walk } from './source';
import { evalNumber } from './values';

// Compared after lower-casing and dropping `_`/`$`: hiddenSize, hidden_size, HIDDEN_SIZE all match.
const WIDTH_NAMES = new Set([
  'width', 'hiddensize', 'hiddendim', 'hiddenunits', 'hiddenwidth', 'nhidden', 'numhidden', 'dhidden',
  'dmodel', 'modeldim', 'modelwidth', 'modelsize', 'nembd', 'nembed', 'nembedding', 'embeddim', 'embedsize',
  'embeddingdim', 'embeddingsize', 'embdim', 'dim', 'dembed', 'demb', 'nstate', 'channels', 'nchannels',
  // the feed-forward width of a transformer block or an MLP autoencoder (HF's intermediate_size,
  // tfjs-examples' fashion-mnist-vae `intermediateDim`)
  'intermediatedim', 'intermediatesize',
  // and its other spellings (d_ff / dFF of "Attention is all you need" and tfjs ports of it, ffDim, PyTorch's
  // dim_feedforward): a width, so the dense(dModel) after dense(dff) is hidden, not a readout
  'dff', 'ffdim', 'ffndim', 'ffsize', 'ffnsize', 'dimfeedforward', 'feedforwarddim',
  // the `*Units` family of RNN and MLP code (tfjs's own config key: `config.units` of a custom layer)
  'units', 'numunits', 'nunits', 'hiddenunits', 'rnnunits', 'lstmunits', 'gruunits', 'cellunits', 'encoderunits', 'decoderunits',
  'embeddingdims', 'embeddims', 'embeddingdimensions', 'embeddingdimension', 'embeddimension',
  'channelcount', 'numchannels', 'nchannel',
  // lists of layer sizes: their elements are widths (`hiddenLayers[i]`, `layerSizes.forEach(...)`; not a
  // bare `layout`, which the ode corpus labels read as no knob)
  'hiddenlayers', 'hiddenlayer', 'layersizes',
]);

/** Sizes of the data or of a bottleneck, not of the model: never a width, whatever their spelling. */
const NOT_WIDTH = /input|output|latent|imagesize|vocab|classes|labels|base|mult|^get/;

/** Array methods that return a part of the list they are called on. */
const LIST_PARTS = new Set(['slice', 'concat', 'reverse', 'filter', 'flat', 'toReversed']);

/** Array methods whose callback's first parameter is an element of the receiver. */
const ELEMENT_CALLBACKS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find']);

/**
 * The list a name runs over when it is a loop variable visible at `use`: the first parameter of an
 * element callback (`sizes.forEach((size, i) => ...)`: `sizes`) or the variable of a `for...of`.
 */
export function iteratedList(use: ts.Identifier): ts.Expression | undefined {
  const name = use.text;
  for (let p: ts.Node | undefined = use.parent; p; p = p.parent) {
    if (ts.isForOfStatement(p) && ts.isVariableDeclarationList(p.initializer)) {
      const d = p.initializer.declarations[0];
      if (d && ts.isIdentifier(d.name) && d.name.text === name) return p.expression;
      // `for (const [i, size] of sizes.entries())`
      const el = d && ts.isArrayBindingPattern(d.name) ? d.name.elements[1] : undefined;
      const x = unwrap(p.expression);
      if (el && ts.isBindingElement(el) && ts.isIdentifier(el.name) && el.name.text === name && ts.isCallExpression(x)) {
        const c = unwrap(x.expression);
        if (ts.isPropertyAccessExpression(c) && c.name.text === 'entries') return c.expression;
      }
    } else if (ts.isArrowFunction(p) || ts.isFunctionExpression(p)) {
      const first = p.parameters[0];
      if (p.parameters.some((q) => ts.isIdentifier(q.name) && q.name.text === name)) {
        if (!first || !ts.isIdentifier(first.name) || first.name.text !== name) return undefined;
        const call = p.parent;
        if (!ts.isCallExpression(call) || call.arguments[0] !== p) return undefined;
        const callee = unwrap(call.expression);
        return ts.isPropertyAccessExpression(callee) && ELEMENT_CALLBACKS.has(callee.name.text) ? callee.expression : undefined;
      }
    } else if (isFunctionLike(p) && p.parameters.some((q) => ts.isIdentifier(q.name) && q.name.text === name)) return undefined;
  }
  return undefined;
}

/** A value that is a layer or a model, not a size (`const hiddenLayer = tf.layers.dense(...)`). */
function holdsLayer(v: ts.Expression): boolean {
  const u = unwrap(v);
  if (ts.isNewExpression(u)) return true;
  return ts.isCallExpression(u) && /\b(layers|sequential|model)\b/.test(u.expression.getText());
}

/**
 * `this`, or a name that holds it in compiled classes: tsc's ES5 `var _this = _super.call(this) || this`,
 * babel's `_this = _callSuper(this, X, [config])`, `var self = this`.
 */
function isThisLike(facts: Facts, e0: ts.Expression): boolean {
  const e = unwrap(e0);
  if (e.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(e)) return false;
  const list = facts.assigns.get(e.text);
  return !!list && list.length > 0 && list.every((a) => holdsThis(a.value));
}

function holdsThis(v0: ts.Expression): boolean {
  const v = unwrap(v0);
  if (v.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isBinaryExpression(v) && v.operatorToken.kind === ts.SyntaxKind.BarBarToken) return unwrap(v.right).kind === ts.SyntaxKind.ThisKeyword;
  // (babel: `_callSuper(this, X, args)`, `_possibleConstructorReturn(this, ...)`)
  return ts.isCallExpression(v) && v.arguments.length > 0 && unwrap(v.arguments[0]).kind === ts.SyntaxKind.ThisKeyword && /super|construct/i.test(v.expression.getText());
}

/** An assignment to a field: a class field, or `this.x = v` / `_this.x = v` (not an object literal's key). */
function isFieldAssignment(facts: Facts, node: ts.Node): boolean {
  if (ts.isPropertyDeclaration(node)) return true;
  return ts.isBinaryExpression(node) && ts.isPropertyAccessExpression(node.left) && isThisLike(facts, node.left.expression);
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_$]/g, '');
}

const END = undefined;
const SKIP = null;

function valueAt(list: Assignment[] | undefined, i: number): ts.Expression | typeof END {
  return list && i < list.length ? list[i].value : END;
}

export class WidthModel {
  private readonly memo = new Map<ts.Node, boolean>();
  private readonly busy = new Set<ts.Node>();

  constructor(
    private readonly facts: Facts,
    /** Names marked `// @mup width=<name>`. */
    private readonly annotated: Set<string>,
    /** The arguments a parameter is given by the calls of its function in the file (interprocedural flow). */
    private readonly callerArgs?: (param: ts.Identifier) => ts.Expression[],
  ) {}

  /** (asked of the same few names thousands of times a file: each answered once) */
  private readonly widthNames = new Map<string, boolean>();

  isWidthName(name: string): boolean {
    let r = this.widthNames.get(name);
    if (r === undefined) this.widthNames.set(name, (r = this.decideWidthName(name)));
    return r;
  }

  private decideWidthName(name: string): boolean {
    if (this.annotated.has(name)) return true;
    const n = normalizeName(name);
    if (WIDTH_NAMES.has(n)) return true;
    // mlpWidth, hiddenWidth: yes; BASE_WIDTH, baseWidth: no (that is muP's fixed base, not the knob).
    // lstmLayerSize(s), rnnLayerSize: the size of every layer of an RNN stack (tfjs-examples'
    // lstm-text-generation takes `lstmLayerSizes`). `*Units`, but not the sizes of the data (`inputUnits`,
    // `outputUnits`, `groupOutputUnits`); `inputLayerUnits` is the units of the first layer (the width it
    // maps the data to, xai's TfModel), while `inputLayerSize` is the size of the data (the rules'
    // exception since the first release).
    if (n.endsWith('inputlayerunits')) return true;
    if (NOT_WIDTH.test(n)) return false;
    return n.endsWith('width') || n.endsWith('layersize') || n.endsWith('layersizes') || n.endsWith('units');
  }

  /** Whether the value of `e` grows with the width knob. */
  isDerived(e: ts.Expression | undefined): boolean {
    if (!e) return false;
    const cached = this.memo.get(e);
    if (cached !== undefined) return cached;
    if (this.busy.has(e)) return false;
    return this.derive(e);
  }

  /**
   * `isDerived` without recursion, so that an alias chain (`const a2 = a1 * 2`, thousands of lines) or a
   * long `a + b + ...` is followed to its end: a depth-first search with one frame per node being decided.
   * A node is derived when it names the width (`named`) or when one of its operands or assigned values is
   * (`operand`, in order, up to the first that is). A node met again while it is being decided counts as
   * not derived; expressions are decided once (memo), the binding elements of destructuring each time.
   */
  private derive(root: ts.Expression): boolean {
    // (the search never re-enters itself: one pair of stacks serves every call)
    const nodes = this.frames;
    const next = this.framePos;
    const base = nodes.length;
    /** The answer of the frame decided last. */
    let result: boolean | undefined;
    this.busy.add(root);
    nodes.push(root);
    next.push(0);
    while (nodes.length > base) {
      const top = nodes.length - 1;
      const n = nodes[top];
      let decided: boolean | undefined;
      if (result !== undefined) {
        // the frame of one of its operands was just decided
        if (result) decided = true;
        result = undefined;
      } else if (next[top] === 0 && this.named(n)) decided = true;
      while (decided === undefined) {
        const d = this.operand(n, next[top]++);
        if (d === END) decided = false;
        else if (d === SKIP) continue;
        else {
          const element = ts.isBindingElement(d);
          const m = element ? undefined : this.memo.get(d);
          if (m === true) decided = true;
          else if (m === undefined && (element || !this.busy.has(d))) {
            if (!element) this.busy.add(d);
            nodes.push(d);
            next.push(0);
            break;
          }
        }
      }
      if (decided === undefined) continue;
      nodes.pop();
      next.pop();
      if (!ts.isBindingElement(n)) {
        this.busy.delete(n);
        this.memo.set(n, decided);
      }
      result = decided;
    }
    return result === true;
  }

  private readonly frames: ts.Node[] = [];
  private readonly framePos: number[] = [];

  /** Whether a node names the width knob itself (its name, its property, the key it is read from). */
  private named(n: ts.Node): boolean {
    if (ts.isBindingElement(n)) {
      const key = bindingKey(n);
      return key !== undefined && this.isWidthName(key);
    }
    const e = n as ts.Expression;
    if (unwrap(e) !== e) return false;
    if (ts.isIdentifier(e)) return this.isWidthName(e.text);
    if (ts.isPropertyAccessExpression(e)) return e.name.text !== 'length' && this.isWidthName(e.name.text);
    if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return this.isWidthName(e.argumentExpression.text);
    return false;
  }

  /**
   * The i-th thing a node is derived from: its operands (`4 * d`, `f(d)`, `c ? a : b`), the values assigned
   * to a name or a property; END after the last, SKIP for one that never counts (an object argument).
   */
  private operand(n: ts.Node, i: number): ts.Node | typeof END | typeof SKIP {
    if (ts.isBindingElement(n)) {
      const key = bindingKey(n);
      return valueAt(key === undefined ? undefined : this.facts.props.get(key), i);
    }
    const e0 = n as ts.Expression;
    const e = unwrap(e0);
    if (e !== e0) return i === 0 ? e : END;
    if (ts.isIdentifier(e)) {
      const list = this.facts.assigns.get(e.text);
      const n = list?.length ?? 0;
      if (i < n) return valueAt(list, i);
      // a loop variable over a list of widths (`sizes.forEach((s) => ...)`, `for (const s of sizes)`)
      if (i === n) return iteratedList(e) ?? SKIP;
      // a parameter of a function of the file: what its callers pass there (`addHidden(model, hiddenUnits)`)
      const args = this.callerArgs?.(e) ?? [];
      return i - n - 1 < args.length ? args[i - n - 1] : END;
    }
    if (ts.isPropertyAccessExpression(e)) return e.name.text === 'length' ? END : valueAt(this.propValues(e), i);
    if (ts.isElementAccessExpression(e)) {
      const a = e.argumentExpression;
      if (ts.isStringLiteralLike(a)) return valueAt(this.facts.props.get(a.text), i);
      // An element of an array of widths (`lstmLayerSizes[i]`) is a width.
      return i === 0 ? e.expression : END;
    }
    if (ts.isBinaryExpression(e)) {
      switch (e.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken:
        case ts.SyntaxKind.MinusToken:
        case ts.SyntaxKind.AsteriskToken:
        case ts.SyntaxKind.SlashToken:
        case ts.SyntaxKind.PercentToken:
        case ts.SyntaxKind.AsteriskAsteriskToken:
        case ts.SyntaxKind.QuestionQuestionToken:
        case ts.SyntaxKind.BarBarToken:
          return i === 0 ? e.left : i === 1 ? e.right : END;
        default:
          return END;
      }
    }
    if (ts.isPrefixUnaryExpression(e)) return i === 0 ? e.operand : END;
    if (ts.isConditionalExpression(e)) return i === 0 ? e.whenTrue : i === 1 ? e.whenFalse : END;
    if (ts.isCallExpression(e)) {
      // Math.floor(width / 2), tf.scalar(64 / width), Number(opts.width): derived if an argument is;
      // `sizes.slice(1)`, `[...].concat(sizes)`: a part of a list of widths is one.
      if (i === e.arguments.length) {
        const c = unwrap(e.expression);
        return ts.isPropertyAccessExpression(c) && LIST_PARTS.has(c.name.text) ? c.expression : END;
      }
      if (i > e.arguments.length) return END;
      return ts.isObjectLiteralExpression(e.arguments[i]) ? SKIP : e.arguments[i];
    }
    return END;
  }

  /**
   * The values a property read can hold. A field of the object (`this.outputDim`, or `_this.outputDim` in
   * compiled ES5, where `_this` is `this`) holds what its class assigns to that field (`this.outputDim =
   * outputDim`, a class field), not what any object literal of the file gives a key of that name (a layer
   * config's `outputDim: embeddingDim`); a field the file never assigns, and any other receiver (`cfg.nEmbd`),
   * read all the values given to the name.
   */
  private propValues(e: ts.PropertyAccessExpression): Assignment[] | undefined {
    const all = this.facts.props.get(e.name.text);
    if (!all || !isThisLike(this.facts, e.expression)) return all;
    let fields = this.fieldMemo.get(e.name.text);
    if (!fields) {
      fields = all.filter((a) => isFieldAssignment(this.facts, a.node));
      // babel's class fields: `_defineProperty(this, "outputDim", outputDim)`
      if (fields.length === 0) fields = this.definedFields().get(e.name.text) ?? [];
      this.fieldMemo.set(e.name.text, fields);
    }
    if (fields.length === 0) return all;
    const cls = enclosingClass(e);
    const own = cls ? fields.filter((a) => enclosingClass(a.node) === cls) : fields;
    return own.length > 0 ? own : fields;
  }

  private readonly fieldMemo = new Map<string, Assignment[]>();
  private defined: Map<string, Assignment[]> | undefined;

  /** Fields set by `_defineProperty(this, "x", v)` (babel) or `Object.defineProperty(this, "x", { value: v })`. */
  private definedFields(): Map<string, Assignment[]> {
    if (this.defined) return this.defined;
    const m = (this.defined = new Map<string, Assignment[]>());
    this.facts.calls.forEach((c, i) => {
      if (!ts.isCallExpression(c) || c.arguments.length < 3) return;
      const callee = unwrap(c.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const key = unwrap(c.arguments[1]);
      if (!/defineProperty$/.test(name) || !ts.isStringLiteralLike(key) || !isThisLike(this.facts, c.arguments[0])) return;
      let value: ts.Expression | undefined = unwrap(c.arguments[2]);
      if (ts.isObjectLiteralExpression(value)) {
        const p = value.properties.find((x) => ts.isPropertyAssignment(x) && x.name.getText() === 'value') as ts.PropertyAssignment | undefined;
        value = p?.initializer;
      }
      if (!value) return;
      const list = m.get(key.text);
      const a: Assignment = { value, node: c, fn: this.facts.callFns[i] };
      if (list) list.push(a);
      else m.set(key.text, [a]);
    });
    return m;
  }

  /** The width parameter of a function: `width`, `{ width }`, or `opts` used as `opts.width`. */
  widthParamOf(fn: ts.FunctionLikeDeclaration): string | undefined {
    for (const p of fn.parameters) {
      if (ts.isIdentifier(p.name)) {
        if (this.isWidthName(p.name.text)) return p.name.text;
      } else if (ts.isObjectBindingPattern(p.name)) {
        for (const el of p.name.elements) {
          if (ts.isIdentifier(el.name) && this.isWidthName(el.name.text)) return el.name.text;
        }
      }
    }
    if (!fn.body) return undefined;
    const bodyText = fn.body.getText(this.facts.sf);
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name)) continue;
      const re = new RegExp(`\\b${p.name.text.replace(/\$/g, '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g');
      for (let m = re.exec(bodyText); m; m = re.exec(bodyText)) {
        if (this.isWidthName(m[1])) return `${p.name.text}.${m[1]}`;
      }
    }
    return undefined;
  }

  /** How to write the width knob at `node` (for fixes): `width`, `this.dModel`, `cfg.nEmbd`. */
  widthRefAt(node: ts.Node): string | undefined {
    return this.localWidthRefAt(node) ?? this.fileKnobName();
  }

  /** The width knob as a parameter of a function around `node` or a field of its class. */
  localWidthRefAt(node: ts.Node): string | undefined {
    for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
      const w = this.widthParamOf(fn);
      if (w) return w;
    }
    const cls = enclosingClass(node);
    if (!cls) return undefined;
    // (per class, once: the last resort below reads the class's whole text)
    let r = this.classRefs.get(cls);
    if (r === undefined) this.classRefs.set(cls, (r = this.classWidthRef(cls) ?? null));
    return r ?? undefined;
  }

  private readonly classRefs = new Map<ts.ClassLikeDeclaration, string | null>();

  /** The width knob as a field of a class: a width-named field or parameter property, else a `this.<width name>` read in it. */
  private classWidthRef(cls: ts.ClassLikeDeclaration): string | undefined {
    // fields and constructor parameter properties (`constructor(private readonly dModel: number)`)
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && this.isWidthName(m.name.text)) return `this.${m.name.text}`;
      if (ts.isConstructorDeclaration(m)) {
        for (const p of m.parameters) {
          if (ts.isIdentifier(p.name) && ts.getModifiers(p)?.length && this.isWidthName(p.name.text)) return `this.${p.name.text}`;
        }
      }
    }
    const text = cls.getText(this.facts.sf);
    const re = /\bthis\.([A-Za-z_$][\w$]*)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) if (this.isWidthName(m[1])) return `this.${m[1]}`;
    return undefined;
  }

  /** A width-named variable assigned outside any function's parameters (`const { width } = opts` too). */
  private fileKnobName(): string | undefined {
    if (this.fileKnob === null) {
      this.fileKnob = undefined;
      for (const [name, list] of this.facts.assigns) {
        if (this.isWidthName(name) && list.some((a) => !isFunctionLike(a.node) && !holdsLayer(a.value))) {
          this.fileKnob = name;
          break;
        }
      }
    }
    return this.fileKnob;
  }

  private fileKnob: string | undefined | null = null;
  private base: string | undefined | null = null;

  /** The first width-named name or property inside `e` as written (`config.nEmbd` in `4 * config.nEmbd`). */
  widthNameIn(e: ts.Expression | undefined, sf: ts.SourceFile): string | undefined {
    let found: string | undefined;
    if (e) {
      walk(e, (n) => {
        if (ts.isIdentifier(n) && this.isWidthName(n.text) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = n.text;
        else if (ts.isPropertyAccessExpression(n) && this.isWidthName(n.name.text)) found = n.getText(sf);
        return found ? STOP : undefined;
      });
    }
    return found;
  }

  /** Name of a file-level base-width constant (`BASE_WIDTH`, `baseWidth`), if there is one. */
  baseConstant(): string | undefined {
    if (this.base !== null) return this.base;
    this.base = undefined;
    for (const [name, list] of this.facts.assigns) {
      if (!/base/i.test(name)) continue;
      const n = normalizeName(name);
      if ((n === 'basewidth' || n === 'basedim' || n === 'basedmodel' || n === 'basehidden') && list.length === 1 && evalNumber(this.facts, list[0].value) !== undefined) {
        this.base = name;
        break;
      }
    }
    return this.base;
  }
}
