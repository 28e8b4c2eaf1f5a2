// Restricted mode: the fixture workspace opened WITHOUT trust. Runs in its own session (runTest.ts starts
// code-server with workspace trust on and MUP_LENS_SUITE=restricted); skipped in a trusted host
// (@vscode/test-electron always passes --disable-workspace-trust to VS Code desktop).
// The manifest promises: diagnostics, fixes and hovers work; nothing that runs model code does.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED_SP_MLP, SP_MLP } from '../fixtures';
import { activatedExtension, fixtureUri, openFixture, waitForDiagnostics, workspaceRoot } from '../helpers';

/** Whether the workspace has a `.mup` folder: where coordinate checks and sweeps store what they ran. */
async function hasRunOutput(): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(workspaceRoot(), '.mup'));
    return true;
  } catch {
    return false;
  }
}

suite('restricted mode (untrusted workspace)', () => {
  suiteSetup(async function () {
    if (vscode.workspace.isTrusted) this.skip();
    await activatedExtension();
  });

  test('the extension activates in an untrusted workspace (untrustedWorkspaces: limited)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = await activatedExtension();
    assert.equal(ext.isActive, true);
  });

  test('diagnostics still appear: they never run user code', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP);
  });

  test('no CodeLens offers to run a coordinate check or a sweep', async () => {
    const { document } = await openFixture(SP_MLP);
    await waitForDiagnostics(document.uri, EXPECTED_SP_MLP); // analysed: the lenses would be known by now
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
    const ours = (lenses ?? []).filter((l) => l.command?.command.startsWith('mupLens.'));
    assert.deepEqual(ours.map((l) => l.command?.title), []);
  });

  test('mupLens.transferHyperparameters refuses: returns nothing and runs nothing', async () => {
    const result = await vscode.commands.executeCommand('mupLens.transferHyperparameters', { storeDir: fixtureUri('.mup/sweeps/none').fsPath, targetWidth: 256 });
    assert.equal(result, undefined);
    assert.equal(await hasRunOutput(), false, 'the transfer wrote a .mup folder in an untrusted workspace');
  });

  for (const command of ['mupLens.runCoordinateCheck', 'mupLens.runSweep']) {
    test(`${command} refuses: returns nothing and runs nothing`, async () => {
      const result = await vscode.commands.executeCommand(command, { uri: fixtureUri(SP_MLP).toString(), exportName: 'mlp' });
      assert.equal(result, undefined);
      assert.equal(await hasRunOutput(), false, `${command} wrote a .mup folder in an untrusted workspace`);
    });
  }
});
