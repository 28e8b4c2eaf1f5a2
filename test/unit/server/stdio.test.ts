// `mup-lens lsp --stdio` driven as another editor (Neovim, Helix) drives it: spawn the built CLI, initialize,
// didOpen, wait for publishDiagnostics, didChange (incremental), ask for code actions and apply them, hover,
// then shutdown and exit. The analyses run on the server's analysis thread (dist/analysisWorker.js).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ts from 'typescript';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { LspClient, summary } from './lspClient';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
const built = existsSync(cli) && existsSync(join(root, 'dist', 'analysisWorker.js'));
const SP_MLP = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
const uri = 'file:///work/models/sp-mlp.ts';

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line holds ${needle}`);
  return i + 1;
}

function syntaxErrors(text: string): string[] {
  const out = ts.transpileModule(text, { fileName: 'x.ts', reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('mup-lens lsp --stdio, as an editor uses it', { skip: built ? false : 'dist/cli.js not built (npm run build)' }, () => {
  let client: LspClient;
  let stderr: () => string;

  before(() => {
    ({ client, stderr } = LspClient.spawnCli(cli, { settings: { lintDelayMs: 0 } }));
  });
  after(() => client.conn.dispose());

  it('initialize: incremental sync, quick fixes and source.fixAll.mup, hovers; no CodeLens unless asked', async () => {
    const { capabilities } = await client.initialize();
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.mup'] });
    assert.equal(capabilities.hoverProvider, true);
    assert.equal(capabilities.codeLensProvider, undefined);
  });

  it('didOpen: the findings of `mup-lens lint`, rule id as code, linked to its docs, versioned', async () => {
    await client.open(uri, 'typescript', SP_MLP);
    const diagnostics = await client.diagnostics(uri, 1);
    const readout = lineOf(SP_MLP, "name: 'readout'");
    const input = lineOf(SP_MLP, "name: 'input'");
    assert.deepEqual(summary(diagnostics), [`mup/init-fan-avg@${input}`, `mup/init-fan-avg@${readout}`, `mup/readout-not-scaled@${readout}`].sort());
    const d = diagnostics.find((x) => x.code === 'mup/readout-not-scaled')!;
    assert.equal(d.source, 'muP');
    assert.equal(d.severity, 1);
    assert.equal(d.codeDescription?.href, 'https://github.com/mup-lens/mup-lens/blob/main/docs/rules.md#mupreadout-not-scaled');
    assert.match(d.message, /readout .* is not muP-scaled/);
  });

  it('didChange (incremental): the findings move with the text', async () => {
    const version = await client.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '// one\n// two\n' }]);
    const diagnostics = await client.diagnostics(uri, version);
    const readout = lineOf(client.text(uri), "name: 'readout'");
    assert.ok(summary(diagnostics).includes(`mup/readout-not-scaled@${readout}`), summary(diagnostics).join(', '));
  });

  it('hover on the readout call names its muP role', async () => {
    const line = lineOf(client.text(uri), "name: 'readout'") - 1;
    const character = client.text(uri).split('\n')[line].indexOf('dense') + 2;
    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /readout/);
    assert.doesNotMatch(value, /\$\(warning\)/, 'theme icons only for clients that asked for them');
  });

  it('codeAction: the preferred quick fix scales the readout; applied, the finding goes and the file parses', async () => {
    const diagnostics = await client.diagnostics(uri);
    const d = diagnostics.find((x) => x.code === 'mup/readout-not-scaled')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    })) as CodeAction[];
    assert.deepEqual(actions.filter((a) => a.isPreferred).length, 1, actions.map((a) => a.title).join('; '));
    assert.deepEqual(actions.slice(-3, -1).map((a) => a.title), ['Suppress mup/readout-not-scaled for this line', 'Suppress mup/readout-not-scaled for this file']);
    // Last, as ESLint's "Fix all auto-fixable problems": fix all in the lightbulb (issue 23.7).
    assert.match(actions.at(-1)!.title, /^Fix all muP problems \(\d+ fixes\)$/);
    assert.equal(actions.at(-1)!.kind, 'quickfix');
    const fix = actions.find((a) => a.isPreferred)!;
    const change = fix.edit!.documentChanges![0] as unknown as { textDocument: { version: number }; edits: { range: never; newText: string }[] };
    assert.equal(change.textDocument.version, client.docs.get(uri)!.version, 'edits are for the version they were computed on');
    const version = await client.edit(uri, change.edits);
    const after = await client.diagnostics(uri, version);
    assert.deepEqual(summary(after).map((s) => s.split('@')[0]), ['mup/init-fan-avg', 'mup/init-fan-avg']);
    assert.match(client.text(uri), /tf\.layers\.rescaling\(\{ scale: 64 \/ width \}\)/);
    assert.deepEqual(syntaxErrors(client.text(uri)), []);
  });

  it('codeAction source.fixAll.mup: every preferred fix at once, in rounds', async () => {
    const version = await client.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } }, newText: SP_MLP }]);
    await client.diagnostics(uri, version);
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.mup'], triggerKind: 2 },
    })) as CodeAction[];
    assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.mup']);
    const change = actions[0].edit!.documentChanges![0] as unknown as { edits: never[] };
    const fixed = await client.edit(uri, change.edits);
    assert.deepEqual(await client.diagnostics(uri, fixed), [], `left: ${client.text(uri)}`);
    assert.deepEqual(syntaxErrors(client.text(uri)), []);
  });

  it('shutdown and exit: the server process ends with code 0', async () => {
    assert.equal(await client.shutdown(), 0, stderr());
  });
});

describe('mup-lens lsp, used wrongly', () => {
  it('without a transport, or with two: exit 2 and one line saying what to give', async () => {
    const { main } = await import('../../../src/cli');
    for (const argv of [['lsp'], ['lsp', '--stdio', '--node-ipc'], ['lsp', '--socket=abc'], ['lsp', '--tcp']]) {
      let err = '';
      const code = await main(argv, { stdout: () => {}, stderr: (s) => (err += s), cwd: root });
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /^mup-lens lsp: (give exactly one transport: --stdio, --node-ipc or --socket=PORT|--socket must be a port number, got 'abc'|unknown option '--tcp' \(see mup-lens lsp --help\))\n$/i, err);
    }
  });
});
