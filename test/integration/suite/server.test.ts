// The language server as VS Code uses it: "fix all" as `editor.codeActionsOnSave: {"source.fixAll.mup": ...}`
// asks for it, and the `mupLens.rules` / `mupLens.baseWidth` settings reaching the server through
// workspace/configuration while the document stays open.
import * as assert from 'node:assert/strict';
import * as ts from 'typescript';
import * as vscode from 'vscode';
import { EXPECTED_SP_MLP, SP_MLP } from './fixtures';
import { activatedExtension, muPDiagnostics, openFixture, revert, ruleOf, waitFor, waitForDiagnostics } from './helpers';

function syntaxErrors(text: string): string[] {
  const out = ts.transpileModule(text, { fileName: 'x.ts', reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

suite('the muP language server in VS Code', () => {
  suiteSetup(async () => {
    await activatedExtension();
  });

  teardown(async () => {
    const cfg = vscode.workspace.getConfiguration('mupLens');
    await cfg.update('rules', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('baseWidth', undefined, vscode.ConfigurationTarget.Global);
    for (const doc of vscode.workspace.textDocuments) await revert(doc);
  });

  test('source.fixAll.mup applies every preferred fix; the optimizer finding (no automatic fix) remains', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      whole,
      'source.fixAll.mup',
    );
    const fixAll = (actions ?? []).filter((a): a is vscode.CodeAction => a instanceof vscode.CodeAction && a.kind?.value === 'source.fixAll.mup');
    assert.equal(fixAll.length, 1, `got: ${(actions ?? []).map((a) => a.title).join('; ') || 'nothing'}`);
    assert.ok(fixAll[0].edit && (await vscode.workspace.applyEdit(fixAll[0].edit)), 'the fix-all edit applies');
    const optimizerLine = document.getText().split('\n').findIndex((l) => l.includes('tf.train.adam(0.01)')) + 1;
    await waitForDiagnostics(document.uri, [`mup/optimizer-global-lr@${optimizerLine}:warning`]);
    const text = document.getText();
    assert.match(text, /tf\.layers\.rescaling\(\{ scale: 64 \/ width \}\)/);
    assert.deepEqual(syntaxErrors(text), [], `the fixed file does not parse:\n${text}`);
  });

  test('mupLens.rules and mupLens.baseWidth reach the open document through workspace/configuration', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
    const cfg = vscode.workspace.getConfiguration('mupLens');
    await cfg.update('rules', { 'mup/init-fan-avg': 'off', 'mup/readout-not-scaled': 'info' }, vscode.ConfigurationTarget.Global);
    await waitForDiagnostics(document.uri, ['mup/readout-not-scaled@14:info', 'mup/optimizer-global-lr@17:warning']);
    await cfg.update('baseWidth', 128, vscode.ConfigurationTarget.Global);
    const readout = () => muPDiagnostics(document.uri).find((d) => ruleOf(d) === 'mup/readout-not-scaled');
    await waitFor(vscode.languages.onDidChangeDiagnostics, () => /128\/width/.test(readout()?.message ?? ''), 20_000, 'the readout message at base width 128', () => readout()?.message ?? 'none');
    await cfg.update('rules', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('baseWidth', undefined, vscode.ConfigurationTarget.Global);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
  });
});
