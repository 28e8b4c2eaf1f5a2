// Control flow, syntactically: which nodes may not run when their parent does (an if's branches, loop
// bodies, switch clauses, ?: arms), and, over the `model.add` sites of a model (SiteFlow), which two never
// both run, whether a path from one to another can go around a third, and so which sites can run last
// before a site. What the order of layers in a model (sequence.ts) is built on.
import ts = require('typescript');
import { depthOf } from './source';

// Kind tables (these run on every step of every walk up the tree): 1 = a statement list holds its children
// (block, file, switch clause); for branches, which kind of parent makes which child a branch.
const SyntaxKind = ts.SyntaxKind;
const STATEMENT_LIST = new Uint8Array(SyntaxKind.Count);
for (const k of [SyntaxKind.Block, SyntaxKind.SourceFile, SyntaxKind.CaseClause, SyntaxKind.DefaultClause]) STATEMENT_LIST[k] = 1;
const IF_PARENT = 1;
const LOOP_PARENT = 2;
const CONDITIONAL_PARENT = 3;
const CLAUSE = 4;
const BRANCHING = new Uint8Array(SyntaxKind.Count);
BRANCHING[SyntaxKind.IfStatement] = IF_PARENT;
for (const k of [SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement, SyntaxKind.WhileStatement]) BRANCHING[k] = LOOP_PARENT;
BRANCHING[SyntaxKind.ConditionalExpression] = CONDITIONAL_PARENT;
BRANCHING[SyntaxKind.CaseClause] = CLAUSE;
BRANCHING[SyntaxKind.DefaultClause] = CLAUSE;

/** The statement holding `n`: climbs to the child of a block, a source file or a switch clause. */
export function statementOf(n: ts.Node): ts.Node {
  let p: ts.Node = n;
  while (p.parent && !STATEMENT_LIST[p.parent.kind]) p = p.parent;
  return p;
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
  if (BRANCHING[n.kind] === CLAUSE) return true;
  switch (BRANCHING[p.kind]) {
    case IF_PARENT:
      return n === (p as ts.IfStatement).thenStatement || n === (p as ts.IfStatement).elseStatement;
    case LOOP_PARENT:
      return n === (p as ts.IterationStatement).statement;
    case CONDITIONAL_PARENT:
      return n === (p as ts.ConditionalExpression).whenTrue || n === (p as ts.ConditionalExpression).whenFalse;
    default:
      return false;
  }
}

/** Whether a branch node lies on the way from `n` up to (not including) `stop`. */
export function branchBetween(n: ts.Node, stop: ts.Node | undefined): boolean {
  for (let p: ts.Node | undefined = n; p && p !== stop; p = p.parent) if (isBranch(p)) return true;
  return false;
}

const IF = ts.SyntaxKind.IfStatement;
const CASE_BLOCK = ts.SyntaxKind.CaseBlock;

/**
 * Which sites of a list (the `model.add` sites of one model, in source order) can be the last to run before
 * a given one, by index: the questions `exclusive` and `skippable` ask of the parent chain, answered from
 * each site's path from the root (laid out once, with a running count of branch nodes along it). For sites
 * in source order the depth of the common ancestor of sites i < j is the least of those of the neighbouring
 * pairs between them, kept as running minima while the window is scanned: a window costs a few operations
 * per pair of sites in it, however deep the code.
 */
export class SiteFlow {
  /** The sites' paths from the root (depth 0) down to each site, one after another: site i's is nodes[start[i]..start[i+1]-1]. */
  private readonly nodes: ts.Node[] = [];
  private readonly start: number[] = [0];
  /** branches[start[i] + i + d]: how many of site i's path nodes at depths 0..d-1 are branches (one more entry per site). */
  private readonly branches: number[] = [];
  /** pairs[i]: depth of the common ancestor of sites i and i+1 (sites in source order only). */
  private readonly pairs: number[] = [];
  private readonly sorted: boolean;
  /** Scratch for `before`: depth of the common ancestor of each site of the window with the last one. */
  private toDepth: number[] = [];

  constructor(sites: readonly ts.Node[]) {
    let sorted = true;
    const up: ts.Node[] = [];
    for (let i = 0; i < sites.length; i++) {
      up.length = 0;
      for (let p: ts.Node | undefined = sites[i]; p; p = p.parent) up.push(p);
      let count = 0;
      this.branches.push(0);
      for (let d = up.length - 1; d >= 0; d--) {
        this.nodes.push(up[d]);
        if (isBranch(up[d])) count++;
        this.branches.push(count);
      }
      this.start.push(this.nodes.length);
      // (a node that starts before another comes before it in pre-order, or holds it)
      if (i > 0 && sites[i - 1].pos >= sites[i].pos) sorted = false;
    }
    this.sorted = sorted;
    if (sorted) for (let i = 0; i + 1 < sites.length; i++) this.pairs.push(this.commonDepth(i, i + 1));
  }

  /** Depth of site i itself. */
  private depth(i: number): number {
    return this.start[i + 1] - this.start[i] - 1;
  }

  /** Depth of the deepest node on both paths (-1: none). */
  private commonDepth(i: number, j: number): number {
    const a = this.start[i];
    const b = this.start[j];
    const n = Math.min(this.depth(i), this.depth(j)) + 1;
    let d = 0;
    while (d < n && this.nodes[a + d] === this.nodes[b + d]) d++;
    return d - 1;
  }

  /** Sites a and b, whose common ancestor is at depth d, never both run: two arms of one if, two clauses of one switch. */
  private exclusive(a: number, b: number, d: number): boolean {
    if (d < 0) return false;
    const k = this.nodes[this.start[a] + d].kind;
    return (k === IF || k === CASE_BLOCK) && d < this.depth(a) && d < this.depth(b);
  }

  /** Whether a branch lies on site k's path below depth `stop` (from k up to, not including, that node). */
  private branchBelow(k: number, stop: number): boolean {
    const base = this.start[k] + k;
    return this.branches[base + this.depth(k) + 1] - this.branches[base + stop + 1] > 0;
  }

  /**
   * The sites, nearest first, from which a path reaches site `to` without running another site in between:
   * a site j does unless it never runs with `to`, or some site k between them cannot be gone around (k is
   * not in a branch that holds neither j nor `to`). Stops at a site that always runs before `to` (it hides
   * everything before it), and looks at most `maxBack` sites back.
   */
  before(to: number, maxBack: number): number[] {
    const lo = Math.max(0, to - maxBack);
    const toDepth = this.toDepth;
    for (let k = to - 1, m = Infinity; k >= lo; k--) toDepth[k - lo] = this.sorted ? (m = Math.min(m, this.pairs[k])) : this.commonDepth(k, to);
    const out: number[] = [];
    for (let j = to - 1; j >= lo; j--) {
      const dj = toDepth[j - lo];
      if (this.exclusive(j, to, dj)) continue;
      let reaches = true;
      // m: depth of the common ancestor of sites j and k, for k = j+1, j+2, ...
      for (let k = j + 1, m = Infinity; k < to && reaches; k++) {
        const dk = this.sorted ? (m = Math.min(m, this.pairs[k - 1])) : this.commonDepth(k, j);
        const dt = toDepth[k - lo];
        // k can be gone around: it never runs with j or with `to`, or a branch below the deeper of its two
        // common ancestors holds k but neither end
        reaches = this.exclusive(k, j, dk) || this.exclusive(k, to, dt) || this.branchBelow(k, Math.max(dk, dt));
      }
      if (!reaches) continue;
      out.push(j);
      if (!this.branchBelow(j, dj)) break;
    }
    return out;
  }

}
