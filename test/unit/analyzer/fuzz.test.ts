// Fuzz: thousands of truncated and mutated versions of the examples (what an editor sends mid-typing).
// The analyzer must never throw (checked with internal errors rethrown, so partial-result fallbacks
// cannot hide a crash) and every position it returns must lie inside the text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../../src/analyzer';
import type { Range } from '../../../src/analyzer/types';

const root = join(__dirname, '../../..');
const sources = ['examples/mlp/sp.ts', 'examples/mlp/mup.ts', 'examples/gpt/sp.ts', 'examples/gpt/mup.ts'].map((p) => readFileSync(join(root, p), 'utf8'));
// Real tfjs code from public repositories (TS and JS, ESM and CommonJS), with its own file names.
const realworldDir = join(root, 'test/fixtures/realworld');
const realworld = readdirSync(realworldDir).sort().map((f) => ({ name: f, text: readFileSync(join(realworldDir, f), 'utf8') }));

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = ['(', ')', '{', '}', '[', ']', ',', '.apply(', 'tf.layers.dense({ units: width })', 'Math.sqrt(', '** -0.5', '/', '=>', 'class X extends tf.layers.Layer {', '// mup-ignore-next-line', '"', '`', 'new ', 'tf.matMul(q, k, false, true)', '\n'];

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * text.length);
  switch (Math.floor(r() * 5)) {
    case 0:
      return text.slice(0, at); // truncated while typing
    case 1: {
      const len = Math.floor(r() * 40);
      return text.slice(0, at) + text.slice(at + len); // deleted span
    }
    case 2:
      return text.slice(0, at) + SNIPPETS[Math.floor(r() * SNIPPETS.length)] + text.slice(at); // inserted token
    case 3: {
      const lines = text.split('\n');
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n'); // swapped lines
    }
    default: {
      const len = Math.floor(r() * 200);
      return text.slice(0, at) + text.slice(at, at + len) + text.slice(at); // duplicated span
    }
  }
}

function inside(r: Range, lineCount: number): boolean {
  return r.line >= 1 && r.endLine <= lineCount && (r.line < r.endLine || (r.line === r.endLine && r.column <= r.endColumn)) && r.column >= 1;
}

/** Mutates `count` inputs drawn from `pick(i)` and checks each; returns the number of findings. */
function fuzz(count: number, seed: number, pick: (i: number) => { text: string; fileName: string }): number {
  const r = rng(seed);
  let findings = 0;
  for (let i = 0; i < count; i++) {
    const { fileName, text: original } = pick(i);
    let text = original;
    const rounds = 1 + Math.floor(r() * 3);
    for (let k = 0; k < rounds; k++) text = mutate(text, r);
    let res;
    try {
      res = analyze(text, fileName, { debug: true, incremental: i % 2 === 0 });
    } catch (err) {
      assert.fail(`input #${i} (${fileName}) threw ${(err as Error).stack}\n--- input ---\n${text}`);
    }
    const lines = text.split('\n').length;
    for (const f of res.findings) {
      assert.ok(inside(f, lines), `finding outside text in input #${i}`);
      for (const fix of f.fixes) for (const e of fix.edits) assert.ok(inside(e, lines), `edit outside text in input #${i}`);
    }
    for (const l of res.layers) assert.ok(inside(l, lines));
    findings += res.findings.length;
  }
  return findings;
}

describe('fuzz', () => {
  it('3,200 truncated and mutated examples: no throw, positions inside the text', { timeout: 120_000 }, () => {
    const findings = fuzz(3200, 42, (i) => ({ text: sources[i % sources.length], fileName: i % 7 === 0 ? 'model.js' : 'model.ts' }));
    assert.ok(findings > 3200, 'mutated SP models still get findings for what parses');
  });

  it('1,600 truncated and mutated real-world model files: no throw, positions inside the text', { timeout: 120_000 }, () => {
    const findings = fuzz(1600, 7, (i) => {
      const f = realworld[i % realworld.length];
      return { text: f.text, fileName: f.name };
    });
    assert.ok(findings > 1600, 'mutated real-world models still get findings for what parses');
  });
});
