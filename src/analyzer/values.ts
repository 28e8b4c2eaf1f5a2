// Values of expressions: which assignment a name holds where it is used (scope-aware), and the number an
// arithmetic expression comes to, either as a constant (`evalNumber`) or at a given width (`sizeAt`, the
// size of a layer at width 1, 2 or the base width, for fixes). One evaluator serves both.
import ts = require('typescript');
import type { Facts } from './collect';
import { enclosingFunction, isAncestor, propName, unwrap } from './source';
import type { WidthModel } from './width';
import { analysisMemo } from './memo';

/** What a name or property stands for: a number, an expression to evaluate in its place, or unknown. */
type Resolve = (e: ts.Identifier | ts.PropertyAccessExpression) => number | ts.Expression | undefined;

interface Evaluator {
  resolve: Resolve;
  /** Whether `**` is evaluated. */
  pow: boolean;
  /** How many steps deep (operands and names followed) before giving up. */
  maxDepth: number;
}

/** Literals, unary minus, names (through `resolve`) and + - * / (and `**` when asked): the number, or undefined. */
function evaluate(e: ts.Expression | undefined, ev: Evaluator, depth: number): number | undefined {
  if (!e || depth > ev.maxDepth) return undefined;
  e = unwrap(e);
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = evaluate(e.operand, ev, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const r = ev.resolve(e);
    return typeof r === 'number' ? r : evaluate(r, ev, depth + 1);
  }
  if (ts.isBinaryExpression(e)) {
    const a = evaluate(e.left, ev, depth + 1);
    const b = a === undefined ? undefined : evaluate(e.right, ev, depth + 1);
    if (a === undefined || b === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken: return a + b;
      case ts.SyntaxKind.MinusToken: return a - b;
      case ts.SyntaxKind.AsteriskToken: return a * b;
      case ts.SyntaxKind.SlashToken: return a / b;
      case ts.SyntaxKind.AsteriskAsteriskToken: return ev.pow ? a ** b : undefined;
      default: return undefined;
    }
  }
  return undefined;
}

const constants = analysisMemo<Facts, Evaluator>();

/** A numeric value when `e` is a constant expression (literals, names assigned once, arithmetic). */
export function evalNumber(facts: Facts, e: ts.Expression | undefined): number | undefined {
  let ev = constants.get(facts);
  if (!ev) {
    const resolve: Resolve = (n) => {
      const list = ts.isIdentifier(n) ? facts.assigns.get(n.text) : facts.props.get(n.name.text);
      if (!list || list.length !== 1) return undefined;
      const v = list[0].value;
      return ts.isBindingElement(v as ts.Node) ? undefined : v;
    };
    constants.set(facts, (ev = { resolve, pow: true, maxDepth: 8 }));
  }
  return evaluate(e, ev, 0);
}

function functionChain(n: ts.Node): ts.Node[] {
  const s: ts.Node[] = [];
  for (let f = enclosingFunction(n); f; f = enclosingFunction(f)) s.push(f);
  return s;
}

/** The value a variable holds at `use`: the last assignment before it in source order, visible from it
 *  (declared at top level or in a function around `use`), not one that contains `use`. */
export function latestAssignment(facts: Facts, name: string, use: ts.Node): ts.Expression | undefined {
  const list = facts.assigns.get(name);
  if (!list) return undefined;
  const at = use.pos;
  let chain: ts.Node[] | undefined;
  // Source order: the first visible one from the end, before `use`.
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i];
    if (a.node.pos >= at) continue;
    if (a.fn) {
      chain ??= functionChain(use);
      if (!chain.includes(a.fn)) continue;
    }
    if (isAncestor(a.node, use)) continue;
    return a.value;
  }
  return undefined;
}

export class Values {
  constructor(
    private readonly facts: Facts,
    private readonly w: WidthModel,
  ) {}

  /** The value a variable holds at `use`: the last assignment before it in source order. */
  latestAssignment(name: string, use: ts.Node): ts.Expression | undefined {
    return latestAssignment(this.facts, name, use);
  }

  /** A numeric value when `e` is a constant expression. */
  evalNumber(e: ts.Expression | undefined): number | undefined {
    return evalNumber(this.facts, e);
  }

  /**
   * The value of a size expression when the width knob is `width` (width knobs and local constants
   * resolved through their assignments, scope-aware), or undefined when it is not plain arithmetic.
   */
  sizeAt(e: ts.Expression | undefined, width: number): number | undefined {
    const resolve: Resolve = (n) => {
      if (ts.isIdentifier(n)) {
        if (this.w.isWidthName(n.text)) return width;
        const a = this.latestAssignment(n.text, n);
        if (a && ts.isBindingElement(a as ts.Node)) {
          const el = a as unknown as ts.BindingElement;
          const key = el.propertyName ? propName(el.propertyName) : undefined;
          return key !== undefined && this.w.isWidthName(key) ? width : undefined;
        }
        return a;
      }
      if (this.w.isWidthName(n.name.text)) return width;
      const list = this.facts.props.get(n.name.text);
      return list && list.length === 1 && !ts.isBindingElement(list[0].value as ts.Node) ? list[0].value : undefined;
    };
    return evaluate(e, { resolve, pow: false, maxDepth: 12 }, 0);
  }
}
