// src/analyzer/children.ts reads the child fields of the common node kinds itself (the analyzer's walks, faster
// than a callback per child): it must give exactly what `ts.forEachChild` gives, the same nodes in the same
// order, for every node. Checked on every node of the bench corpora (mixed and GPT-style), the hand-labelled
// corpora and the examples, in TS, TSX and JS parses (a TypeScript upgrade that adds a child field fails here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts = require('typescript');
import { gptCorpusFile } from '../../../bench/_gptCorpus';
import { corpusFile } from '../../../bench/_lintCorpus';
import { pushChildren } from '../../../src/analyzer/children';
import { scriptKindOf } from '../../../src/analyzer/source';
import { sourceFiles } from './helpers';

const root = join(__dirname, '..', '..', '..');

/** Compares both on every node of the file; returns how many nodes were checked. */
function check(name: string, text: string): number {
  const sf = ts.createSourceFile(name, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindOf(name));
  let nodes = 0;
  const stack: ts.Node[] = [sf];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes++;
    const expected: ts.Node[] = [];
    ts.forEachChild(n, (c) => {
      expected.push(c);
    });
    const got: ts.Node[] = [];
    pushChildren(n, got);
    if (got.length !== expected.length || got.some((c, i) => c !== expected[i])) {
      assert.fail(`${name}: the children of a ${ts.SyntaxKind[n.kind]} at ${n.pos}: ${got.map((c) => ts.SyntaxKind[c.kind]).join(', ')}; ts.forEachChild gives ${expected.map((c) => ts.SyntaxKind[c.kind]).join(', ')}`);
    }
    stack.push(...expected);
  }
  return nodes;
}

test('children.ts gives what ts.forEachChild gives on every node of the corpora and the examples', () => {
  let nodes = 0;
  for (let i = 0; i < 60; i += 7) {
    nodes += check(`corpus/model${i}.ts`, corpusFile(i, 1500));
    nodes += check(`gpt/model${i}.ts`, gptCorpusFile(i, 1360));
  }
  const files = [...sourceFiles(join(root, 'test', 'fixtures')), ...sourceFiles(join(root, 'examples')), ...sourceFiles(join(root, 'src', 'analyzer'))];
  for (const f of files) nodes += check(f, readFileSync(f, 'utf8'));
  // (optional chains, new without arguments, spreads, awaits, modifiers, definite assignments, a TSX file)
  nodes += check(
    'forms.tsx',
    `class A { private readonly x!: number; static y?: string = 'a'; constructor(public z = 1, ...rest: number[]) { super(); } }
     const o = { a, b: 1, ...c, [d]: 2, m() { return a?.b?.[c]?.(d) ?? new E; } };
     let v!: number; async function f<T>(p?: T) { await g<T>(p!, ...q); v++; --v; return (p as T) satisfies T; }
     const el = <div a={1}>{x}</div>;`,
  );
  assert.ok(nodes > 100_000, `only ${nodes} nodes checked`);
});
