// "muP: Run Coordinate Check" in a real extension host: a tiny check of the fixture workspace's SP MLP, run in
// the worker process from the command, as the CodeLens runs it.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activatedExtension, fixtureUri } from './helpers';

interface CommandResult {
  result: { backend: string; widths: number[]; layers: { name: string; role: string; source: { file: string; line: number } | null }[]; verdict: { pass: boolean; worst: { layer: string } | null } };
  backend: { name: string; label: string };
  reportPath: string;
}

suite('coordinate check from the command', () => {
  const settings: [string, unknown][] = [
    ['widths', [32, 64, 128]],
    ['steps', 3],
    ['seeds', 1],
    ['parametrization', 'sp'],
    ['backend', 'wasm'],
  ];

  suiteSetup(async () => {
    await activatedExtension();
    const cfg = vscode.workspace.getConfiguration('mupLens.coordCheck');
    for (const [k, v] of settings) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    const cfg = vscode.workspace.getConfiguration('mupLens.coordCheck');
    for (const [k] of settings) await cfg.update(k, undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('checks the SP MLP in the worker: fails at the readout, with source lines, a report and the backend', async function () {
    this.timeout(120_000);
    const uri = fixtureUri('sp_mlp.ts');
    const out = await vscode.commands.executeCommand<CommandResult | undefined>('mupLens.runCoordinateCheck', { uri: uri.toString(), exportName: 'mlp' });
    assert.ok(out, 'the command returned no result (see the muP output channel)');
    assert.equal(out.backend.name, 'wasm');
    assert.equal(out.result.backend, 'wasm');
    assert.deepEqual(out.result.widths, [32, 64, 128]);
    assert.deepEqual(out.result.layers.map((l) => l.role), ['input', 'hidden', 'readout']);
    assert.ok(out.result.layers.every((l) => l.source?.file === uri.fsPath && l.source.line > 0), JSON.stringify(out.result.layers));
    assert.equal(out.result.verdict.pass, false);
    assert.equal(out.result.verdict.worst?.layer, out.result.layers[2].name);
    assert.ok(existsSync(out.reportPath), out.reportPath);
    assert.match(readFileSync(out.reportPath, 'utf8'), /<b>FAIL<\/b>/);
  });
});
