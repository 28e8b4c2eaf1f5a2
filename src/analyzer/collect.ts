// One walk over the syntax tree that sets parent pointers and gathers every fact the rules need:
// imports and aliases, assignments (for resolving local constants), property values, calls, classes,
// functions. Everything after this works on these lists, not on the whole tree again.
import * as ts from 'typescript';
import { propName } from './source';

export interface Assignment {
  /** Offset where the value becomes visible (declaration or assignment start). */
  pos: number;
  value: ts.Expression;
  /** The declaration or assignment node (for fixes that edit the binding). */
  node: ts.Node;
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

export function collect(sf: ts.SourceFile): Facts {
  const f: Facts = {
    sf,
    imports: [],
    requires: [],
    varDecls: [],
    assigns: new Map(),
    props: new Map(),
    calls: [],
    classes: [],
    functions: [],
    exportNames: new Map(),
  };

  const bindName = (name: ts.BindingName, value: ts.Expression | undefined, node: ts.Node, pos: number): void => {
    if (ts.isIdentifier(name)) {
      if (value) push(f.assigns, name.text, { pos, value, node });
      return;
    }
    // Destructuring: `const { width } = opts` gives `width` the value `opts.width` (kept as the property
    // access expression the pattern stands for, so width resolution sees the property name).
    for (const el of name.elements) {
      if (ts.isOmittedExpression(el)) continue;
      if (ts.isIdentifier(el.name)) {
        // A binding element stands for `value.<property>`; consumers check `ts.isBindingElement`.
        push(f.assigns, el.name.text, { pos, value: el.initializer ?? (el as unknown as ts.Expression), node: el });
      } else bindName(el.name, undefined, node, pos);
    }
  };

  const visit = (node: ts.Node): void => {
    switch (node.kind) {
      case ts.SyntaxKind.ImportDeclaration:
        f.imports.push(node as ts.ImportDeclaration);
        break;
      case ts.SyntaxKind.VariableDeclaration: {
        const d = node as ts.VariableDeclaration;
        if (d.initializer) {
          f.varDecls.push(d);
          const init = d.initializer;
          if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1 && ts.isStringLiteralLike(init.arguments[0])) {
            f.requires.push({ decl: d, module: init.arguments[0].text });
          }
        }
        bindName(d.name, d.initializer, d, d.getStart(sf));
        break;
      }
      case ts.SyntaxKind.Parameter: {
        const p = node as ts.ParameterDeclaration;
        if (!ts.isIdentifier(p.name)) bindName(p.name, undefined, p, p.pos);
        else if (p.initializer) push(f.assigns, p.name.text, { pos: p.pos, value: p.initializer, node: p });
        break;
      }
      case ts.SyntaxKind.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        if (b.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const l = b.left;
          if (ts.isIdentifier(l)) push(f.assigns, l.text, { pos: b.getStart(sf), value: b.right, node: b });
          else if (ts.isPropertyAccessExpression(l)) {
            push(f.props, l.name.text, { pos: b.getStart(sf), value: b.right, node: b });
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
      case ts.SyntaxKind.PropertyAssignment: {
        const p = node as ts.PropertyAssignment;
        const n = propName(p.name);
        if (n) push(f.props, n, { pos: p.getStart(sf), value: p.initializer, node: p });
        break;
      }
      case ts.SyntaxKind.ShorthandPropertyAssignment: {
        const p = node as ts.ShorthandPropertyAssignment;
        push(f.props, p.name.text, { pos: p.getStart(sf), value: p.name, node: p });
        break;
      }
      case ts.SyntaxKind.PropertyDeclaration: {
        const p = node as ts.PropertyDeclaration;
        const n = propName(p.name);
        if (n && p.initializer) push(f.props, n, { pos: p.getStart(sf), value: p.initializer, node: p });
        break;
      }
      case ts.SyntaxKind.CallExpression:
      case ts.SyntaxKind.NewExpression:
        f.calls.push(node as ts.CallExpression | ts.NewExpression);
        break;
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.ClassExpression:
        f.classes.push(node as ts.ClassLikeDeclaration);
        break;
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.MethodDeclaration:
      case ts.SyntaxKind.Constructor:
        f.functions.push(node as ts.FunctionLikeDeclaration);
        break;
      case ts.SyntaxKind.ExportDeclaration: {
        const e = node as ts.ExportDeclaration;
        if (!e.moduleSpecifier && e.exportClause && ts.isNamedExports(e.exportClause)) {
          for (const s of e.exportClause.elements) f.exportNames.set((s.propertyName ?? s.name).text, s.name.text);
        }
        break;
      }
      case ts.SyntaxKind.ExportAssignment: {
        const e = node as ts.ExportAssignment;
        if (ts.isIdentifier(e.expression)) f.exportNames.set(e.expression.text, 'default');
        break;
      }
    }
    ts.forEachChild(node, (child) => {
      (child as { parent: ts.Node }).parent = node;
      visit(child);
    });
  };
  ts.forEachChild(sf, (child) => {
    (child as { parent: ts.Node }).parent = sf;
    visit(child);
  });
  return f;
}
