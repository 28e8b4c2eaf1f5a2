// One walk over the syntax tree that sets parent pointers and gathers every fact the rules need:
// imports and aliases, assignments (for resolving local constants), property values, calls, classes,
// functions. Everything after this works on these lists, not on the whole tree again. The walk keeps its own
// stack (no depth limit of its own); after an edit it walks only the statements the edit touched.
import ts = require('typescript');
import { pushChildren } from './children';
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
  /** Parameters named by a plain identifier (a namespace passed in: `function build(tf, width)`). */
  params: ts.ParameterDeclaration[];
  /** Plain variable declarations with an initializer and a binding pattern or name (aliases, constants). */
  varDecls: ts.VariableDeclaration[];
  /** Variable declarations without an initializer (`let x;`: a name declared, for scope lookups). */
  bareDecls: ts.VariableDeclaration[];
  /** name -> every value assigned to it (declarations, `x = e`), in source order. */
  assigns: Map<string, Assignment[]>;
  /** `this.x = e` and class fields `x = e`: [property name, assignment] (also in `props`). */
  fieldAssigns: [string, Assignment][];
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

/** Appends `v` to the list of `k` (a map of lists, made as needed). */
export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
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
const THIS = ts.SyntaxKind.ThisKeyword;
const NOT_A_VALUE = new Uint8Array(ts.SyntaxKind.Count);
for (const k of [ts.SyntaxKind.StringLiteral, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ObjectLiteralExpression, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NoSubstitutionTemplateLiteral]) NOT_A_VALUE[k] = 1;
/** 0: visit, 1: leaf (parent only), 2: skip (types hold no calls or values) */
const CHILD = new Uint8Array(ts.SyntaxKind.Count);
for (let k = 0; k <= ts.SyntaxKind.LastToken; k++) CHILD[k] = 1;
for (let k = ts.SyntaxKind.FirstTypeNode; k <= ts.SyntaxKind.LastTypeNode; k++) CHILD[k] = 2;
CHILD[ts.SyntaxKind.InterfaceDeclaration] = 2;
CHILD[ts.SyntaxKind.TypeAliasDeclaration] = 2;
/** Kinds whose children are statements (each a fragment when statements are reused). */
const STATEMENT_LIST = new Uint8Array(ts.SyntaxKind.Count);
for (const k of [ts.SyntaxKind.SourceFile, ts.SyntaxKind.Block, ts.SyntaxKind.CaseClause, ts.SyntaxKind.DefaultClause, ts.SyntaxKind.ModuleBlock]) STATEMENT_LIST[k] = 1;

function emptyFacts(sf: ts.SourceFile): Facts {
  return { sf, imports: [], requires: [], params: [], varDecls: [], bareDecls: [], assigns: new Map(), props: new Map(), fieldAssigns: [], calls: [], callFns: [], classes: [], functions: [], exportNames: new Map() };
}

/** One fact of the walk: a tag and two values (what `record` puts where). */
const enum Tag { Import, Require, Param, VarDecl, Assign, Prop, Field, Call, Class, Function, Export, BareDecl }

function record(f: Facts, tag: Tag, a: unknown, b: unknown): void {
  switch (tag) {
    case Tag.Import: f.imports.push(a as ts.ImportDeclaration); break;
    case Tag.Require: f.requires.push(a as { decl: ts.VariableDeclaration; module: string }); break;
    case Tag.Param: f.params.push(a as ts.ParameterDeclaration); break;
    case Tag.VarDecl: f.varDecls.push(a as ts.VariableDeclaration); break;
    case Tag.Assign: push(f.assigns, a as string, b as Assignment); break;
    case Tag.Prop: push(f.props, a as string, b as Assignment); break;
    case Tag.Field:
      push(f.props, a as string, b as Assignment);
      f.fieldAssigns.push([a as string, b as Assignment]);
      break;
    case Tag.Call:
      f.calls.push(a as ts.CallExpression | ts.NewExpression);
      f.callFns.push(b as ts.FunctionLikeDeclaration | undefined);
      break;
    case Tag.Class: f.classes.push(a as ts.ClassLikeDeclaration); break;
    case Tag.Function: f.functions.push(a as ts.FunctionLikeDeclaration); break;
    case Tag.Export: f.exportNames.set(a as string, b as string); break;
    case Tag.BareDecl: f.bareDecls.push(a as ts.VariableDeclaration); break;
  }
}

/**
 * The facts of one statement, in walk order, for re-analysis after an edit: an incremental re-parse hands
 * back the very same node objects for the statements the edit did not touch (at any depth: typing in a
 * 4,000-line factory re-creates the factory and its body, not the statements in it), so only the statements
 * the edit touched are walked again. `fn` is the function the statement was in; its facts that were
 * directly in that function move to the one it is in now.
 */
interface Fragment {
  tags: Tag[];
  as: unknown[];
  bs: unknown[];
  fn: ts.FunctionLikeDeclaration | undefined;
}
const fragments = new WeakMap<ts.Node, Fragment>();
/** Marks, on the walk's stack, the end of a statement whose facts become a fragment. */
const CLOSE = { kind: -1 } as unknown as ts.Node;

export function collect(sf: ts.SourceFile, reuseStatements = false): Facts {
  const out = emptyFacts(sf);
  // Reusing statements, every fact goes to a log first (fragments are slices of it), then into `out`.
  const tags: Tag[] = [];
  const as: unknown[] = [];
  const bs: unknown[] = [];
  const emit = reuseStatements
    ? (tag: Tag, a: unknown, b?: unknown): void => {
        tags.push(tag);
        as.push(a);
        bs.push(b);
      }
    : (tag: Tag, a: unknown, b?: unknown): void => record(out, tag, a, b);

  const bindName = (name: ts.BindingName, value: ts.Expression | undefined, node: ts.Node): void => {
    if (ts.isIdentifier(name)) {
      if (value) emit(Tag.Assign, name.text, { value, node, fn: curFn });
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
        emit(Tag.Assign, el.name.text, { value: el.initializer ?? (el as unknown as ts.Expression), node: el, fn: curFn });
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
        emit(Tag.Import, node);
        break;
      case Act.VarDecl: {
        const d = node as ts.VariableDeclaration;
        if (d.initializer) {
          emit(Tag.VarDecl, d);
          const init = d.initializer;
          if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1 && ts.isStringLiteralLike(init.arguments[0])) {
            emit(Tag.Require, { decl: d, module: init.arguments[0].text });
          }
        } else emit(Tag.BareDecl, d);
        bindName(d.name, d.initializer, d);
        break;
      }
      case Act.Param: {
        const p = node as ts.ParameterDeclaration;
        if (!ts.isIdentifier(p.name)) bindName(p.name, undefined, p);
        else emit(Tag.Param, p);
        if (ts.isIdentifier(p.name) && p.initializer) emit(Tag.Assign, p.name.text, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Binary: {
        const b = node as ts.BinaryExpression;
        if (b.operatorToken.kind === EQUALS) {
          const l = b.left;
          if (ts.isIdentifier(l)) emit(Tag.Assign, l.text, { value: b.right, node: b, fn: curFn });
          else if (ts.isPropertyAccessExpression(l)) {
            emit(l.expression.kind === THIS ? Tag.Field : Tag.Prop, l.name.text, { value: b.right, node: b, fn: curFn });
            // module.exports.x = ..., exports.x = ...
            const o = l.expression;
            if ((ts.isIdentifier(o) && o.text === 'exports') || (ts.isPropertyAccessExpression(o) && o.name.text === 'exports' && ts.isIdentifier(o.expression) && o.expression.text === 'module')) {
              if (ts.isIdentifier(b.right)) emit(Tag.Export, b.right.text, l.name.text);
              else emit(Tag.Export, '\0' + l.name.text, l.name.text);
            }
            if (l.name.text === 'exports' && ts.isIdentifier(o) && o.text === 'module' && ts.isObjectLiteralExpression(b.right)) {
              for (const p of b.right.properties) {
                if (ts.isShorthandPropertyAssignment(p)) emit(Tag.Export, p.name.text, p.name.text);
                else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)) {
                  const n = propName(p.name);
                  if (n) emit(Tag.Export, p.initializer.text, n);
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
        if (n) emit(Tag.Prop, n, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Shorthand: {
        const p = node as ts.ShorthandPropertyAssignment;
        emit(Tag.Prop, p.name.text, { value: p.name, node: p, fn: curFn });
        break;
      }
      case Act.PropDecl: {
        const p = node as ts.PropertyDeclaration;
        const n = propName(p.name);
        if (n && p.initializer) emit(Tag.Field, n, { value: p.initializer, node: p, fn: curFn });
        break;
      }
      case Act.Call:
        emit(Tag.Call, node, curFn);
        break;
      case Act.Class:
        emit(Tag.Class, node);
        break;
      case Act.Fn:
        emit(Tag.Function, node);
        isFn = true;
        break;
      case Act.Accessor:
        isFn = true;
        break;
      case Act.ExportDecl: {
        const e = node as ts.ExportDeclaration;
        if (!e.moduleSpecifier && e.exportClause && ts.isNamedExports(e.exportClause)) {
          for (const s of e.exportClause.elements) emit(Tag.Export, (s.propertyName ?? s.name).text, s.name.text);
        }
        break;
      }
      case Act.ExportAssign: {
        const e = node as ts.ExportAssignment;
        if (ts.isIdentifier(e.expression)) emit(Tag.Export, e.expression.text, 'default');
        break;
      }
    }
    // Children get their parent and are walked next, in source order; inside a function, it is their curFn.
    pushKids(node, isFn ? (node as ts.FunctionLikeDeclaration) : curFn);
  };
  // The walk keeps its own stack (a node and the function it is in), not the call stack: a tree as deep as
  // the parser accepts (a `1 + 1 + ...` chain of thousands) cannot overflow it.
  const stack: ts.Node[] = [];
  const stackFn: (ts.FunctionLikeDeclaration | undefined)[] = [];
  /**
   * The children of `node` onto the stack, next to be walked in source order, each with its parent set; `fn` is the
   * function they are in. Types hold no calls or values: skipped (a good part of a TS file's nodes). Identifiers,
   * literals and keywords are leaves with nothing to record: parent only. The children come from their fields
   * (children.ts), not a callback per child through `ts.forEachChild`: that callback site is shared with every other
   * caller of `ts.forEachChild` in the process (TypeScript's incremental parser in the language server, the rules'
   * walks). Alone in a process the two cost the same; with a second callback fed to `ts.forEachChild`, a parse and the callback
   * form of this walk cost 2.4x as much as before in a micro-benchmark (the walk itself ~10x), the field form nothing
   * more (docs/architecture.md).
   */
  const pushKids = (node: ts.Node, fn: ts.FunctionLikeDeclaration | undefined): void => {
    const from = stack.length;
    pushChildren(node, stack);
    let w = from;
    for (let r = from; r < stack.length; r++) {
      const child = stack[r];
      const c = CHILD[child.kind];
      if (c === 2) continue;
      (child as { parent: ts.Node }).parent = node;
      if (c === 0) stack[w++] = child;
    }
    // (pops, not `stack.length = w`: setting an array's length is a runtime call, ~4% of the walk)
    while (stack.length > w) stack.pop();
    for (let i = from; i < w; i++) stackFn.push(fn);
    reverseTail(stack, from);
  };
  let curFn: ts.FunctionLikeDeclaration | undefined;
  /** Statements being walked whose facts become fragments: the statement, where its facts start in the log, its function. */
  const openNodes: ts.Node[] = [];
  const openStarts: number[] = [];
  const openFns: (ts.FunctionLikeDeclaration | undefined)[] = [];
  const keep = (node: ts.Node, start: number, fn: ts.FunctionLikeDeclaration | undefined): void => {
    fragments.set(node, { tags: tags.slice(start), as: as.slice(start), bs: bs.slice(start), fn });
  };
  /**
   * A statement the edit did not touch: its facts again, those directly in its function moved to `fn` (in
   * place: a statement belongs to the one tree being analysed, and the function it was in is gone).
   */
  const replay = (frag: Fragment, fn: ts.FunctionLikeDeclaration | undefined): void => {
    const from = frag.fn;
    const moved = from !== fn;
    for (let i = 0; i < frag.tags.length; i++) {
      const tag = frag.tags[i];
      const b = frag.bs[i];
      if (moved) {
        if (tag === Tag.Call) {
          if (b === from) frag.bs[i] = fn;
        } else if ((tag === Tag.Assign || tag === Tag.Prop || tag === Tag.Field) && (b as Assignment).fn === from) (b as Assignment).fn = fn;
      }
      tags.push(tag);
      as.push(frag.as[i]);
      bs.push(frag.bs[i]);
    }
    frag.fn = fn;
  };
  if (!reuseStatements) {
    pushKids(sf, undefined);
    while (stack.length > 0) {
      curFn = stackFn.pop();
      visit(stack.pop()!);
    }
    return out;
  }
  pushKids(sf, undefined);
  while (stack.length > 0) {
    const fn = stackFn.pop();
    const node = stack.pop()!;
    if (node === CLOSE) {
      keep(openNodes.pop()!, openStarts.pop()!, openFns.pop());
      continue;
    }
    curFn = fn;
    if (STATEMENT_LIST[node.parent.kind]) {
      const frag = fragments.get(node);
      if (frag) {
        replay(frag, fn);
        continue;
      }
      openNodes.push(node);
      openStarts.push(tags.length);
      openFns.push(fn);
      stack.push(CLOSE);
      stackFn.push(undefined);
    }
    visit(node);
  }
  for (let i = 0; i < tags.length; i++) record(out, tags[i], as[i], bs[i]);
  return out;
}
