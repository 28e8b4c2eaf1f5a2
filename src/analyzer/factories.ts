// Model factories: functions with a width parameter that build tfjs layers, the targets of the
// "Coordinate check | LR sweep" CodeLens and of `mup-lens coord|sweep <file>#<export>`.
import ts = require('typescript');
import type { Ctx } from './context';
import { enclosingClass, enclosingFunction, rangeOf, unwrap } from './source';
import type { ModelFactory } from './types';

export interface FactoryRec extends ModelFactory {
  node: ts.FunctionLikeDeclaration;
}

function isExportedDecl(n: ts.Node): boolean {
  return !!ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isDefaultExport(n: ts.Node): boolean {
  return !!ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

export function findFactories(ctx: Ctx): FactoryRec[] {
  const out: FactoryRec[] = [];
  const builders = [
    ...ctx.layers.layers.map((l) => l.node),
    ...ctx.facts.calls.filter((_c, i) => {
      const p = ctx.b.callPaths[i];
      return p === 'tf.sequential' || p === 'tf.model';
    }),
  ];
  if (builders.length === 0) return out;
  // Functions around a layer or a model construction, innermost first, each once.
  const candidates = new Set<ts.FunctionLikeDeclaration>();
  for (const n of builders) for (let fn = enclosingFunction(n); fn && !candidates.has(fn); fn = enclosingFunction(fn)) candidates.add(fn);
  for (const fn of [...candidates].sort((a, b) => a.pos - b.pos)) {
    if (!(ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) || !fn.body) continue;
    if (enclosingClass(fn)) continue;
    const widthParam = ctx.w.widthParamOf(fn);
    if (!widthParam) continue;
    // Its name and whether it is exported.
    let local: string | undefined;
    let exportName: string | undefined;
    let anchor: ts.Node = fn;
    if (ts.isFunctionDeclaration(fn)) {
      local = fn.name?.text ?? (isDefaultExport(fn) ? 'default' : undefined);
      if (isExportedDecl(fn)) exportName = isDefaultExport(fn) ? 'default' : local;
    } else {
      let p: ts.Node = fn.parent;
      while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p))) p = p.parent;
      if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && unwrap(p.initializer!) === fn) {
        local = p.name.text;
        const stmt = p.parent?.parent;
        if (stmt && ts.isVariableStatement(stmt)) {
          anchor = stmt;
          if (isExportedDecl(stmt)) exportName = local;
        }
      } else if (p && ts.isExportAssignment(p)) {
        exportName = 'default';
        local = 'default';
        anchor = p;
      } else if (p && ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) {
        const l = p.left;
        const o = l.expression;
        if ((ts.isIdentifier(o) && o.text === 'exports') || (ts.isPropertyAccessExpression(o) && o.name.text === 'exports')) {
          exportName = l.name.text;
          local = l.name.text;
          anchor = p;
        }
      } else if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) {
        local = p.name.text;
      }
      if (!local && ts.isFunctionExpression(fn) && fn.name) local = fn.name.text;
    }
    if (!local) continue;
    if (!exportName && ctx.facts.exportNames.has(local)) exportName = ctx.facts.exportNames.get(local);
    const r = rangeOf(ctx.sf, anchor);
    out.push({ node: fn, name: exportName ?? local, exported: exportName !== undefined, widthParam, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn });
  }
  return out;
}
