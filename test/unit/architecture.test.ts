// The shape of the code (docs/architecture.md): no import cycle between the folders of src/, the process boundaries
// kept (nothing on the host side loads tfjs or worker code, the analyzer stays pure, the webview imports only the
// protocol and the plot model), and no source file over 500 lines. Read from the sources, so a new file is checked
// the moment it exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Import {
  spec: string;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[3]!, typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

/** The folder a file belongs to: `src/<folder>` (`src` for the files at its top), or `webview`. */
function folderOf(file: string): string {
  const rel = relative(root, file).split(/[\\/]/);
  if (rel[0] === 'webview') return 'webview';
  if (rel[0] !== 'src') return rel[0]!; // package.json and the like: not a folder of src/
  return rel.length > 2 ? `src/${rel[1]}` : 'src';
}

const files = [...sources(join(root, 'src')), ...sources(join(root, 'webview/src'))];
const edges = new Map<string, Map<string, string>>(); // folder -> folder -> an example "file -> import"
const external: Array<{ file: string; folder: string; imp: Import }> = [];
const internal: Array<{ file: string; folder: string; target: string; imp: Import }> = [];
for (const file of files) {
  const from = folderOf(file);
  for (const imp of importsOf(file)) {
    if (!imp.spec.startsWith('.')) {
      external.push({ file, folder: from, imp });
      continue;
    }
    const abs = resolve(dirname(file), imp.spec);
    const isDir = (() => {
      try {
        return statSync(abs).isDirectory();
      } catch {
        return false;
      }
    })();
    const target = folderOf(isDir ? join(abs, 'index.ts') : abs + '.ts');
    internal.push({ file, folder: from, target, imp });
    if (target === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(target)) edges.get(from)!.set(target, `${relative(root, file)} imports '${imp.spec}'`);
  }
}

test('no import cycle between the folders of src/', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const m of edges.get(n)?.keys() ?? []) {
      const cycle = visit(m);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of edges.keys()) {
    const cycle = visit(n);
    if (cycle) {
      const why = cycle.slice(1).map((to, i) => edges.get(cycle[i]!)!.get(to)).join('\n  ');
      assert.fail(`folder cycle ${cycle.join(' -> ')}:\n  ${why}`);
    }
  }
});

const HOST = new Set(['src', 'src/host', 'src/cli', 'src/commands', 'src/client', 'src/languageService', 'src/panels', 'src/server', 'src/eslint']);
const WORKER_ONLY = new Set(['src/job', 'src/worker', 'src/backend', 'src/kernels', 'src/mup']);

test('the host side never loads tfjs or worker-side code', () => {
  const bad = [
    ...external.filter((e) => HOST.has(e.folder) && !e.imp.typeOnly && /^@tensorflow\//.test(e.imp.spec)).map((e) => `${relative(root, e.file)} imports ${e.imp.spec}`),
    ...internal
      .filter((e) => HOST.has(e.folder) && WORKER_ONLY.has(e.target) && !e.imp.typeOnly && relative(root, e.file) !== 'src/mup/runtime.ts')
      .map((e) => `${relative(root, e.file)} imports ${e.imp.spec} (${e.target})`),
  ];
  assert.deepEqual(bad, []);
});

test('the analyzer is pure: no vscode, no tfjs, no file system, nothing of the rest of src/', () => {
  const bad = [
    ...external.filter((e) => e.folder === 'src/analyzer' && /^(vscode|@tensorflow\/|(node:)?(fs|child_process|worker_threads))/.test(e.imp.spec)),
    ...internal.filter((e) => e.folder === 'src/analyzer' && e.target !== 'src/analyzer'),
  ].map((e) => `${relative(root, e.file)} imports ${e.imp.spec}`);
  assert.deepEqual(bad, []);
});

test('the webview imports only the protocol and the plot model', () => {
  const bad = [
    ...internal.filter((e) => e.folder === 'webview' && !['webview', 'src/protocol', 'src/plot'].includes(e.target)),
    ...external.filter((e) => e.folder === 'webview' && !/^uplot/.test(e.imp.spec)),
  ].map((e) => `${relative(root, e.file)} imports ${e.imp.spec}`);
  assert.deepEqual(bad, []);
  // and what those import stays pure (no node:, no vscode), since it ends up in the browser bundle
  const shared = external.filter((e) => (e.folder === 'src/protocol' || e.folder === 'src/plot') && !e.imp.typeOnly);
  assert.deepEqual(shared.map((e) => `${relative(root, e.file)} imports ${e.imp.spec}`), []);
});

test('the language server, the CLI and the ESLint plugin import no editor-side folder (one holding a file that imports vscode)', () => {
  const editorSide = new Set(external.filter((e) => e.imp.spec === 'vscode').map((e) => e.folder));
  // The folders are found from the sources, so a vscode import added anywhere makes its folder editor-side at once.
  assert.ok(editorSide.has('src/client'), `expected src/client among the editor-side folders, got ${[...editorSide].join(', ')}`);
  const outside = new Set(['src/server', 'src/cli', 'src/eslint', 'src/languageService']);
  const bad = [
    ...internal.filter((e) => outside.has(e.folder) && editorSide.has(e.target)).map((e) => `${relative(root, e.file)} imports '${e.imp.spec}' (${e.target} holds VS Code code)`),
    ...external.filter((e) => outside.has(e.folder) && e.imp.spec === 'vscode').map((e) => `${relative(root, e.file)} imports vscode`),
  ];
  assert.deepEqual(bad, []);
});

test('no source file over 500 lines', () => {
  const long = files.map((f) => ({ f: relative(root, f), n: readFileSync(f, 'utf8').split('\n').length })).filter((x) => x.n > 500);
  assert.deepEqual(long, []);
});

test("the analyzer's memos live for one analysis: no module-level WeakMap, WeakSet or Map keyed by a file's objects, but for the keystroke caches", () => {
  // A long-lived container handed a file's facts or nodes keeps its syntax tree alive through every young-generation
  // collection after (memo.ts): 60 GPT-style files analysed 1.9x slower for one such WeakMap. Per-analysis memos use
  // `analysisMemo()`; the caches that outlive an analysis on purpose are listed here.
  const KEYSTROKE_CACHES = new Set(['src/analyzer/source.ts: const cache = new Map<string, Cached>()', 'src/analyzer/source.ts: const reparsed = new WeakSet<ts.SourceFile>()', 'src/analyzer/collect.ts: const fragments = new WeakMap<ts.Node, Fragment>()', 'src/analyzer/bindings.ts: const pathCaches = new Map<string, WeakMap<ts.Node, string>>()']);
  const found: string[] = [];
  for (const f of files.filter((p) => relative(root, p).startsWith(join('src', 'analyzer')))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/^(?:export )?(?:const|let) \w+(?:: [^=]+)? = new (?:WeakMap|WeakSet|Map|Set)\b[^;]*\)/gm)) {
      if (/new Set\(\[|new Map\(\[/.test(m[0])) continue; // constant tables
      found.push(`${relative(root, f).split(/[\\/]/).join('/')}: ${m[0]}`);
    }
  }
  assert.deepEqual(found.filter((x) => !KEYSTROKE_CACHES.has(x)), []);
  // (and the check still sees the module-level containers that are allowed)
  assert.equal(found.filter((x) => KEYSTROKE_CACHES.has(x)).length, KEYSTROKE_CACHES.size, found.join('\n'));
});
