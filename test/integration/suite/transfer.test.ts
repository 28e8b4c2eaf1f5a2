// Hyperparameter sweeps and the transfer in a real extension host: "muP: Run LR Sweep" with `mupLens.sweep.hp`
// (SP and muP of an output multiplier, one LR) draws one HP plot per run, side by side, read from the webview's DOM
// by the launcher; that sweep (one seed) is inconclusive (issue 21), so "muP: Transfer Tuned Hyperparameters"
// refuses it and writes nothing. An LR sweep with two seeds is judged (the LR transfers in muP), and the transfer
// (what the panel's button runs) writes the transfer file next to the model and draws its table and both
// verification curves in the same panel. Screenshots: test-results/screenshots/panel-hp-sweep.png and
// panel-transfer.png.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { activatedExtension, fixtureUri, readWebviewDom, requestScreenshot } from './helpers';

const HP_MLP = 'mlp_hp.ts';
const WIDTHS = [32, 64];
const ALPHAS = [2 ** -3, 1, 2 ** 3];

/** The parts of the sweep command's report the test reads. */
interface SweepReport {
  parametrization: 'sp' | 'mup';
  trials: { width: number; hp?: Record<string, number> }[];
  hps?: { name: string; values: number[]; optimum: { width: number; value: number }[]; transfers: boolean }[];
  storeDir: string;
  cancelled: boolean;
  verdict?: string;
  reasons?: string[];
}

/** The parts of the transfer command's report (src/sweep/transfer.ts TransferReport) the test reads. */
interface TransferReport {
  transfers: boolean;
  refusal: string | null;
  written: string | null;
  file: { params: { name: string }[]; tuned: { hp: Record<string, number> } } | null;
  verify: { runs: { parametrization: string; losses: number[] }[] } | null;
}

const settings: [string, unknown][] = [
  ['widths', WIDTHS],
  ['lrRange', '2^-5:2^-5'],
  ['hp', { outputMult: '2^-3:2^3:3' }],
  ['steps', 20],
  ['seeds', 1],
  ['parametrization', 'both'],
  ['workers', 1],
  ['backend', 'wasm'],
];

suite('hyperparameter sweeps and the transfer in the panel', () => {
  let written: string | null = null;

  suiteSetup(async () => {
    await activatedExtension();
    const cfg = vscode.workspace.getConfiguration('mupLens.sweep');
    for (const [k, v] of settings) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('mupLens').update('baseWidth', 32, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    const cfg = vscode.workspace.getConfiguration('mupLens.sweep');
    for (const [k] of settings) await cfg.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('mupLens').update('baseWidth', undefined, vscode.ConfigurationTarget.Workspace);
    if (written) rmSync(written, { force: true });
  });

  let mupStore = '';
  test('an HP sweep (mupLens.sweep.hp) draws one plot per hyperparameter, SP beside muP, each width\'s optimum marked', async function () {
    this.timeout(300_000);
    const reports = await vscode.commands.executeCommand<SweepReport[] | undefined>('mupLens.runSweep', { uri: fixtureUri(HP_MLP).toString(), exportName: 'mlp' });
    assert.ok(reports && reports.length === 2, `the sweep returned ${JSON.stringify(reports)?.slice(0, 300)} (see the muP output channel)`);
    for (const r of reports) {
      assert.equal(r.cancelled, false);
      assert.equal(r.trials.length, WIDTHS.length * ALPHAS.length);
      assert.deepEqual([...new Set(r.trials.map((t) => t.hp?.outputMult))].sort((a, b) => a! - b!), ALPHAS);
      assert.deepEqual(r.hps?.map((h) => [h.name, h.values, h.optimum.map((o) => o.width)]), [['outputMult', ALPHAS, WIDTHS]]);
    }
    mupStore = reports.find((r) => r.parametrization === 'mup')!.storeDir;

    const dom = await readWebviewDom('panel-hp-sweep', '#app[data-view="sweep"][data-hp-plot-count="2"][data-run-count="2"]');
    if (!dom) this.skip(); // VS Code desktop: no launcher to read the webview
    assert.equal(dom.app['data-hp-axes'], 'outputMult', JSON.stringify(dom.app));
    assert.equal(dom.app['data-lr-plot-count'], '0', 'one LR: no LR plot');
    assert.equal(Number(dom.app['data-hp-optimum-count']), 2 * WIDTHS.length, JSON.stringify(dom.app));
    const hp = dom.sections.filter((s) => s['data-axis'] === 'outputMult');
    assert.deepEqual(hp.map((s) => [s['data-parametrization'], s['data-series-count'], s['data-optimum-count']]), [['sp', '2', '2'], ['mup', '2', '2']], JSON.stringify(dom.sections));
    assert.ok(await requestScreenshot('panel-hp-sweep', 20_000, []), 'no screenshot folder');
  });

  test('the transfer of the inconclusive one-seed HP sweep is refused and writes nothing', async function () {
    this.timeout(120_000);
    assert.ok(mupStore, 'needs the sweep of the test above');
    const stored = JSON.parse(readFileSync(`${mupStore}/result.json`, 'utf8')) as SweepReport;
    assert.equal(stored.verdict, 'inconclusive', JSON.stringify(stored.reasons));
    const rep = await vscode.commands.executeCommand<TransferReport | undefined>('mupLens.transferHyperparameters', { storeDir: mupStore, targetWidth: 128 });
    assert.equal(rep, undefined, 'the engine refuses an inconclusive sweep (the CLI exits 4)');
    assert.equal(existsSync(fixtureUri('mlp_hp.mlp.w128.transfer.json').fsPath), false, 'nothing written');
  });

  test('"muP: Transfer Tuned Hyperparameters" from a judged LR sweep writes the transfer file and draws its table and both verification curves', async function () {
    this.timeout(300_000);
    // Two seeds over nine LRs: enough for the engine to judge muP's LR (it transfers); 40 steps keep it fast.
    const cfg = vscode.workspace.getConfiguration('mupLens.sweep');
    for (const [k, v] of [['lrRange', '2^-9:2^-1:1'], ['hp', {}], ['seeds', 2], ['steps', 40]] as const) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
    const reports = await vscode.commands.executeCommand<SweepReport[] | undefined>('mupLens.runSweep', { uri: fixtureUri(HP_MLP).toString(), exportName: 'mlp' });
    const mup = reports?.find((r) => r.parametrization === 'mup');
    assert.ok(mup && !mup.cancelled, `the sweep returned ${JSON.stringify(reports)?.slice(0, 300)} (see the muP output channel)`);
    assert.equal(mup.verdict, 'transfers', JSON.stringify(mup.reasons));
    mupStore = mup.storeDir;
    const rep = await vscode.commands.executeCommand<TransferReport | undefined>('mupLens.transferHyperparameters', { storeDir: mupStore, targetWidth: 128, verify: true, steps: 10 });
    assert.ok(rep, 'the transfer returned nothing (see the muP output channel)');
    assert.equal(rep.transfers, true, `refused: ${rep.refusal}`);
    written = rep.written;
    assert.ok(written && existsSync(written) && written.endsWith('mlp_hp.mlp.w128.transfer.json'), `written: ${written}`);
    const file = JSON.parse(readFileSync(written, 'utf8')) as { format: string; targetWidth: number; params: unknown[] };
    assert.deepEqual([file.format, file.targetWidth, file.params.length], ['mup-lens/transfer', 128, 6]);
    // The SP sweep of the same model (the 'both' run) is found beside the muP one: two curves of 10 steps.
    assert.deepEqual(rep.verify?.runs.map((r) => [r.parametrization, r.losses.length]), [['mup', 10], ['sp', 10]]);

    const dom = await readWebviewDom('panel-transfer', '#app[data-view="sweep"][data-transfer-status="done"]');
    if (!dom) this.skip();
    assert.equal(dom.app['data-transfer-transfers'], 'true', JSON.stringify(dom.app));
    assert.equal(Number(dom.app['data-transfer-rows']), rep.file!.params.length, JSON.stringify(dom.app));
    assert.equal(dom.app['data-verify-series'], '2', JSON.stringify(dom.app));
    assert.ok(await requestScreenshot('panel-transfer', 20_000, []), 'no screenshot folder');
  });
});
