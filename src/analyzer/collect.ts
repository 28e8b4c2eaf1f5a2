// One walk over the syntax tree that sets parent pointers and gathers every fact the rules need:
// imports and aliases, assignments (for resolving local constants), property values, calls, classes,
// functions. Everything after this works on these lists, not on the whole tree again.
import ts = require('typescript');
import { propName, reverseTail } from './source';

export interface Assignment {
  value: ts.Expression;
  /** The declaration or assignment node; its `pos` orders assignments. */
  node: ts.Node;
  /** The function it is in (undefined: top level). */
  fn: ts.FunctionLikeDeclaration | undefined;
}

export interface Facts {
  sf: ts.SourceFile;
  imports: ts.ImportDeclaration[];
  /** `const x = require('m')`, `const {a, b: c} = require('m')` */
  requires: { decl: ts.VariableDeclaration; module: string }[];
  /** Plain variable declarations with an initializer and a binding pattern or name (aliases, constants). */
  varDecls: ts.VariableDeclaration[];
  /** name -> every value assigned to it (declarations, `x = e`), in source order. */
  assigns: Map<string, Assignment[]>;
  /** property name -> values given to it (`this.x = e`, `{x: e}`, class field `x = e`). */
  props: Map<string, Assignment[]>;
  calls: (ts.CallExpression | ts.NewExpression)[];
  /** The enclosing function of each entry of `calls` (same index). */
  callFns: (ts.FunctionLikeDeclaration | undefined)[];
  classes: ts.ClassLikeDeclaration[];
  functions: ts.FunctionLikeDeclaration[];
  /** `export { a, b as c }` and `module.exports = {...}` / `exports.x = ...` : local name -> export name */
  exportNames: Map<string, string>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

// What the walk does per node kind, looked up in a table (a switch over `ts.SyntaxKind.X` labels
// would load each label from the typescript module object on every node).
const enum Act { None, Import, VarDecl, Param, Binary, PropAssign, Shorthand, PropDecl, Call, Class, Fn, Accessor, ExportDecl, ExportAssign }
const ACT = new Uint8Array(ts.SyntaxKind.Count);
ACT[ts.SyntaxKind.ImportDeclaration] = Act.Import;
ACT[ts.SyntaxKind.VariableDeclaration] = Act.VarDecl;
ACT[ts.SyntaxKind.Parameter] = Act.Param;
ACT[ts.SyntaxKind.BinaryExpression] = Act.Binary;
ACT[ts.SyntaxKind.PropertyAssignment] = Act.PropAssign;
ACT[ts.SyntaxKind.ShorthandPropertyAssignment] = Act.Shorthand;
ACT[ts.SyntaxKind.PropertyDeclaration] = Act.PropDecl;
ACT[ts.SyntaxKind.CallExpression] = Act.Call;
ACT[ts.SyntaxKind.NewExpression] = Act.Call;
ACT[ts.SyntaxKind.ClassDeclaration] = Act.Class;
ACT[ts.SyntaxKind.ClassExpression] = Act.Class;
ACT[ts.SyntaxKind.FunctionDeclaration] = Act.Fn;
ACT[ts.SyntaxKind.FunctionExpression] = Act.Fn;
ACT[ts.SyntaxKind.ArrowFunction] = Act.Fn;
ACT[ts.SyntaxKind.MethodDeclaration] = Act.Fn;
ACT[ts.SyntaxKind.Constructor] = Act.Fn;
ACT[ts.SyntaxKind.GetAccessor] = Act.Accessor;
ACT[ts.SyntaxKind.SetAccessor] = Act.Accessor;
ACT[ts.SyntaxKind.ExportDeclaration] = Act.ExportDecl;
ACT[ts.SyntaxKind.ExportAssignment] = Act.ExportAssign;
const EQUALS = ts.SyntaxKind.EqualsToken;
const NOT_A_VALUE = new Uint8Array(ts.SyntaxKind.Count);
for (const k of [ts.SyntaxKind.StringLiteral, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ObjectLiteralExpression, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NoSubstitutionTemplateLiteral]) NOT_A_VALUE[k] = 1;
/** 0: visit, 1: leaf (parent only), 2: skip (types hold no calls or values) */
const CHILD = new Uint8Array(ts.SyntaxKind.Count);
for (let k = 0; k <= ts.SyntaxKind.LastToken; k++) CHILD[k] = 1;
for (let k = ts.SyntaxKind.FirstTypeNode; k <= ts.SyntaxKind.LastTypeNode; k++) CHILD[k] = 2;
CHILD[ts.SyntaxKind.InterfaceDeclaration] = 2;
CHILD[ts.SyntaxKind.TypeAliasDeclaration] = 2;

function emptyFacts(sf: ts.SourceFile): Facts {
  return { sf, imports: [], requires: [], varDecls: [], assigns: new Map(), props: new Map(), calls: [], callFns: [], classes: [], functions: [], exportNames: new Map() };
}

function mergeMap<V>(into: Map<string, V[]>, from: Map<string, V[]>): void {
  for (const [k, v] of from) {
    const cur = into.get(k);
    if (cur) for (const x of v) cur.push(x);
    else into.set(k, v.slice());
  }
}

function merge(into: Facts, frag: Facts): void {
  for (const x of frag.imports) into.imports.push(x);
  for (const x of frag.requires) into.requires.push(x);
  for (const x of frag.varDecls) into.varDecls.push(x);
  for (const x of frag.calls) into.calls.push(x);
  for (const x of frag.callFns) into.callFns.push(x);
  for (const x of frag.classes) into.classes.push(x);
  for (const x of frag.functions) into.functions.push(x);
  mergeMap(into.assigns, frag.assigns);
  mergeMap(into.props, frag.props);
  for (const [k, v] of frag.exportNames) into.exportNames.set(k, v);
}

/**
 * Facts of each top-level statement, for re-analysis after an edit: an incremental re-parse hands back the
 * very same node objects for the statements the edit did not touch, so only the edited one is walked again.
 */
const fragments = new WeakMap<ts.Node, Facts>();

export function collect(sf: ts.SourceFile, reuseStatements = false): Facts {
  const out = emptyFacts(sf);
  let f = out;

  const bindName = (name: ts.BindingName, value: ts.Expression | undefined, node: ts.Node): void => {
    if (ts.isIdentifier(name)) {
      if (value) push(f.assigns, name.text, { value, node, fn: curFn });
      return;
    }
    // Destructuring: `const { width } = opts` gives `width` the value `opts.width` (kept as the property
    // access expression the pattern stands for, so width resolution sees the property name). Nested
    // patterns in source order, with a stack of [pattern, next element] (no recursion).
    const pats: ts.BindingPattern[] = [name];
    const next: number[] = [0];
    while (pats.length > 0) {
      const top = pats.length - 1;
      const els = pats[top].elements;
      const i = next[top]++;
      if (i >= els.length) {
        pats.pop();
        next.pop();
        continue;
      }
      const el = els[i];
      if (ts.isOmittedExpression(el)) continue;
      if (ts.isIdentifier(el.name)) {
        // A binding element stands for `value.<property>`; consumers check `ts.isBindingElement`.
        push(f.assigns, el.name.text, { value: el.initializer ?? (el as unknown as ts.Expression), node: el, fn: curFn });
      } else {
        pats.push(el.name);
        next.push(0);
      }
    }
  };

  const visit = (node: ts.Node): void => {
    let isFn = false;
    switch (ACT[node.kind]) {
      case Act.Import:
        f.imports.push(node as ts.ImportDeclaration);
        break;
      case Act.VarDecl: {
        const d = node as ts.VariableDeclaration;
        if (d.initializer) {
          f.varDecls.push(d);
          const init = d.initializer;
          if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1 && ts.isStringLiteralLike(init.arguments[0])) {
            f.requires.push({ decl: d, module: init.arguments[0].text });
          }
        }
        bindName(d.name, d.initializer, d);
        break;
      }
      case Act.Param: {
        const p = node as ts.ParameterDeclaration;
        if (!ts.isIdentifier(p.name)) bindName(p.name, undefined, p);
        else if (p.initializer) push(f.assigns, p.name.text, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Binary: {
        const b = node as ts.BinaryExpression;
        if (b.operatorToken.kind === EQUALS) {
          const l = b.left;
          if (ts.isIdentifier(l)) push(f.assigns, l.text, { value: b.right, node: b, fn: curFn });
          else if (ts.isPropertyAccessExpression(l)) {
            push(f.props, l.name.text, { value: b.right, node: b, fn: curFn });
            // module.exports.x = ..., exports.x = ...
            const o = l.expression;
            if ((ts.isIdentifier(o) && o.text === 'exports') || (ts.isPropertyAccessExpression(o) && o.name.text === 'exports' && ts.isIdentifier(o.expression) && o.expression.text === 'module')) {
              if (ts.isIdentifier(b.right)) f.exportNames.set(b.right.text, l.name.text);
              else f.exportNames.set('\0' + l.name.text, l.name.text);
            }
            if (l.name.text === 'exports' && ts.isIdentifier(o) && o.text === 'module' && ts.isObjectLiteralExpression(b.right)) {
              for (const p of b.right.properties) {
                if (ts.isShorthandPropertyAssignment(p)) f.exportNames.set(p.name.text, p.name.text);
                else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)) {
                  const n = propName(p.name);
                  if (n) f.exportNames.set(p.initializer.text, n);
                }
              }
            }
          }
        }
        break;
      }
      case Act.PropAssign: {
        const p = node as ts.PropertyAssignment;
        // Strings, booleans, functions and nested objects are never a width: keep the props map small.
        if (NOT_A_VALUE[p.initializer.kind]) break;
        const n = propName(p.name);
        if (n) push(f.props, n, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Shorthand: {
        const p = node as ts.ShorthandPropertyAssignment;
        push(f.props, p.name.text, { value: p.name, node: p, fn: curFn });
        break;
      }
      case Act.PropDecl: {
        const p = node as ts.PropertyDeclaration;
        const n = propName(p.name);
        if (n && p.initializer) push(f.props, n, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Call:
        f.calls.push(node as ts.CallExpression | ts.NewExpression);
        f.callFns.push(curFn);
        break;
      case Act.Class:
        f.classes.push(node as ts.ClassLikeDeclaration);
        break;
      case Act.Fn:
        f.functions.push(node as ts.FunctionLikeDeclaration);
        isFn = true;
        break;
      case Act.Accessor:
        isFn = true;
        break;
      case Act.ExportDecl: {
        const e = node as ts.ExportDeclaration;
        if (!e.moduleSpecifier && e.exportClause && ts.isNamedExports(e.exportClause)) {
          for (const s of e.exportClause.elements) f.exportNames.set((s.propertyName ?? s.name).text, s.name.text);
        }
        break;
      }
      case Act.ExportAssign: {
        const e = node as ts.ExportAssignment;
        if (ts.isIdentifier(e.expression)) f.exportNames.set(e.expression.text, 'default');
        break;
      }
    }
    // Children get their parent and are walked next, in source order; inside a function, it is their curFn.
    pushParent = node;
    pushFn = isFn ? (node as ts.FunctionLikeDeclaration) : curFn;
    const from = stack.length;
    ts.forEachChild(node, pushChild);
    reverseTail(stack, from);
  };
  // The walk keeps its own stack (a node and the function it is in), not the call stack: a tree as deep as
  // the parser accepts (a `1 + 1 + ...` chain of thousands) cannot overflow it.
  const stack: ts.Node[] = [];
  const stackFn: (ts.FunctionLikeDeclaration | undefined)[] = [];
  let pushParent: ts.Node = sf;
  let pushFn: ts.FunctionLikeDeclaration | undefined;
  // One shared callback (no closure per node).
  const pushChild = (child: ts.Node): undefined => {
    // Types hold no calls or values: skip them (a good part of a TS file's nodes). Identifiers,
    // literals and keywords are leaves with nothing to record: parent only.
    const c = CHILD[child.kind];
    if (c === 2) return undefined;
    (child as { parent: ts.Node }).parent = pushParent;
    if (c === 0) {
      stack.push(child);
      stackFn.push(pushFn);
    }
    return undefined;
  };
  let curFn: ts.FunctionLikeDeclaration | undefined;
  /** Walks `root` (a child of `parent`) and everything below it. */
  const walkFrom = (root: ts.Node, parent: ts.Node, fn: ts.FunctionLikeDeclaration | undefined): void => {
    pushParent = parent;
    pushFn = fn;
    pushChild(root);
    while (stack.length > 0) {
      curFn = stackFn.pop();
      visit(stack.pop()!);
    }
  };
  if (!reuseStatements) {
    for (const st of sf.statements) walkFrom(st, sf, undefined);
    // (the end-of-file token: a leaf)
    (sf.endOfFileToken as { parent: ts.Node }).parent = sf;
    return out;
  }
  for (const st of sf.statements) {
    let frag = fragments.get(st);
    if (frag) (st as { parent: ts.Node }).parent = sf;
    else {
      f = emptyFacts(sf);
      walkFrom(st, sf, undefined);
      frag = f;
      fragments.set(st, frag);
    }
    merge(out, frag);
  }
  return out;
}
