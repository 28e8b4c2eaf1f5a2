// Width knobs (DESIGN.md "Width"): a parameter, property or variable named like a width, or marked
// `// @mup width=<name>`, and any value derived from one (`4 * dModel`, `cfg.nEmbd`, `const w = opts.width`).
import ts = require('typescript');
import type { Assignment, Facts } from './collect';
import { enclosingClass, enclosingFunction, isFunctionLike, propName, unwrap } from './source';
import { evalNumber } from './values';

// Compared after lower-casing and dropping `_`/`$`: hiddenSize, hidden_size, HIDDEN_SIZE all match.
const WIDTH_NAMES = new Set([
  'width', 'hiddensize', 'hiddendim', 'hiddenunits', 'hiddenwidth', 'nhidden', 'numhidden', 'dhidden',
  'dmodel', 'modeldim', 'modelwidth', 'modelsize', 'nembd', 'nembed', 'nembedding', 'embeddim', 'embedsize',
  'embeddingdim', 'embeddingsize', 'embdim', 'dim', 'dembed', 'demb', 'nstate', 'channels', 'nchannels',
  // the feed-forward width of a transformer block or an MLP autoencoder (HF's intermediate_size,
  // tfjs-examples' fashion-mnist-vae `intermediateDim`)
  'intermediatedim', 'intermediatesize',
]);

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_$]/g, '');
}

export class WidthModel {
  private readonly memo = new Map<ts.Node, boolean>();
  private readonly busy = new Set<ts.Node>();

  constructor(
    private readonly facts: Facts,
    /** Names marked `// @mup width=<name>`. */
    private readonly annotated: Set<string>,
  ) {}

  isWidthName(name: string): boolean {
    if (this.annotated.has(name)) return true;
    const n = normalizeName(name);
    if (WIDTH_NAMES.has(n)) return true;
    // mlpWidth, hiddenWidth: yes; BASE_WIDTH, baseWidth: no (that is muP's fixed base, not the knob).
    // lstmLayerSize(s), rnnLayerSize: the size of every layer of an RNN stack (tfjs-examples'
    // lstm-text-generation takes `lstmLayerSizes`).
    if (n.includes('base') || n.includes('mult')) return false;
    if (n.endsWith('width')) return true;
    return (n.endsWith('layersize') || n.endsWith('layersizes')) && !n.includes('input') && !n.includes('output');
  }

  /** Whether the value of `e` grows with the width knob. */
  isDerived(e: ts.Expression | undefined): boolean {
    if (!e) return false;
    const cached = this.memo.get(e);
    if (cached !== undefined) return cached;
    if (this.busy.has(e)) return false;
    this.busy.add(e);
    const r = this.compute(e);
    this.busy.delete(e);
    this.memo.set(e, r);
    return r;
  }

  private anyDerived(list: Assignment[] | undefined): boolean {
    if (!list) return false;
    for (const a of list) if (this.isDerivedValue(a.value)) return true;
    return false;
  }

  private isDerivedValue(v: ts.Expression): boolean {
    if (ts.isBindingElement(v as ts.Node)) {
      const el = v as unknown as ts.BindingElement;
      const key = el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      return key !== undefined && (this.isWidthName(key) || this.anyDerived(this.facts.props.get(key)));
    }
    return this.isDerived(v);
  }

  private compute(e0: ts.Expression): boolean {
    const e = unwrap(e0);
    if (e !== e0) return this.isDerived(e);
    if (ts.isIdentifier(e)) {
      return this.isWidthName(e.text) || this.anyDerived(this.facts.assigns.get(e.text));
    }
    if (ts.isPropertyAccessExpression(e)) {
      const name = e.name.text;
      if (name === 'length') return false;
      return this.isWidthName(name) || this.anyDerived(this.facts.props.get(name));
    }
    if (ts.isElementAccessExpression(e)) {
      const a = e.argumentExpression;
      if (ts.isStringLiteralLike(a)) return this.isWidthName(a.text) || this.anyDerived(this.facts.props.get(a.text));
      // An element of an array of widths (`lstmLayerSizes[i]`) is a width.
      return this.isDerived(e.expression);
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
          return this.isDerived(e.left) || this.isDerived(e.right);
        default:
          return false;
      }
    }
    if (ts.isPrefixUnaryExpression(e)) return this.isDerived(e.operand);
    if (ts.isConditionalExpression(e)) return this.isDerived(e.whenTrue) || this.isDerived(e.whenFalse);
    if (ts.isCallExpression(e)) {
      // Math.floor(width / 2), tf.scalar(64 / width), Number(opts.width): derived if an argument is.
      for (const a of e.arguments) if (!ts.isObjectLiteralExpression(a) && this.isDerived(a)) return true;
      return false;
    }
    return false;
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
    if (cls) {
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
    }
    return undefined;
  }

  /** A width-named variable assigned outside any function's parameters (`const { width } = opts` too). */
  private fileKnobName(): string | undefined {
    if (this.fileKnob === null) {
      this.fileKnob = undefined;
      for (const [name, list] of this.facts.assigns) {
        if (this.isWidthName(name) && list.some((a) => !isFunctionLike(a.node))) {
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
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && this.isWidthName(n.text) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = n.text;
      else if (ts.isPropertyAccessExpression(n) && this.isWidthName(n.name.text)) found = n.getText(sf);
      else ts.forEachChild(n, visit);
    };
    if (e) visit(e);
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
