// What a user sees while editing a model: squiggles, their updates, the quick fix, the hover.
// Expectations come from docs/contracts.md's contract (rule ids, 1-based lines) and the fixture files.
import * as assert from 'node:assert/strict';
import * as ts from 'typescript';
import * as vscode from 'vscode';
import {
  EXPECTED_SP_ATTENTION,
  EXPECTED_SP_MLP,
  MUP_MLP,
  MUP_MLP_READOUT_CALL,
  MUP_MLP_RESCALING,
  SP_ATTENTION,
  SP_MLP,
  SP_MLP_HIDDEN,
  SP_MLP_READOUT,
} from './fixtures';
import {
  activatedExtension,
  hoverText,
  lineContaining,
  muPDiagnostics,
  openFixture,
  requestScreenshot,
  revert,
  ruleOf,
  summarize,
  waitFor,
  waitForDiagnostics,
} from './helpers';

/** Position inside the `dense` of a `tf.layers.dense(...)` call written on `line` (1-based). */
function layerCallPosition(doc: vscode.TextDocument, layer: { line: number; call: string }): vscode.Position {
  const text = doc.lineAt(layer.line - 1).text;
  const at = text.indexOf(layer.call);
  assert.ok(at >= 0, `fixture line ${layer.line} no longer holds ${JSON.stringify(layer.call)}: ${text}`);
  return new vscode.Position(layer.line - 1, at + 'tf.layers.'.length + 2);
}

/** Syntax errors TypeScript's parser finds in `text` (transpileModule reports syntactic diagnostics only). */
function syntaxErrors(text: string, fileName: string): string[] {
  const out = ts.transpileModule(text, { fileName, reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

suite('language features on the fixture workspace', () => {
  suiteSetup(async () => {
    await activatedExtension();
  });

  teardown(async () => {
    // Leave no unsaved edits behind (hot exit would otherwise restore them into the next run).
    for (const doc of vscode.workspace.textDocuments) await revert(doc);
  });

  test('an SP model shows its findings: rule id as code, right line and severity, source "muP"', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    for (const d of muPDiagnostics(document.uri)) {
      assert.ok(d.message.trim().length > 0, `${ruleOf(d)} has an empty message`);
    }
  });

  test('attention logits scaled by 1/sqrt(d_head) are flagged on the scaling line', async () => {
    const { document } = await openFixture(SP_ATTENTION);
    await waitForDiagnostics(document.uri, EXPECTED_SP_ATTENTION);
  });

  test('editing the document moves its findings with the text', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), '// two lines\n// inserted by a test\n');
    assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit refused the insertion');
    const shifted = EXPECTED_SP_MLP.map((s) => s.replace(/@(\d+):/, (_, n: string) => `@${Number(n) + 2}:`));
    await waitForDiagnostics(document.uri, shifted);
  });

  test('a muP model is clean, and shows the readout finding once its rescaling is deleted', async () => {
    const { document } = await openFixture(MUP_MLP);
    const rescaling = lineContaining(document, MUP_MLP_RESCALING);
    const readout = lineContaining(document, MUP_MLP_READOUT_CALL);
    const edit = new vscode.WorkspaceEdit();
    edit.delete(document.uri, new vscode.Range(rescaling - 1, 0, rescaling, 0));
    assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit refused the deletion');
    await waitForDiagnostics(document.uri, [`mup/readout-not-scaled@${readout}:error`]);
    // Back to the committed text: the finding must go away again (seen appearing first, so an empty
    // list here means "analysed and clean", not "not analysed yet").
    await revert(document);
    await waitForDiagnostics(document.uri, []);
  });

  test('the preferred quick fix scales the readout, removes its finding and leaves a file that parses', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const before = document.getText();
    const diagnostic = muPDiagnostics(document.uri).find((d) => ruleOf(d) === 'mup/readout-not-scaled');
    assert.ok(diagnostic);
    // Only quick fixes: refactorings of TypeScript's own features (also running here) can be preferred too.
    // The API command does not hand back CodeAction.diagnostics, so the fix is told apart by kind and isPreferred.
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const codeActions = (actions ?? []).filter((a): a is vscode.CodeAction => a instanceof vscode.CodeAction);
    const preferred = codeActions.filter((a) => a.isPreferred);
    const seen = codeActions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`);
    assert.equal(preferred.length, 1, `expected one preferred quick fix at the readout, got: ${seen.join('; ') || 'no code actions'}`);
    const fix = preferred[0];
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `the fix's kind is ${fix.kind?.value}, not quickfix`);
    assert.ok(fix.edit || fix.command, 'the preferred fix has neither an edit nor a command');
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit refused the fix');
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));

    const rules = () => summarize(muPDiagnostics(document.uri)).map((s) => s.split('@')[0]);
    await waitFor(
      vscode.languages.onDidChangeDiagnostics,
      () => JSON.stringify(rules()) === JSON.stringify(['mup/init-fan-avg', 'mup/optimizer-global-lr']),
      20_000,
      'the readout finding to go away and the two others to stay',
      () => `[${summarize(muPDiagnostics(document.uri)).join(', ')}]`,
    );
    const after = document.getText();
    assert.notEqual(after, before, 'the fix did not change the text');
    assert.deepEqual(syntaxErrors(after, SP_MLP), [], `the fixed file does not parse:\n${after}`);
  });

  test('hovering a layer call names its muP role', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const hoverAt = async (layer: { line: number; call: string }) =>
      hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, layerCallPosition(document, layer)));
    const readout = await hoverAt(SP_MLP_READOUT);
    assert.ok(readout.some((t) => /readout/i.test(t)), `no hover on the readout says "readout": ${JSON.stringify(readout)}`);
    assert.ok(readout.some((t) => /tfjs: static import of @tensorflow\/tfjs/.test(t)), `no hover on the readout says how tfjs was recognised: ${JSON.stringify(readout)}`);
    const hidden = await hoverAt(SP_MLP_HIDDEN);
    assert.ok(hidden.some((t) => /hidden/i.test(t)), `no hover on the hidden layer says "hidden": ${JSON.stringify(hidden)}`);
  });

  test('a trusted workspace gets CodeLenses that run a coordinate check and a sweep on the exported factory', async () => {
    // The counterpart of the restricted session's "no CodeLens" test.
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
    const ours = (lenses ?? []).filter((l) => l.command?.command.startsWith('mupLens.'));
    const factoryLine = lineContaining(document, 'export function mlp(');
    assert.deepEqual(
      ours.map((l) => `${l.command?.command}@${l.range.start.line + 1}`).sort(),
      [`mupLens.runCoordinateCheck@${factoryLine}`, `mupLens.runSweep@${factoryLine}`],
    );
  });

  test('screenshot: the editor with squiggles and the quick-fix menu open', async function () {
    if (!process.env.MUP_LENS_SCREENSHOT_DIR) this.skip(); // only the code-server launcher takes screenshots
    const editor = await openFixture(SP_MLP);
    await waitForDiagnostics(editor.document.uri, EXPECTED_SP_MLP);
    const diagnostic = muPDiagnostics(editor.document.uri).find((d) => ruleOf(d) === 'mup/readout-not-scaled');
    assert.ok(diagnostic);
    editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
    editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.quickFix');
    try {
      assert.ok(await requestScreenshot('quick-fix'), 'no screenshot folder');
    } finally {
      await vscode.commands.executeCommand('hideCodeActionWidget');
    }
  });
});
