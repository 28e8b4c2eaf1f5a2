// Keystroke latency through the language server (dist/server.js over stdio, as an editor runs it): from the
// incremental didChange sent to the publishDiagnostics of that version, with `mupLens.lintDelayMs: 0` (so the
// debounce is not in it), against the in-process analysis of the same texts (dist/analyzer.js, the code the
// server's analysis thread runs). Three workloads:
// - typing: a line of model code typed into a 2,000-line model file a character at a time and deleted again
//   (bench/lint.ts's keystroke workload);
// - a generated factory with 1,000 `model.add` sites in if/for/while/switch (issue 15's large file): a comment
//   typed and deleted in its middle;
// - a burst on that factory: keystrokes 30 ms apart, faster than it is analysed; the last keystroke's
//   diagnostics come after about one analysis, not after the stale ones (queued ones are dropped, a running
//   one is left to its thread while the newest runs on the other).
// Each keystroke waits for its diagnostics before the next (except in the burst), and its in-process analysis
// runs right after, so that load from elsewhere on the machine hits both alike. Writes bench-results/lsp.json.
// `--quick`: fewer keystrokes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import type * as Analyzer from '../src/analyzer';
import { LspClient } from '../test/unit/server/lspClient';
import { corpusFile, generatedFactory } from './_lintCorpus';
import { median, quantile } from './_stats';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');


interface Keystroke {
  /** The text after the keystroke. */
  text: string;
  /** The change, as an editor sends it. */
  change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
}

/** Typing `line` at offset `at` (a line start) a character at a time, then deleting it with backspace. */
function typeAndDelete(base: string, at: number, line: string): Keystroke[] {
  const row = base.slice(0, at).split('\n').length - 1;
  const out: Keystroke[] = [];
  for (let k = 1; k <= line.length; k++) {
    const pos = { line: row, character: k - 1 };
    out.push({ text: base.slice(0, at) + line.slice(0, k) + base.slice(at), change: { range: { start: pos, end: pos }, text: line[k - 1] } });
  }
  for (let k = line.length - 1; k >= 0; k--) {
    out.push({ text: base.slice(0, at) + line.slice(0, k) + base.slice(at), change: { range: { start: { line: row, character: k }, end: { line: row, character: k + 1 } }, text: '' } });
  }
  return out;
}

function lineStart(text: string, line: number): number {
  let p = 0;
  for (let i = 0; i < line; i++) p = text.indexOf('\n', p) + 1;
  return p;
}

interface Measured {
  keystrokes: number;
  serverMs: number[];
  inProcessMs: number[];
}

async function measure(client: LspClient, analyzer: typeof Analyzer, uri: string, base: string, keys: Keystroke[]): Promise<Measured> {
  await client.open(uri, 'typescript', base);
  await client.diagnostics(uri, 1, 120_000);
  const name = `/bench/in-process-${uri.split('/').pop()}`;
  analyzer.analyze(base, name);
  const serverMs: number[] = [];
  const inProcessMs: number[] = [];
  let version = 1;
  for (const k of keys) {
    version += 1;
    const sent = performance.now();
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [k.change] });
    await client.diagnostics(uri, version, 120_000);
    serverMs.push(performance.now() - sent);
    const t = performance.now();
    analyzer.analyze(k.text, name);
    inProcessMs.push(performance.now() - t);
  }
  await client.close(uri);
  return { keystrokes: keys.length, serverMs, inProcessMs };
}

function summarize(m: Measured) {
  const s = median(m.serverMs);
  const i = median(m.inProcessMs);
  return {
    keystrokes: m.keystrokes,
    serverMedianMs: +s.toFixed(2),
    serverP90Ms: +quantile(m.serverMs, 0.9).toFixed(2),
    inProcessMedianMs: +i.toFixed(2),
    inProcessP90Ms: +quantile(m.inProcessMs, 0.9).toFixed(2),
    serverToInProcess: +(s / i).toFixed(2),
    overheadMedianMs: +median(m.serverMs.map((x, k) => x - m.inProcessMs[k])).toFixed(2),
  };
}

async function main(): Promise<void> {
  const serverJs = join(root, 'dist/server.js');
  const analyzerJs = join(root, 'dist/analyzer.js');
  if (!existsSync(serverJs) || !existsSync(analyzerJs)) throw new Error('dist/server.js or dist/analyzer.js missing: npm run build');
  const analyzer = require(analyzerJs) as typeof Analyzer;
  const { client } = LspClient.spawnServer(serverJs, { settings: { lintDelayMs: 0 } });
  await client.initialize();

  // Typing into a 2,000-line file.
  const big = corpusFile(1000, 2000);
  const bigLines = big.split('\n');
  const bodyLines = bigLines.map((l, i) => (/^ {2,}\S/.test(l) && /[;{]$/.test((bigLines[i - 1] ?? '').trimEnd()) ? i : -1)).filter((i) => i > 0);
  const snippets = ["model.add(tf.layers.dense({ units: width, activation: 'relu' }));", 'const scale = 1 / Math.sqrt(headDim);'];
  const sessions = quick ? 1 : 4;
  const typing: Measured = { keystrokes: 0, serverMs: [], inProcessMs: [] };
  for (let s = 0; s < sessions; s++) {
    const row = bodyLines[(s * 7919) % bodyLines.length];
    const at = lineStart(big, row);
    const indent = /^ */.exec(bigLines[row])![0];
    const m = await measure(client, analyzer, `file:///bench/typing-${s}.ts`, big, typeAndDelete(big, at, `${indent}${snippets[s % snippets.length]}\n`));
    typing.keystrokes += m.keystrokes;
    typing.serverMs.push(...m.serverMs);
    typing.inProcessMs.push(...m.inProcessMs);
  }

  // The 1,000-site factory: a comment typed in its middle.
  const factory = generatedFactory(1000);
  const factoryLines = factory.split('\n').length;
  const mid = lineStart(factory, Math.floor(factoryLines / 2));
  const comment = quick ? '  // w\n' : '  // wider\n';
  const large = await measure(client, analyzer, 'file:///bench/factory.ts', factory, typeAndDelete(factory, mid, comment));

  // A burst on the factory: keystrokes 30 ms apart, each analysis taking longer than that.
  const burstKeys = typeAndDelete(factory, mid, '  // burst\n').slice(0, 10);
  const burstUri = 'file:///bench/burst.ts';
  await client.open(burstUri, 'typescript', factory);
  await client.diagnostics(burstUri, 1, 120_000);
  let version = 1;
  let lastSent = 0;
  for (const k of burstKeys) {
    version += 1;
    lastSent = performance.now();
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: burstUri, version }, contentChanges: [k.change] });
    await new Promise((r) => setTimeout(r, 30));
  }
  await client.diagnostics(burstUri, version, 120_000);
  const burstMs = client.publishLog.filter((p) => p.params.uri === burstUri && p.params.version === version)[0].at - lastSent;
  const burstPublished = client.publishLog.filter((p) => p.params.uri === burstUri).length;
  await client.shutdown();

  const t = summarize(typing);
  const l = summarize(large);
  const summary = {
    typingServerMedianMs: t.serverMedianMs,
    typingInProcessMedianMs: t.inProcessMedianMs,
    typingServerToInProcess: t.serverToInProcess,
    typingOverheadMedianMs: t.overheadMedianMs,
    factory1000ServerMedianMs: l.serverMedianMs,
    factory1000InProcessMedianMs: l.inProcessMedianMs,
    factory1000ServerToInProcess: l.serverToInProcess,
    burstLastKeystrokeMs: +burstMs.toFixed(1),
    burstToOneKeystroke: +(burstMs / l.serverMedianMs).toFixed(2),
  };
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/lsp.json'),
    JSON.stringify({ summary, typing: { lines: bigLines.length, ...t }, factory1000: { lines: factoryLines, chars: factory.length, ...l }, burst: { keystrokes: burstKeys.length, apartMs: 30, lastKeystrokeMs: burstMs, publishedVersions: burstPublished }, load: os.loadavg()[0] }, null, 2) + '\n',
  );
  const row = (name: string, s: ReturnType<typeof summarize>) =>
    console.log(`${name.padEnd(44)} ${String(s.serverMedianMs).padStart(8)} ${String(s.serverP90Ms).padStart(8)} ${String(s.inProcessMedianMs).padStart(10)} ${String(s.serverToInProcess).padStart(7)} ${String(s.overheadMedianMs).padStart(9)}`);
  console.log(`${'keystroke -> diagnostics (ms)'.padEnd(44)} ${'server'.padStart(8)} ${'p90'.padStart(8)} ${'in-process'.padStart(10)} ${'ratio'.padStart(7)} ${'overhead'.padStart(9)}`);
  row(`typing, ${bigLines.length}-line file (${t.keystrokes} keys)`, t);
  row(`1,000-site factory, ${factoryLines} lines (${l.keystrokes} keys)`, l);
  console.log(
    `burst of ${burstKeys.length} keystrokes 30 ms apart on the factory: the last one's diagnostics after ${burstMs.toFixed(0)} ms ` +
      `(${summary.burstToOneKeystroke}x one keystroke's; ${burstPublished} versions published: the stale ones were dropped, not waited for)`,
  );
  console.log(`load average ${os.loadavg()[0].toFixed(1)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
