// Whether the bound of a loop that repeats residual blocks is a depth knob or a depth fixed in the code (issue 22,
// mup/residual-depth-unscaled). A bound that resolves only to literal constants (`const N_LAYERS = 2` in the module,
// `const numLayers = 3` in the function, a `let` nothing reassigns, `2 * N`, a class field `nLayers = 4` or
// `this.nLayer = N_LAYER`) builds one depth: there is no depth to transfer across, so no finding. A parameter (with or
// without a default), a destructured option (`{ depth = 2 } = {}`), a property of an argument or config object
// (`cfg.nLayers`), a class field set from the constructor's argument, and anything not found stay knobs.
import ts = require('typescript');
import type { Facts } from '../collect';
import { SKIP, STOP, unwrap, walk } from '../source';
import { analysisMemo } from '../memo';

/** What was resolved: true/false once known; false while in progress (a cycle is no literal). */
type Memo = Map<unknown, boolean>;

type Decl = ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | ts.FunctionDeclaration | ts.ClassDeclaration;

/** The node whose extent is the scope of a declaration. */
function scopeOf(d: Decl): ts.Node {
  if (ts.isParameter(d)) return d.parent;
  let n: ts.Node = d;
  if (ts.isBindingElement(n)) {
    while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
    if (ts.isParameter(n)) return n.parent;
  }
  if (ts.isVariableDeclaration(n)) {
    const list = n.parent;
    const blockScoped = ts.isVariableDeclarationList(list) && (list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let)) !== 0;
    for (let p: ts.Node = list.parent; p; p = p.parent) {
      if (ts.isSourceFile(p) || ts.isFunctionLike(p)) return p;
      if (blockScoped && (ts.isBlock(p) || ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isCaseBlock(p))) return p;
    }
  }
  return d.parent;
}

const declName = (n: ts.Node): string | undefined =>
  (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name)
    ? n.name.text
    : (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name
      ? n.name.text
      : undefined;

/** The declaration of `name` seen from `use`: the innermost whose scope holds the use. */
function resolve(name: string, use: ts.Node, sf: ts.SourceFile): Decl | undefined {
  let best: Decl | undefined;
  let bestDepth = -1;
  for (const d of declarationsOf(sf).get(name) ?? []) {
    const scope = scopeOf(d);
    if (scope.pos <= use.pos && use.end <= scope.end) {
      let depth = 0;
      for (let p: ts.Node | undefined = scope; p; p = p.parent) depth++;
      if (depth > bestDepth) {
        best = d;
        bestDepth = depth;
      }
    }
  }
  return best;
}

/**
 * The file's declarations by name, in source order: one walk per tree (each bound of each residual addition,
 * for the rule and again for the hover, walked the whole file: 40% of the analysis of the bench's GPT-style corpus).
 */
function declarationsOf(sf: ts.SourceFile): Pick<Map<string, Decl[]>, 'get'> {
  let m = declarations.get(sf);
  if (m) return m;
  const byName = new Map<string, Decl[]>();
  walk(sf, (n) => {
    // (no declaration inside a type can be seen from an expression: its scope is inside the type)
    if (IN_TYPES[n.kind]) return SKIP;
    const name = declName(n);
    if (name !== undefined) {
      const list = byName.get(name);
      if (list) list.push(n as Decl);
      else byName.set(name, [n as Decl]);
    }
    return undefined;
  });
  declarations.set(sf, (m = byName));
  return m;
}
const declarations = analysisMemo<ts.SourceFile, Pick<Map<string, Decl[]>, 'get'>>();

/**
 * The same, from the facts of collect.ts's walk (which skips types too): no walk at all, and a name's list made
 * when it is first asked for (a file asks for the few names its loop bounds use; listing every declaration of the
 * file up front was 1% of the GPT-style corpus's analysis). In source order.
 */
function declarationsFromFacts(facts: Facts): Pick<Map<string, Decl[]>, 'get'> {
  const byName = new Map<string, Decl[] | undefined>();
  return {
    get(name: string): Decl[] | undefined {
      if (byName.has(name)) return byName.get(name);
      const all: Decl[] = [];
      // (the lists in the order the eager index read them, then a stable sort by position: the same order)
      for (const d of facts.varDecls) if (ts.isIdentifier(d.name) && d.name.text === name) all.push(d);
      for (const d of facts.bareDecls) if (ts.isIdentifier(d.name) && d.name.text === name) all.push(d);
      for (const p of facts.params) if ((p.name as ts.Identifier).text === name) all.push(p);
      for (const a of facts.assigns.get(name) ?? []) if (ts.isBindingElement(a.node) && ts.isIdentifier(a.node.name)) all.push(a.node);
      for (const f of facts.functions) if (ts.isFunctionDeclaration(f) && f.name?.text === name) all.push(f);
      for (const c of facts.classes) if (ts.isClassDeclaration(c) && c.name?.text === name) all.push(c);
      all.sort((a, b) => a.pos - b.pos);
      const list = all.length > 0 ? all : undefined;
      byName.set(name, list);
      return list;
    },
  };
}
const IN_TYPES = new Uint8Array(ts.SyntaxKind.Count);
for (let k = ts.SyntaxKind.FirstTypeNode; k <= ts.SyntaxKind.LastTypeNode; k++) IN_TYPES[k] = 1;
IN_TYPES[ts.SyntaxKind.InterfaceDeclaration] = 1;
IN_TYPES[ts.SyntaxKind.TypeAliasDeclaration] = 1;

/** Whether `name` is written anywhere in `scope` after its declaration (`=`, `+=`, `++`, a destructuring target). */
function reassigned(name: string, scope: ts.Node): boolean {
  let found = false;
  const isTarget = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    if (ts.isIdentifier(u)) return u.text === name;
    if (ts.isArrayLiteralExpression(u)) return u.elements.some((x) => isTarget(ts.isSpreadElement(x) ? x.expression : x));
    if (ts.isObjectLiteralExpression(u)) {
      return u.properties.some((p) =>
        ts.isShorthandPropertyAssignment(p) ? p.name.text === name : ts.isPropertyAssignment(p) ? isTarget(p.initializer) : ts.isSpreadAssignment(p) && isTarget(p.expression),
      );
    }
    return false;
  };
  walk(scope, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isTarget(n.left)) found = true;
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && isTarget(n.operand)) found = true;
    else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer) && isTarget(n.initializer)) found = true;
    return found ? STOP : undefined;
  });
  return found;
}

const ARITH = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
]);

/** Whether `e` (read at its own place) is made only of number literals and constants that resolve to them. */
function literalOnly(e: ts.Expression, sf: ts.SourceFile, seen: Memo): boolean {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u)) return true;
  if (ts.isPrefixUnaryExpression(u)) return (u.operator === ts.SyntaxKind.MinusToken || u.operator === ts.SyntaxKind.PlusToken) && literalOnly(u.operand, sf, seen);
  if (ts.isBinaryExpression(u)) return ARITH.has(u.operatorToken.kind) && literalOnly(u.left, sf, seen) && literalOnly(u.right, sf, seen);
  if (ts.isCallExpression(u)) {
    const c = unwrap(u.expression);
    const math = ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'Math';
    return math && u.arguments.every((a) => literalOnly(a, sf, seen));
  }
  if (ts.isIdentifier(u)) return identifierFixed(u, sf, seen);
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) return thisFieldFixed(u, sf, seen);
  return false;
}

/** A variable (module or local) whose only value is literal-only: a `const`, or a `let`/`var` nothing reassigns. */
function identifierFixed(id: ts.Identifier, sf: ts.SourceFile, seen: Memo): boolean {
  const d = resolve(id.text, id, sf);
  // a parameter, a destructured option (with or without a default), a function, or not declared here: a knob
  if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name) || !d.initializer) return false;
  const known = seen.get(d);
  if (known !== undefined) return known;
  seen.set(d, false);
  const isConst = (d.parent.flags & ts.NodeFlags.Const) !== 0;
  const fixed = (isConst || !reassigned(id.text, scopeOf(d))) && literalOnly(d.initializer, sf, seen);
  seen.set(d, fixed);
  return fixed;
}

/** `this.nLayers` in a class: every value the class gives it (its field initializer, each `this.nLayers = ...`) is
 *  literal-only. A field set from a constructor argument (`this.nLayers = nLayers`, `= config.nLayers`) is a knob. */
function thisFieldFixed(e: ts.PropertyAccessExpression, sf: ts.SourceFile, seen: Memo): boolean {
  let cls: ts.Node | undefined = e.parent;
  // `this` of a function expression is not the class's; arrow functions keep it
  while (cls && !ts.isClassLike(cls)) {
    if (ts.isFunctionDeclaration(cls) || ts.isFunctionExpression(cls)) return false;
    cls = cls.parent;
  }
  if (!cls) return false;
  const field = e.name.text;
  const key = `${cls.pos}:${field}`;
  const known = seen.get(key); // false while in progress: `this.n = this.n + 1` is no literal
  if (known !== undefined) return known;
  seen.set(key, false);
  const values: ts.Expression[] = [];
  let unknown = false;
  const visit = (n: ts.Node) => {
    if (ts.isPropertyDeclaration(n) && n.parent === cls && n.name.getText(sf) === field) {
      if (n.initializer) values.push(n.initializer);
    }
    if (ts.isParameter(n) && ts.isConstructorDeclaration(n.parent) && n.parent.parent === cls && ts.isIdentifier(n.name) && n.name.text === field && n.modifiers?.length) {
      unknown = true; // a parameter property: `constructor(private nLayers: number)`
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const l = unwrap(n.left);
      if (ts.isPropertyAccessExpression(l) && l.expression.kind === ts.SyntaxKind.ThisKeyword && l.name.text === field) {
        if (n.operatorToken.kind === ts.SyntaxKind.EqualsToken) values.push(n.right);
        else unknown = true;
      }
    }
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isPropertyAccessExpression(n.operand) && n.operand.name.text === field) unknown = true;
  };
  walk(cls, visit);
  const fixed = !unknown && values.length > 0 && values.every((v) => literalOnly(v, sf, seen));
  seen.set(key, fixed);
  return fixed;
}

/**
 * Whether a loop bound is a depth fixed in the code rather than a knob: it resolves only to literal constants.
 * `blocks.length`, `cfg.nLayers` and other properties of objects are knobs.
 */
export function fixedDepth(bound: ts.Expression | undefined, sf: ts.SourceFile, facts?: Facts): boolean {
  if (!bound) return false;
  if (facts && facts.sf === sf && !declarations.has(sf)) declarations.set(sf, declarationsFromFacts(facts));
  return literalOnly(bound, sf, new Map());
}
