// The extension as VS Code loads it: activation, its commands, and what it promises for untrusted workspaces.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, EXTENSION_ID } from './helpers';

/** Commands that run the user's model code (in the worker): they must be off until the workspace is trusted. */
const RUNS_USER_CODE = ['mupLens.runCoordinateCheck', 'mupLens.runSweep', 'mupLens.transferHyperparameters'];

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
  enablement?: string;
}

function manifest(): { contributes: { commands: ContributedCommand[] }; capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string } } } {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.packageJSON;
}

suite('the extension in a VS Code host', () => {
  test('activates and reports how long activate() took', async () => {
    const ext = await activatedExtension();
    assert.equal(ext.isActive, true);
    const ms = ext.exports?.activationMs;
    assert.equal(typeof ms, 'number', `activate() returned ${JSON.stringify(ext.exports)}, not {activationMs}`);
    assert.ok(Number.isFinite(ms) && ms >= 0, `activationMs is ${ms}`);
    // runTest.ts picks this line up into test-results/integration.json.
    console.log(`MUP_LENS_ACTIVATION_MS ${ms.toFixed(1)}`);
  });

  test('registers every command its manifest contributes', async () => {
    await activatedExtension();
    const contributed = manifest().contributes.commands.map((c) => c.command);
    for (const id of [...RUNS_USER_CODE, 'mupLens.openResults']) {
      assert.ok(contributed.includes(id), `package.json does not contribute ${id}`);
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered by activate(): ${missing.join(', ')}`);
  });

  test('commands that run model code are disabled in restricted mode (manifest), the rest stay available', () => {
    const m = manifest();
    const trust = m.capabilities?.untrustedWorkspaces;
    // 'limited': the extension loads in restricted mode (diagnostics, fixes, hovers), but not everything works.
    assert.equal(trust?.supported, 'limited', 'capabilities.untrustedWorkspaces.supported should be "limited"');
    assert.ok(trust?.description, 'untrustedWorkspaces needs a description saying what is disabled');
    for (const id of RUNS_USER_CODE) {
      const cmd = m.contributes.commands.find((c) => c.command === id);
      assert.ok(cmd, `${id} is not contributed`);
      assert.match(cmd.enablement ?? '', /(^|&&\s*)isWorkspaceTrusted(\s*&&|$)/, `${id}'s enablement must require isWorkspaceTrusted`);
    }
    const open = m.contributes.commands.find((c) => c.command === 'mupLens.openResults');
    assert.ok(!/isWorkspaceTrusted/.test(open?.enablement ?? ''), 'Open Results runs no code and should work untrusted');
  });

  test('this session runs trusted (restricted mode has its own session: suite/restricted)', () => {
    // code-server and @vscode/test-electron start the main session with --disable-workspace-trust; the API
    // cannot revoke trust from a test, so runTest.ts runs suite/restricted in a second code-server session
    // with trust on (VS Code desktop: runTests always disables trust, so there it cannot run).
    assert.equal(vscode.workspace.isTrusted, true);
  });
});
