// How much extension-host time activating mup-lens costs: `require('dist/extension.js')` + `activate()` with a
// minimal `vscode` mock, each run in a fresh Node process (a cold module cache, as in a new extension host),
// against the baseline of the same processes requiring an empty module. Then what follows activation: the
// host requires the language client bundle (dist/languageClient.js, through the V8 code cache from the second
// window on), and the language server process starts (dist/server.js, its analysis thread loading
// dist/analyzer.js) and publishes the first diagnostics of one example file: measured from the spawn, over
// stdio, as the first diagnostics a user waits for.
// `MUP_BENCH_BASELINE_EXTENSION=<other dist/extension.js>` also measures that bundle, interleaved (before/after).
// Writes bench-results/activation.json. `--quick`: fewer runs.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../test/unit/server/lspClient';
import { median } from './_stats';

const root = join(__dirname, '..');
const runs = process.argv.includes('--quick') ? 3 : 9;
const target = 50; // ms of extension-host time (issue 2)

// The child: plain Node (no tsx hooks on the measured requires), CommonJS.
const child = String.raw`
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const [mode, modulePath, root, docPath] = process.argv.slice(1);
// A real extension host has loaded Node's common built-ins and used its module loader long before it activates
// an extension: do the same here, so that neither side of the ratio pays for first use of those.
for (const m of ['fs', 'path', 'os', 'util', 'events', 'url', 'crypto', 'child_process', 'worker_threads', 'net']) require('node:' + m);
require(process.env.MUP_BENCH_WARMUP);
if (mode === 'empty') {
  const t0 = performance.now();
  require(modulePath);
  console.log(JSON.stringify({ requireMs: performance.now() - t0 }));
  process.exit(0);
}
const listeners = {};
const sets = [];
const disposable = { dispose() {} };
function deep(name) {
  return new Proxy(function () {}, {
    get(_t, p) {
      if (p === 'then') return undefined;
      if (p === 'dispose') return () => {};
      if (p === Symbol.iterator) return function* () {};
      if (p === Symbol.toPrimitive) return () => name;
      return deep(name + '.' + String(p));
    },
    set() { return true; },
    defineProperty() { return true; },
    apply() { return deep(name + '()'); },
    construct() { return deep('new ' + name); },
  });
}
class EventEmitter {
  constructor() { this.ls = []; this.event = (l) => { this.ls.push(l); return disposable; }; }
  fire(e) { for (const l of this.ls) l(e); }
  dispose() {}
}
const uri = (s, fsPath) => ({ scheme: s.split(':')[0], fsPath, path: fsPath, toString: () => s });
const text = readFileSync(docPath, 'utf8');
const doc = {
  uri: uri('file://' + docPath, docPath), fileName: docPath, languageId: 'typescript', version: 1, isClosed: false,
  getText: () => text,
};
const on = (name) => (l) => { (listeners[name] ??= []).push(l); return disposable; };
const overrides = {
  EventEmitter,
  Uri: { file: (p) => uri('file://' + p, p), parse: (s) => uri(s, s), joinPath: (b, ...p) => uri(b.toString() + '/' + p.join('/'), b.fsPath + '/' + p.join('/')) },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  workspace: new Proxy({
    isTrusted: true,
    textDocuments: [doc],
    getConfiguration: () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined }),
  }, { get: (t, p) => (p in t ? t[p] : String(p).startsWith('onDid') ? on(String(p)) : deep('workspace.' + String(p))) }),
  languages: new Proxy({
    createDiagnosticCollection: () => ({ set: (u, d) => sets.push({ at: performance.now(), n: d.length }), delete() {}, clear() {}, dispose() {} }),
  }, { get: (t, p) => (p in t ? t[p] : deep('languages.' + String(p))) }),
  window: new Proxy({
    createOutputChannel: () => new Proxy({}, { get: () => () => {} }),
  }, { get: (t, p) => (p in t ? t[p] : deep('window.' + String(p))) }),
};
// Bundles read the namespace's own keys (esbuild's __toESM copies them): name the API surface the features use.
for (const k of ['CodeActionKind', 'Range', 'Position', 'Selection', 'Diagnostic', 'DiagnosticRelatedInformation',
  'CodeAction', 'CodeLens', 'Hover', 'MarkdownString', 'WorkspaceEdit', 'TextEdit', 'ThemeIcon', 'ThemeColor',
  'Disposable', 'CancellationTokenSource', 'ConfigurationTarget', 'ProgressLocation', 'StatusBarAlignment',
  'ViewColumn', 'TreeItem', 'TreeItemCollapsibleState', 'FileType', 'RelativePattern', 'LogLevel', 'ExtensionMode',
  'UIKind', 'commands', 'env', 'extensions', 'tasks', 'debug', 'l10n', 'version']) overrides[k] ??= deep('vscode.' + k);
const vscode = new Proxy(overrides, { get: (t, p) => (p in t ? t[p] : deep('vscode.' + String(p))) });
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const context = new Proxy({
  subscriptions: [], extensionPath: root, extensionUri: overrides.Uri.file(root),
  globalStorageUri: overrides.Uri.file(process.env.MUP_BENCH_STORAGE), storageUri: undefined,
  extensionMode: 1, asAbsolutePath: (p) => root + '/' + p,
}, { get: (t, p) => (p in t ? t[p] : deep('context.' + String(p))) });
const t0 = performance.now();
const ext = require(modulePath);
const t1 = performance.now();
let error;
try { ext.activate(context); } catch (e) { error = String(e && e.stack || e); }
const t2 = performance.now();
if (mode === 'client') {
  // What the host runs right after activate(): the client bundle, through the code cache (as the extension does).
  const { requireWithCodeCache } = require(process.env.MUP_BENCH_CODECACHE);
  const c0 = performance.now();
  const loaded = requireWithCodeCache(process.env.MUP_BENCH_CLIENT, process.env.MUP_BENCH_STORAGE + '/v8-cache', { schedule: (fn) => fn() });
  console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, clientLoadMs: performance.now() - c0, clientCache: loaded.cache, error }));
} else {
  console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, error }));
}
process.exit(0);
`;

interface ChildResult {
  requireMs: number;
  activateMs?: number;
  clientLoadMs?: number;
  clientCache?: string;
  error?: string;
}

function runChild(mode: 'empty' | 'extension' | 'client', modulePath: string): ChildResult {
  const r = spawnSync(process.execPath, ['-e', child, mode, modulePath, root, join(root, 'examples/mlp/sp.ts')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      MUP_BENCH_WARMUP: join(tmp, 'warmup.js'),
      MUP_BENCH_STORAGE: join(tmp, 'storage'),
      MUP_BENCH_CLIENT: join(root, 'dist/languageClient.js'),
      MUP_BENCH_CODECACHE: join(tmp, 'codeCache.js'),
    },
  });
  if (r.status !== 0) throw new Error(`child (${mode}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

/** Spawn of the language server -> its first publishDiagnostics for examples/mlp/sp.ts (ms, and how many). */
async function serverFirstDiagnostics(cacheDir: string): Promise<{ ms: number; findings: number }> {
  const started = performance.now();
  const { client } = LspClient.spawnServer(join(root, 'dist/server.js'), { initializationOptions: { codeCacheDir: cacheDir } });
  try {
    await client.initialize();
    const uri = 'file:///bench/sp.ts';
    await client.open(uri, 'typescript', readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8'));
    const diagnostics = await client.diagnostics(uri, 1, 60_000);
    const ms = performance.now() - started;
    await client.shutdown();
    return { ms, findings: diagnostics.length };
  } catch (err) {
    client.conn.dispose();
    throw err;
  }
}


const tmp = mkdtempSync(join(tmpdir(), 'mup-activation-'));
const empty = join(tmp, 'empty.js');
writeFileSync(empty, '');
writeFileSync(join(tmp, 'warmup.js'), '');
// The extension's own code-cache loader, as plain CommonJS for the child.
esbuild.buildSync({ entryPoints: [join(root, 'src/languageService/codeCache.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(tmp, 'codeCache.js'), logLevel: 'silent' });
const extension = join(root, 'dist/extension.js');
const analyzer = join(root, 'dist/analyzer.js');
const baselineExtension = process.env.MUP_BENCH_BASELINE_EXTENSION;

async function main(): Promise<void> {
  const baseline: number[] = [];
  const host: number[] = [];
  const requireOnly: number[] = [];
  const previous: number[] = [];
  const clientLoad: number[] = [];
  const firstLint: number[] = [];
  let findings: number | null | undefined;
  let error: string | undefined;
  try {
    for (let i = 0; i < runs; i++) {
      // Interleaved, so that load from other processes on the machine hits both alike.
      baseline.push(runChild('empty', empty).requireMs);
      const r = runChild('client', extension);
      host.push(r.requireMs + (r.activateMs ?? 0));
      requireOnly.push(r.requireMs);
      if (typeof r.clientLoadMs === 'number') clientLoad.push(r.clientLoadMs);
      error ??= r.error;
      if (baselineExtension) {
        const b = runChild('extension', baselineExtension);
        previous.push(b.requireMs + (b.activateMs ?? 0));
      }
      // Run 1 starts the server with an empty code cache (it compiles dist/analyzer.js and writes the cache).
      const first = await serverFirstDiagnostics(join(tmp, 'server-v8-cache'));
      firstLint.push(first.ms);
      findings = first.findings;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return null;
    }
  };
  const summary = {
    activationMs: +median(host).toFixed(2),
    requireMs: +median(requireOnly).toFixed(2),
    emptyRequireMs: +median(baseline).toFixed(3),
    ratioToEmptyRequire: +(median(host) / median(baseline)).toFixed(1),
    targetMs: target,
    withinTarget: median(host) < target,
    baselineExtension: baselineExtension ?? null,
    baselineActivationMs: previous.length ? +median(previous).toFixed(2) : null,
    activationToBaseline: previous.length ? +(median(host) / median(previous)).toFixed(2) : null,
    // On the host right after activate(): the client bundle; run 1 without the code cache, runs 2..n with it.
    clientLoadColdMs: clientLoad.length ? +clientLoad[0].toFixed(1) : null,
    clientLoadMs: clientLoad.length > 1 ? +median(clientLoad.slice(1)).toFixed(1) : null,
    // Server spawn -> first diagnostics. Run 1 compiles dist/analyzer.js (no code cache yet) and writes the cache.
    firstLintColdMs: firstLint.length ? +firstLint[0].toFixed(1) : null,
    firstLintMs: firstLint.length > 1 ? +median(firstLint.slice(1)).toFixed(1) : null,
    firstLintCachedToCold: firstLint.length > 1 ? +(median(firstLint.slice(1)) / firstLint[0]).toFixed(2) : null,
    extensionBundleBytes: size(extension),
    clientBundleBytes: size(join(root, 'dist/languageClient.js')),
    serverBundleBytes: size(join(root, 'dist/server.js')),
    analyzerBundleBytes: size(analyzer),
  };
  /** Which host modules import the analyzer (and so the TypeScript compiler) statically into dist/extension.js. */
  function typescriptImporters(): string[] {
    const r = esbuild.buildSync({
      entryPoints: [join(root, 'src/extension.ts')], bundle: true, platform: 'node', format: 'cjs', write: false,
      metafile: true, external: ['vscode', 'esbuild', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'], logLevel: 'silent',
      absWorkingDir: root,
    });
    const inputs = r.metafile.inputs;
    return Object.entries(inputs)
      .filter(([file]) => !file.startsWith('src/analyzer/') && !file.startsWith('node_modules/'))
      .filter(([, info]) => info.imports.some((i) => i.path === 'src/analyzer/index.ts' || i.path.startsWith('node_modules/typescript/')))
      .map(([file]) => file);
  }
  const importers = typescriptImporters();

  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/activation.json'),
    JSON.stringify({ summary, runs, typescriptInExtensionBundleVia: importers, samples: { host, requireOnly, baseline, previous, clientLoad, firstLint }, firstLintFindings: findings, activationError: error ?? null }, null, 2) + '\n',
  );
  console.log(`runs: ${runs} fresh processes each (median)`);
  console.log(`require + activate(): ${summary.activationMs} ms (require ${summary.requireMs} ms); target < ${target} ms: ${summary.withinTarget ? 'met' : 'NOT met'}`);
  console.log(`baseline require of an empty module: ${summary.emptyRequireMs} ms; ratio ${summary.ratioToEmptyRequire}x`);
  if (previous.length) console.log(`baseline extension ${baselineExtension}: ${summary.baselineActivationMs} ms; this one / it = ${summary.activationToBaseline}`);
  console.log(`after activate(), on the host: the language client bundle ${summary.clientLoadColdMs} ms without the code cache (run 1), ${summary.clientLoadMs} ms with it`);
  console.log(
    `first diagnostics (server spawn, dist/analyzer.js loaded on its analysis thread, examples/mlp/sp.ts, ${findings} findings): ` +
      `${summary.firstLintColdMs} ms without the code cache (run 1), ${summary.firstLintMs} ms with it (ratio ${summary.firstLintCachedToCold})`,
  );
  console.log(
    `bundles: dist/extension.js ${summary.extensionBundleBytes} bytes, dist/languageClient.js ${summary.clientBundleBytes}, ` +
      `dist/server.js ${summary.serverBundleBytes}, dist/analyzer.js ${summary.analyzerBundleBytes}`,
  );
  if (error) console.log(`activate() threw under the mock: ${error.split('\n')[0]}`);
  if (importers.length > 0) {
    console.log(
      `TypeScript is bundled into dist/extension.js (loaded at activation) through: ${importers.join(', ')}. ` +
        "Use loadAnalyzer() from src/language instead of importing '../analyzer' in host code.",
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
