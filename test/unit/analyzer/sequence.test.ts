// Which `model.add` sites can run last before another (src/analyzer/sequence.ts): SiteFlow answers by index,
// from paths laid out once and running minima, in a few operations per pair of sites. Here it is checked
// against the plain definitions on the parent chain (exclusive, skippable: what the analyzer computed
// before, at a cost of a walk up the tree per question), on hundreds of randomly nested if/else, switch,
// loop, ?: and block structures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { SiteFlow } from '../../../src/analyzer/controlFlow';

// ---- the definitions, walking parent pointers ----
function depthOf(n: ts.Node): number {
  let d = 0;
  for (let p = n.parent; p; p = p.parent) d++;
  return d;
}
function lca(a: ts.Node, b: ts.Node): ts.Node | undefined {
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
function isBranch(n: ts.Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (ts.isCaseClause(n) || ts.isDefaultClause(n)) return true;
  if (ts.isIfStatement(p)) return n === p.thenStatement || n === p.elseStatement;
  if (ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p)) return n === p.statement;
  if (ts.isConditionalExpression(p)) return n === p.whenTrue || n === p.whenFalse;
  return false;
}
function branchBetween(n: ts.Node, stop: ts.Node | undefined): boolean {
  for (let p: ts.Node | undefined = n; p && p !== stop; p = p.parent) if (isBranch(p)) return true;
  return false;
}
function isAncestor(anc: ts.Node, n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === anc) return true;
  return false;
}
function exclusive(a: ts.Node, b: ts.Node): boolean {
  const l = lca(a, b);
  return !!l && (ts.isIfStatement(l) || ts.isCaseBlock(l)) && a !== l && b !== l;
}
function skippable(k: ts.Node, from: ts.Node, to: ts.Node): boolean {
  if (exclusive(k, from) || exclusive(k, to)) return true;
  const a = lca(k, from);
  const b = lca(k, to);
  const stop = a && b && isAncestor(a, b) ? b : a;
  return branchBetween(k, stop);
}
/** The sites that can run last before `sites[index]`, nearest first (at most 16 back). */
function before(sites: ts.Node[], index: number): number[] {
  const out: number[] = [];
  const here = sites[index];
  for (let j = index - 1; j >= Math.max(0, index - 16); j--) {
    const sj = sites[j];
    if (exclusive(sj, here)) continue;
    let reaches = true;
    for (let k = j + 1; k < index && reaches; k++) reaches = skippable(sites[k], sj, here);
    if (reaches) out.push(j);
    if (reaches && !branchBetween(sj, lca(sj, here))) break;
  }
  return out;
}

// ---- random model builders ----
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ADD = 'model.add(tf.layers.dense({ units: width }))';
function statements(r: () => number, depth: number, budget: { n: number }): string {
  let out = '';
  const count = 1 + Math.floor(r() * 4);
  for (let i = 0; i < count && budget.n > 0; i++) {
    const pick = depth > 4 ? 0 : Math.floor(r() * 9);
    const inner = (): string => statements(r, depth + 1, budget);
    budget.n--;
    switch (pick) {
      case 1: out += `if (c) {\n${inner()}}\n`; break;
      case 2: out += `if (c) {\n${inner()}} else {\n${inner()}}\n`; break;
      case 3: out += `if (c) ${ADD};\nelse if (d) ${ADD};\n`; break;
      case 4: out += `switch (k) {\ncase 1:\n${inner()}break;\ncase 2:\n${inner()}default:\n${inner()}}\n`; break;
      case 5: out += `for (let i = 0; i < n; i++) {\n${inner()}}\n`; break;
      case 6: out += `while (n--) ${ADD};\n`; break;
      case 7: out += `c ? ${ADD} : ${ADD};\n`; break;
      case 8: out += `{\n${inner()}}\n`; break;
      default: out += `${ADD};\n`;
    }
  }
  return out;
}

describe('SiteFlow: the sites that can run last before a site', () => {
  it('are those the parent-chain definitions give, on 400 random factories, in source order and not', () => {
    const r = rng(11);
    let checked = 0;
    let branched = 0;
    for (let t = 0; t < 400; t++) {
      const text = `function f(width, c, d, k, n) {\nconst model = tf.sequential();\n${statements(r, 0, { n: 40 })}}\n`;
      const sf = ts.createSourceFile('f.ts', text, ts.ScriptTarget.Latest, true);
      const sites: ts.Node[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && n.getText(sf).startsWith('model.add(')) sites.push(n);
        ts.forEachChild(n, visit);
      };
      visit(sf);
      for (const list of [sites, [...sites].reverse()]) {
        const flow = new SiteFlow(list);
        for (let to = 0; to < list.length; to++) {
          const want = before(list, to);
          assert.deepEqual(flow.before(to, 16), want, `before(${to}) of ${list === sites ? 'sites' : 'reversed sites'} in\n${text}`);
          checked++;
          if (want.length > 1) branched++;
        }
      }
    }
    assert.ok(checked > 10_000 && branched > 2_000, `${checked} sites checked, ${branched} with several`);
  });
});
