// The language server in this process, over in-memory streams, with the analyzer from source: what a client
// sees for settings, debouncing, stale analyses, excluded documents, code actions (CRLF suppressions included),
// hovers, CodeLenses and `mup/analysis`. The stdio test (./stdio.test.ts) drives the built server the same way.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CodeAction, CodeLens, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import * as analyzer from '../../../src/analyzer';
import type { AnalysisResult, AnalyzeOptions, LayerInfo } from '../../../src/analyzer/types';
import type { DocumentAnalysis } from '../../../src/protocol/lsp';
import { AnalysisCancelled, InlineRunner, type AnalysisRunner } from '../../../src/server/runner';
import { startServer } from '../../../src/server/server';
import { LspClient, summary } from './lspClient';

const root = join(__dirname, '..', '..', '..');
const SP_MLP = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
const MUP_MLP = readFileSync(join(root, 'examples/mlp/mup.ts'), 'utf8');
let n = 0;
const fresh = (name = 'model.ts') => `file:///ws/${++n}/${name}`;

/** The real analyzer (inline), counting what it was asked to analyse. */
class CountingRunner implements AnalysisRunner {
  readonly inner = new InlineRunner(analyzer);
  readonly texts: string[] = [];
  readonly canCancel = false;
  analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult> {
    this.texts.push(text);
    return this.inner.analyze(text, fileName, options);
  }
  cancel(): void {}
  hover(layers: LayerInfo[], line: number, column: number, baseWidth: number) {
    return this.inner.hover(layers, line, column, baseWidth);
  }
  dispose(): void {}
}

/** A runner whose analyses finish when the test says so, and which can stop one, as the worker runner does. */
class ManualRunner implements AnalysisRunner {
  readonly canCancel = true;
  readonly started: { text: string; finish: () => void; cancelled: boolean }[] = [];
  cancels = 0;
  private current: { reject: (e: Error) => void; entry: { cancelled: boolean } } | undefined;
  private startWaiters: (() => void)[] = [];
  analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult> {
    return new Promise((resolve, reject) => {
      const entry = { text, cancelled: false, finish: () => resolve(analyzer.analyze(text, fileName, options)) };
      this.current = { reject, entry };
      this.started.push(entry);
      for (const w of this.startWaiters.splice(0)) w();
    });
  }
  cancel(): void {
    if (!this.current) return;
    this.cancels += 1;
    this.current.entry.cancelled = true;
    this.current.reject(new AnalysisCancelled());
    this.current = undefined;
  }
  async whenStarted(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((r) => this.startWaiters.push(r));
  }
  hover() {
    return Promise.resolve(null);
  }
  dispose(): void {}
}

function serve(runner: AnalysisRunner, options: ConstructorParameters<typeof LspClient>[2] = {}): LspClient {
  return LspClient.inMemory((input, output) => {
    const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
    startServer(connection, { createRunner: () => runner });
    return connection;
  }, options);
}

const rules = (ds: readonly Diagnostic[]) => summary(ds).map((s) => s.split('@')[0]);

async function codeActions(client: LspClient, uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } })) as CodeAction[];
}

function editsOf(action: CodeAction): TextEdit[] {
  return (action.edit!.documentChanges![0] as { edits: TextEdit[] }).edits;
}

describe('the language server', () => {
  it('a keystroke never waits for the analysis of an older version: that one is stopped, the new one starts', async () => {
    const runner = new ManualRunner();
    const client = serve(runner, { settings: { lintDelayMs: 0 } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    await runner.whenStarted(1);
    const v2 = await client.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '// typed\n' }]);
    await runner.whenStarted(2);
    assert.equal(runner.cancels, 1, 'the analysis of version 1 was stopped');
    assert.equal(runner.started[0].cancelled, true);
    assert.ok(runner.started[1].text.startsWith('// typed\n'), 'the second analysis is of version 2');
    runner.started[1].finish();
    const diagnostics = await client.diagnostics(uri, v2);
    assert.equal(rules(diagnostics).length, 3);
    assert.deepEqual(client.publishLog.filter((p) => p.params.uri === uri).map((p) => p.params.version), [v2], 'version 1 was never published');
    client.dispose();
  });

  it('debounced by mupLens.lintDelayMs: edits in a burst are analysed once, at the last version', async () => {
    const runner = new CountingRunner();
    const client = serve(runner, { settings: { lintDelayMs: 200 } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', MUP_MLP);
    await client.diagnostics(uri, 1);
    const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    void client.edit(uri, [{ range: at, newText: '// a\n' }]);
    const v3 = await client.edit(uri, [{ range: at, newText: '// b\n' }]);
    await client.diagnostics(uri, v3);
    assert.deepEqual(runner.texts.map((t) => t.split('\n')[0]), [MUP_MLP.split('\n')[0], '// b', ]);
    client.dispose();
  });

  it('settings: a severity change re-publishes without re-analysing; off hides a rule; a base width re-analyses', async () => {
    const runner = new CountingRunner();
    const client = serve(runner, { settings: { lintDelayMs: 0 } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    assert.deepEqual(rules(await client.diagnostics(uri, 1)), ['mup/init-fan-avg', 'mup/init-fan-avg', 'mup/readout-not-scaled']);
    const analysed = runner.texts.length;

    client.settings = { lintDelayMs: 0, rules: { 'mup/readout-not-scaled': 'info', 'mup/init-fan-avg': 'off' } };
    const before = client.publishLog.length;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    while (client.publishLog.length === before) await client.diagnostics(uri, 1, 5000).then(() => new Promise((r) => setImmediate(r)));
    const shown = client.published.get(uri)!.diagnostics;
    assert.deepEqual(shown.map((d) => [d.code, d.severity]), [['mup/readout-not-scaled', 3]], 'info is severity 3; init-fan-avg off');
    assert.equal(runner.texts.length, analysed, 'severities apply to the findings: no re-analysis');

    client.settings = { lintDelayMs: 0, baseWidth: 128 };
    const count = client.publishLog.length;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    while (client.publishLog.length === count) await new Promise((r) => setTimeout(r, 5));
    const readout = client.published.get(uri)!.diagnostics.find((d) => d.code === 'mup/readout-not-scaled')!;
    assert.match(readout.message, /128\/width/);
    assert.equal(readout.severity, 1);
    assert.equal(runner.texts.length, analysed + 1, 'a new base width is a new analysis');
    client.dispose();
  });

  it('a wrong setting is reported once, in one line naming it, and its default is used', async () => {
    const client = serve(new CountingRunner(), { settings: { lintDelayMs: 0, rules: { 'mup/readout-not-scaled': 'loud' } } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    assert.ok(rules(await client.diagnostics(uri, 1)).includes('mup/readout-not-scaled'));
    const said = client.messages.filter((m) => /mupLens\.rules\["mup\/readout-not-scaled"\]: "loud" is not one of error, warning, info, off/.test(m));
    assert.ok(said.some((m) => m.startsWith('muP settings: ')), client.messages.join('\n'));
    client.dispose();
  });

  it('clients without workspace/configuration: settings from the initialization options', async () => {
    const client = serve(new CountingRunner(), { configuration: false, initializationOptions: { settings: { rules: { 'mup/init-fan-avg': 'off' } } } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    assert.deepEqual(rules(await client.diagnostics(uri, 1)), ['mup/readout-not-scaled']);
    client.dispose();
  });

  it('node_modules, declaration files and other languages are left alone; untitled TS is linted; close clears', async () => {
    const runner = new CountingRunner();
    const client = serve(runner, { settings: { lintDelayMs: 0 } });
    await client.initialize();
    await client.open('file:///ws/node_modules/pkg/index.ts', 'typescript', SP_MLP);
    await client.open('file:///ws/types/model.d.ts', 'typescript', SP_MLP);
    await client.open('file:///ws/notes.md', 'markdown', SP_MLP);
    const untitled = 'untitled:Untitled-1';
    await client.open(untitled, 'typescript', SP_MLP);
    assert.equal(rules(await client.diagnostics(untitled, 1)).length, 3);
    assert.deepEqual([...client.published.keys()], [untitled]);
    assert.equal(runner.texts.length, 1);
    await client.close(untitled);
    while ((client.published.get(untitled)?.diagnostics.length ?? 0) > 0) await new Promise((r) => setTimeout(r, 5));
    client.dispose();
  });

  it('an analyzer that fails costs the document its findings, logged once', async () => {
    const failing: AnalysisRunner = { canCancel: false, analyze: () => Promise.reject(new Error('boom')), cancel() {}, hover: () => Promise.resolve(null), dispose() {} };
    const client = serve(failing, { settings: { lintDelayMs: 0 } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    assert.deepEqual(await client.diagnostics(uri, 1), []);
    const v2 = await client.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: ' ' }]);
    assert.deepEqual(await client.diagnostics(uri, v2), []);
    assert.equal(client.messages.filter((m) => /analysis of .* failed: Error: boom/.test(m)).length, 1);
    client.dispose();
  });

  it('quick fixes on a CRLF file: the suppression joins the directive above, in CRLF; a stale diagnostic gets none', async () => {
    const client = serve(new CountingRunner(), { settings: { lintDelayMs: 0 } });
    await client.initialize();
    const uri = fresh();
    const text = SP_MLP.replace("      tf.layers.dense({ units: OUT_DIM, name: 'readout' }),", "      // mup-ignore-next-line mup/init-fan-avg -- zero init soon\n      tf.layers.dense({ units: OUT_DIM, name: 'readout' }),").replace(/\n/g, '\r\n');
    await client.open(uri, 'typescript', text);
    const diagnostics = await client.diagnostics(uri, 1);
    assert.deepEqual(rules(diagnostics), ['mup/init-fan-avg', 'mup/readout-not-scaled']);
    const readout = diagnostics.find((d) => d.code === 'mup/readout-not-scaled')!;
    const actions = await codeActions(client, uri, [readout], ['quickfix']);
    const titles = actions.map((a) => a.title);
    assert.equal(titles.filter((t) => t === 'Suppress mup/readout-not-scaled for this line').length, 1, titles.join('; '));
    const suppress = actions.find((a) => a.title === 'Suppress mup/readout-not-scaled for this line')!;
    const v2 = await client.edit(uri, editsOf(suppress));
    const after = client.text(uri);
    assert.ok(after.includes('\r\n      // mup-ignore-next-line mup/init-fan-avg mup/readout-not-scaled -- zero init soon\r\n'), after);
    assert.ok(!/[^\r]\n/.test(after), 'no bare LF');
    assert.deepEqual(rules(await client.diagnostics(uri, v2)), ['mup/init-fan-avg']);

    // The preferred fix, inserted in CRLF too.
    const v3 = await client.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } }, newText: SP_MLP.replace(/\n/g, '\r\n') }]);
    const fresh3 = await client.diagnostics(uri, v3);
    const preferred = (await codeActions(client, uri, fresh3.filter((d) => d.code === 'mup/readout-not-scaled'), ['quickfix'])).find((a) => a.isPreferred)!;
    await client.edit(uri, editsOf(preferred));
    assert.ok(!/[^\r]\n/.test(client.text(uri)), 'the fix is written in the file\'s CRLF');

    const stale = { ...readout, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
    assert.deepEqual(await codeActions(client, uri, [stale], ['quickfix']), []);
    client.dispose();
  });

  it('source.fixAll.mup only when asked for; none on a clean file', async () => {
    const client = serve(new CountingRunner(), { settings: { lintDelayMs: 0 } });
    await client.initialize();
    const uri = fresh();
    await client.open(uri, 'typescript', SP_MLP);
    const diagnostics = await client.diagnostics(uri, 1);
    const quick = await codeActions(client, uri, diagnostics, ['quickfix']);
    assert.ok(quick.every((a) => a.kind === 'quickfix'));
    // The lightbulb offers fix all too (issue 23.7), and preselects the error's fix, never a warning's.
    assert.equal(quick.at(-1)!.title, 'Fix all muP problems (3 fixes)');
    const preferred = quick.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1, quick.map((a) => a.title).join('; '));
    assert.equal(preferred[0]!.diagnostics?.[0]?.code, 'mup/readout-not-scaled');
    assert.equal(quick.findIndex((a) => a.isPreferred), 0, 'the error\'s fix comes first');
    const source = await codeActions(client, uri, [], ['source']);
    assert.deepEqual(source.map((a) => [a.kind, a.title]), [['source.fixAll.mup', 'Fix all muP problems (3 fixes)']]);
    const clean = fresh();
    await client.open(clean, 'typescript', MUP_MLP);
    await client.diagnostics(clean, 1);
    assert.deepEqual(await codeActions(client, clean, [], ['source.fixAll.mup']), []);
    client.dispose();
  });

  it('hover: the layer under the cursor, theme icons only for clients that asked', async () => {
    for (const themeIcons of [false, true]) {
      const client = serve(new CountingRunner(), { settings: { lintDelayMs: 0 }, initializationOptions: { themeIcons } });
      await client.initialize();
      const uri = fresh();
      await client.open(uri, 'typescript', SP_MLP);
      const lines = SP_MLP.split('\n');
      const line = lines.findIndex((l) => l.includes("name: 'readout'"));
      const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf('dense') + 1 } })) as { contents: { value: string }; range: { start: { line: number } } };
      assert.match(hover.contents.value, /\*\*muP: readout \(width -> fixed\)\*\* `readout`/);
      // How tfjs was recognised (issue 10).
      assert.match(hover.contents.value, /\ntfjs: static import of @tensorflow\/tfjs(\n|$)/);
      // Below the layer's table, the whole text of the finding whose Problems line is shortened (issue 23.8).
      assert.match(hover.contents.value, /\n---\n\n[\s\S]*\*\*mup\/readout-not-scaled\*\*: .*else its output grows with width/);
      assert.equal(hover.contents.value.includes('$(warning)'), themeIcons);
      assert.equal(hover.range.start.line, line);
      const none = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
      assert.equal(none, null);
      client.dispose();
    }
  });

  it('CodeLenses (when the client asks for them) and mup/analysis: the factories and layers of a document', async () => {
    const client = serve(new CountingRunner(), { settings: { lintDelayMs: 0 }, initializationOptions: { codeLens: true } });
    const { capabilities } = await client.initialize();
    assert.deepEqual(capabilities.codeLensProvider, { resolveProvider: false });
    const uri = fresh('sp.ts');
    await client.open(uri, 'typescript', SP_MLP);
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    const factoryLine = SP_MLP.split('\n').findIndex((l) => l.startsWith('export function mlp('));
    assert.deepEqual(lenses.map((l) => [l.command?.command, l.range.start.line, l.command?.arguments]), [
      ['mupLens.runCoordinateCheck', factoryLine, [{ uri, exportName: 'mlp' }]],
      ['mupLens.runSweep', factoryLine, [{ uri, exportName: 'mlp' }]],
    ]);

    const open = (await client.conn.sendRequest('mup/analysis', { textDocument: { uri } })) as DocumentAnalysis;
    assert.equal(open.version, 1);
    assert.deepEqual(open.factories.map((f) => [f.name, f.exported, f.widthParam]), [['mlp', true, 'width']]);
    // output_mult: examples/mlp/sp.ts's optional output multiplier (a rescaling by a constant; the readout stays flagged)
    assert.deepEqual(open.layers.map((l) => [l.name, l.role]), [['input', 'input'], ['hidden1', 'hidden'], ['hidden2', 'hidden'], ['readout', 'readout'], ['output_mult', 'other']]);
    assert.equal(open.findings.length, 3);
    const unopened = (await client.conn.sendRequest('mup/analysis', { textDocument: { uri: 'file:///ws/other/mup.ts' }, text: MUP_MLP })) as DocumentAnalysis;
    assert.deepEqual([unopened.version, unopened.findings.length, unopened.factories.map((f) => f.name)], [null, 0, ['mlp']]);
    assert.equal(await client.conn.sendRequest('mup/analysis', { textDocument: { uri: 'file:///ws/unknown.ts' } }), null);
    client.dispose();
  });
});
