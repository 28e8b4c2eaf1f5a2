// Control flow, syntactically: which nodes may not run when their parent does (an if's branches, loop
// bodies, switch clauses, ?: arms), which two never both run, and whether a path from one node to another
// can go around a third. What the sequence of `model.add` calls (sequence.ts) and the readout's rescaling
// check (roles.ts) are built on.
import ts = require('typescript');
import { isAncestor } from './source';

/** The statement holding `n`: climbs to the child of a block, a source file or a switch clause. */
export function statementOf(n: ts.Node): ts.Node {
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
export function lca(a: ts.Node, b: ts.Node): ts.Node | undefined {
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
export function isBranch(n: ts.Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (ts.isCaseClause(n) || ts.isDefaultClause(n)) return true;
  if (ts.isIfStatement(p)) return n === p.thenStatement || n === p.elseStatement;
  if (ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p)) return n === p.statement;
  if (ts.isConditionalExpression(p)) return n === p.whenTrue || n === p.whenFalse;
  return false;
}

/** Whether a branch node lies on the way from `n` up to (not including) `stop`. */
export function branchBetween(n: ts.Node, stop: ts.Node | undefined): boolean {
  for (let p: ts.Node | undefined = n; p && p !== stop; p = p.parent) if (isBranch(p)) return true;
  return false;
}

/** `a` and `b` never both run: the two arms of one if, or two clauses of one switch. */
export function exclusive(a: ts.Node, b: ts.Node): boolean {
  const l = lca(a, b);
  return !!l && (ts.isIfStatement(l) || ts.isCaseBlock(l)) && a !== l && b !== l;
}

/** Whether a path from `from` to `to` can go around `k` (k sits in a branch that holds neither). */
export function skippable(k: ts.Node, from: ts.Node, to: ts.Node): boolean {
  if (exclusive(k, from) || exclusive(k, to)) return true;
  const a = lca(k, from);
  const b = lca(k, to);
  // The deeper of the two common ancestors: a branch below it holds k but neither end.
  const stop = a && b && isAncestor(a, b) ? b : a;
  return branchBetween(k, stop);
}
