// The muP panel in a real extension host: a tiny coordinate check and a tiny LR sweep of the fixture SP MLP,
// each run from its command (in the worker process) and shown in the panel; what the webview DREW is read from
// its DOM by the launcher (the host cannot see webview DOM; scripts/vscode-launcher.mjs's Playwright page
// can), and a screenshot of each view is written to test-results/screenshots/ on every run. "muP: Open
// Results" with a stored run's folder reopens it. Under VS Code desktop (no launcher) the DOM checks skip.
import * as assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { CoordResult } from '../../../src/coord/types';
import { PANEL_VIEW_TYPE } from '../../../src/protocol/webview';
import { activatedExtension, fixtureUri, readWebviewDom, requestScreenshot, waitFor, type WebviewDom } from './helpers';
import { SP_MLP } from './fixtures';

interface CoordCommandResult {
  result: CoordResult;
  reportPath: string;
}

/** The parts of the sweep command's report (src/sweep/types.ts SweepReport) the test reads. */
interface SweepReport {
  widths: number[];
  lrs: number[];
  seeds: number;
  trials: { width: number; lr: number; diverged: boolean }[];
  optimum: { width: number; lr: number }[];
  cancelled: boolean;
  storeDir: string;
}

interface PanelState {
  key: string;
  title: string;
  kind: 'coord' | 'sweep';
  runs: number;
  trials: number;
}

const COORD = { widths: [32, 64, 128], steps: 3 };
const SWEEP = { widths: [32, 64], lrRange: '2^-6:2^0:3' }; // 2^-6, 2^-3, 2^0: the largest diverges on this MLP
const settings: Record<string, [string, unknown][]> = {
  'mupLens.coordCheck': [
    ['widths', COORD.widths],
    ['steps', COORD.steps],
    ['seeds', 1],
    ['parametrization', 'sp'],
    ['backend', 'wasm'],
  ],
  'mupLens.sweep': [
    ['widths', SWEEP.widths],
    ['lrRange', SWEEP.lrRange],
    ['steps', 10],
    ['seeds', 1],
    ['parametrization', 'sp'],
    ['workers', 1],
    ['backend', 'wasm'],
  ],
};

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

/** Closes every muP panel, waiting until the extension has seen them go (`mupLens._panelState` empty). */
async function closePanels(): Promise<void> {
  const tabs = panelTabs();
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
  await waitFor(vscode.window.tabGroups.onDidChangeTabs, () => panelTabs().length === 0, 10_000, 'the muP panel tabs to close');
  const left = await panelState();
  assert.deepEqual(left, [], 'panels still open after their tabs closed');
}

function panelState(): Thenable<PanelState[]> {
  return vscode.commands.executeCommand<PanelState[]>('mupLens._panelState');
}

/** Layers the verdict fails: largest |slope| over t >= 2 above the threshold (docs/mup.md), from the engine's result. */
function failingLayers(r: CoordResult): string[] {
  return r.layers
    .map((l) => l.name)
    .filter((name) => r.slopes.some((s) => s.layer === name && s.t >= 2 && s.slope !== null && Math.abs(s.slope) > r.verdict.threshold));
}

/** What the coordinate-check view must show for `r`. */
function assertCoordDrawn(dom: WebviewDom, r: CoordResult): void {
  const a = dom.app;
  assert.equal(a['data-view'], 'coord', JSON.stringify(a));
  assert.equal(Number(a['data-series-count']), r.layers.length, `one line per layer (${r.layers.map((l) => l.name).join(', ')}): ${JSON.stringify(a)}`);
  assert.equal(Number(a['data-plot-count']), r.steps, `one subplot per step: ${JSON.stringify(a)}`);
  assert.equal(a['data-verdict'], r.verdict.level ?? (r.verdict.pass ? 'pass' : 'fail'), JSON.stringify(a));
  assert.equal(Number(a['data-failing-count']), failingLayers(r).length, `failing layers ${failingLayers(r).join(', ')}: ${JSON.stringify(a)}`);
}

suite('muP panel: what the webview draws', () => {
  let coord: CoordCommandResult | undefined;
  let sweep: SweepReport | undefined;

  suiteSetup(async () => {
    await activatedExtension();
    for (const [section, kv] of Object.entries(settings)) {
      const cfg = vscode.workspace.getConfiguration(section);
      for (const [k, v] of kv) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
    }
    // Earlier suites may have left a panel open (coord.test.ts): start from none, so each view is freshly drawn.
    await closePanels();
  });

  suiteTeardown(async () => {
    for (const [section, kv] of Object.entries(settings)) {
      const cfg = vscode.workspace.getConfiguration(section);
      for (const [k] of kv) await cfg.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a coordinate check opens the panel: one line per layer, a subplot per step, the verdict and the failing layers', async function () {
    this.timeout(120_000);
    const uri = fixtureUri(SP_MLP);
    const out = await vscode.commands.executeCommand<CoordCommandResult | undefined>('mupLens.runCoordinateCheck', { uri: uri.toString(), exportName: 'mlp' });
    assert.ok(out, 'the coordinate check returned no result (see the muP output channel)');
    coord = out;
    const r = out.result;
    assert.deepEqual(r.widths, COORD.widths);
    // The SP MLP fails at its readout: the view has something to highlight.
    assert.equal(r.verdict.pass, false, `verdict ${JSON.stringify(r.verdict)}`);
    assert.ok(failingLayers(r).length >= 1, JSON.stringify(r.slopes));

    const state = await panelState();
    assert.deepEqual(state.map((p) => [p.kind, p.trials]), [['coord', r.records.length]], JSON.stringify(state));

    const dom = await readWebviewDom('panel-coord', '#app[data-view="coord"]');
    if (!dom) this.skip(); // VS Code desktop: no launcher to read the webview
    assertCoordDrawn(dom, r);
    assert.ok(await requestScreenshot('panel-coord', 20_000, []), 'no screenshot folder');
  });

  test('an LR sweep opens the panel: one curve per width, each width\'s optimum marked, diverged trials marked', async function () {
    this.timeout(180_000);
    const uri = fixtureUri(SP_MLP);
    const reports = await vscode.commands.executeCommand<SweepReport[] | undefined>('mupLens.runSweep', { uri: uri.toString(), exportName: 'mlp' });
    assert.ok(reports && reports.length === 1, `the sweep returned ${JSON.stringify(reports)} (see the muP output channel)`);
    const rep = reports[0]!;
    sweep = rep;
    assert.equal(rep.cancelled, false);
    assert.deepEqual(rep.widths, SWEEP.widths);
    assert.equal(rep.lrs.length, 3);
    const trials = SWEEP.widths.length * rep.lrs.length;
    assert.equal(rep.trials.length, trials);
    // Every width has a finite optimum (only the largest LR diverges), so every width gets a marker.
    assert.deepEqual(rep.optimum.map((o) => o.width), SWEEP.widths, JSON.stringify(rep.optimum));
    const diverged = rep.trials.filter((t) => t.diverged).length;

    const state = await panelState();
    const sweeps = state.filter((p) => p.kind === 'sweep');
    assert.deepEqual(sweeps.map((p) => [p.runs, p.trials]), [[1, trials]], JSON.stringify(state));

    // The run's status line says done once the result has arrived and been drawn (trials arrive live before).
    const dom = await readWebviewDom('panel-sweep', '#app[data-view="sweep"] .run-status.done');
    if (!dom) this.skip();
    const a = dom.app;
    assert.equal(Number(a['data-run-count']), 1, JSON.stringify(a));
    assert.equal(Number(a['data-series-count']), SWEEP.widths.length, `one curve per width: ${JSON.stringify(a)}`);
    assert.equal(Number(a['data-optimum-count']), SWEEP.widths.length, `one optimum marker per width: ${JSON.stringify(a)}`);
    assert.equal(Number(a['data-diverged-count']), diverged, `diverged markers: ${JSON.stringify(a)}`);
    assert.equal(dom.sections.length, 1, JSON.stringify(dom.sections));
    const s = dom.sections[0]!;
    assert.equal(s['data-parametrization'], 'sp');
    assert.equal(Number(s['data-series-count']), SWEEP.widths.length, JSON.stringify(s));
    assert.equal(Number(s['data-optimum-count']), SWEEP.widths.length, JSON.stringify(s));
    assert.equal(Number(s['data-trial-count']), trials, JSON.stringify(s));
    assert.equal(Number(s['data-diverged-count']), diverged, JSON.stringify(s));
    assert.ok(await requestScreenshot('panel-sweep', 20_000, []), 'no screenshot folder');
  });

  test('"muP: Open Results" with a stored run\'s folder reopens it in the panel', async function () {
    this.timeout(60_000);
    assert.ok(coord && sweep, 'needs the coordinate check and the sweep of the tests above');
    await closePanels();

    const coordDir = dirname(coord.reportPath);
    assert.match(coordDir, /[\\/]\.mup[\\/]coord[\\/]/, 'the check is stored under .mup/coord/');
    await vscode.commands.executeCommand('mupLens.openResults', coordDir);
    let state = await panelState();
    assert.deepEqual(state.map((p) => [p.kind, p.trials]), [['coord', coord.result.records.length]], JSON.stringify(state));
    const coordDom = await readWebviewDom('reopened-coord', '#app[data-view="coord"]');
    if (coordDom) assertCoordDrawn(coordDom, coord.result);

    await vscode.commands.executeCommand('mupLens.openResults', sweep.storeDir);
    state = await panelState();
    const trials = sweep.trials.length;
    assert.deepEqual(state.filter((p) => p.kind === 'sweep').map((p) => [p.runs, p.trials]), [[1, trials]], JSON.stringify(state));
    const dom = await readWebviewDom('reopened-sweep', '#app[data-view="sweep"]');
    if (!dom) this.skip();
    assert.equal(Number(dom.app['data-series-count']), SWEEP.widths.length, JSON.stringify(dom.app));
    assert.equal(Number(dom.app['data-optimum-count']), SWEEP.widths.length, JSON.stringify(dom.app));
    assert.equal(Number(dom.sections[0]?.['data-trial-count']), trials, JSON.stringify(dom.sections));
  });
});
