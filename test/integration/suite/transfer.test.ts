// Hyperparameter sweeps and the transfer in a real extension host: "muP: Run LR Sweep" with `mupLens.sweep.hp`
// (SP and muP of an output multiplier, one LR) draws one HP plot per run, side by side, read from the webview's DOM
// by the launcher; that sweep (one seed) is inconclusive (issue 21), so "muP: Transfer Tuned Hyperparameters"
// refuses it and writes nothing. An LR sweep with two seeds is judged (the LR transfers in muP), and the transfer
// (what the panel's button runs) writes the transfer file next to the model and draws its table and both
// verification curves in the same panel. Then (issue 22) the command without a target asks for one on every axis,
// one input box each, typed into as a user would: a depth and a batch size entered (and the proxy's, which that
// width sweep did not vary), the file is version 2 with the depth and every factor with its source, and the panel
// lists those factors and the far-outside warning. Screenshots: test-results/screenshots/panel-hp-sweep.png,
// panel-transfer.png and panel-transfer-axes.png.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { activatedExtension, answerInputBoxes, fixtureUri, readWebviewDom, requestScreenshot } from './helpers';

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
  file: {
    version: number;
    targetWidth: number;
    params: { name: string }[];
    tuned: { lr: number; hp: Record<string, number> };
    depth?: { baseDepth: number; targetDepth: number; alpha: number; branchMultiplier: number };
    axes?: { proxy: Record<string, number>; target: Record<string, number>; lr: { value: number; factors: { axis: string; factor: number; applied: boolean; rule: string; source: string }[] }; warnings: string[] };
  } | null;
  verify: { runs: { parametrization: string; lr: number; losses: number[] }[] } | null;
  warnings: string[];
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

  test('"muP: Transfer Tuned Hyperparameters" asks for the target on every axis: a depth and a batch typed in, every factor shown with its source, a version 2 file', async function () {
    this.timeout(300_000);
    assert.ok(mupStore, 'needs the judged LR sweep of the test above');
    // width 128; depth 3 (the sweep trained the default depth 1, which it did not vary: asked); batch 2048 (the
    // synthetic task's 64: asked); steps and sequence length as the proxy's.
    const boxes = answerInputBoxes('transfer-target', ['128', '3', '1', '2048', '64', '', '']);
    const rep = await vscode.commands.executeCommand<TransferReport | undefined>('mupLens.transferHyperparameters', { storeDir: mupStore, verify: true, steps: 10 });
    const seen = await boxes.seen();
    const title = 'muP: Transfer Tuned Hyperparameters: ';
    assert.deepEqual(seen.map((b) => [b.title, b.value]), [
      [`${title}width (1/5)`, '512'], // 8x the widest width swept (64)
      [`${title}depth (2/5)`, ''],
      [`${title}the proxy's depth (2/5)`, ''],
      [`${title}batch size (3/5)`, ''],
      [`${title}the proxy's batch size (3/5)`, ''],
      [`${title}training steps (4/5)`, ''],
      [`${title}sequence length (5/5)`, ''],
    ], JSON.stringify(seen));
    assert.match(seen[1]!.prompt, /The depth you will train at; empty: the proxy's\. The sweep did not vary the depth\. .*alpha 1 \(CompleteP\)/);
    assert.match(seen[5]!.prompt, /empty: the proxy's \(40\)\. The sweep trained 40 steps and did not vary them/);

    assert.ok(rep, 'the transfer returned nothing (see the muP output channel)');
    assert.equal(rep.transfers, true, `refused: ${rep.refusal}`);
    const f = rep.file!;
    assert.equal(f.version, 2);
    assert.deepEqual(f.depth, { baseDepth: 1, targetDepth: 3, alpha: 1, branchMultiplier: 1 / 3 });
    assert.deepEqual(f.axes?.proxy, { width: 64, depth: 1, batch: 64 });
    assert.deepEqual(f.axes?.target, { width: 128, depth: 3, batch: 2048 });
    // every factor with its source: muP's width rule, CompleteP's depth rule, the square-root batch rule
    assert.deepEqual(f.axes!.lr.factors.map((x) => [x.axis, Number(x.factor.toPrecision(6)), x.applied, x.source]), [
      ['width', 1, true, 'muP, Tensor Programs V (arXiv 2203.03466)'],
      ['depth', 1, true, 'CompleteP (arXiv 2505.01618)'],
      ['batch', Number(Math.sqrt(32).toPrecision(6)), true, 'Malladi et al. 2022 (arXiv 2205.10287)'],
    ]);
    assert.ok(Math.abs(f.axes!.lr.value - f.tuned.lr * Math.sqrt(32)) < 1e-12 * f.tuned.lr, `${f.axes!.lr.value} vs ${f.tuned.lr} x sqrt(32)`);
    // 2048 is 32x the largest batch trained (64): far outside what was measured, said
    assert.ok(rep.warnings.some((w) => /^the target's batch \(2048\) is 32x the largest batch the sweep trained \(64\): far outside what was measured/.test(w)), JSON.stringify(rep.warnings));
    // the written file is that one: the model at depth 3 (input, three hidden, readout: five kernels and biases)
    written = rep.written;
    assert.ok(written && existsSync(written), `written: ${written}`);
    const disk = JSON.parse(readFileSync(written, 'utf8')) as NonNullable<TransferReport['file']>;
    assert.deepEqual([disk.version, disk.targetWidth, disk.params.length, disk.depth, disk.axes?.target, disk.axes?.lr.value], [2, 128, 10, f.depth, f.axes!.target, f.axes!.lr.value]);
    // verified at the target: the muP run at the file's base LR
    assert.deepEqual(rep.verify?.runs.map((r) => r.parametrization), ['mup', 'sp']);
    assert.equal(rep.verify!.runs[0]!.lr, f.axes!.lr.value);

    const dom = await readWebviewDom('panel-transfer-axes', '#app[data-view="sweep"][data-transfer-status="done"][data-transfer-factors="width,depth,batch"]');
    if (!dom) this.skip();
    assert.equal(dom.app['data-transfer-warnings'], String(rep.warnings.length), JSON.stringify(dom.app));
    assert.equal(Number(dom.app['data-transfer-rows']), 10, JSON.stringify(dom.app));
    assert.ok(await requestScreenshot('panel-transfer-axes', 20_000, []), 'no screenshot folder');
  });
});
