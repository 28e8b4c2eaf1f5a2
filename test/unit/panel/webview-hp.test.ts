// The built webview bundle in headless Chromium: a sweep with a hyperparameter axis (SP and muP of an output
// multiplier at one LR) draws one plot per HP per run (loss against log2 value, a curve per width, optima marked),
// leaves out the LR plot of a one-LR grid, compares the shifts, and the transfer section: the button posts
// `panel/transfer`, and the transfer's report (table, verification curves) is drawn. Needs `npm run build`.
// Writes test-results/screenshots/webview-hp-sweep.png (light) to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hpResults } from '../../../src/host/sweep';
import type { SweepRun, TransferView } from '../../../src/protocol/webview';
import { analyzeTrials } from '../../../src/sweep/optimum';
import { composeTransferFile, tunedAt, type TransferJobResult, type TransferReport } from '../../../src/sweep/transfer';
import { transferAxes } from '../../../src/sweep/transferAxes';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';
import { CHROMIUM, deliver, launchChromium, openPage } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-hp-'));
let browser: Browser;

const WIDTHS = [64, 256, 1024];
const ALPHAS = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((a) => 2 ** a);
const hps = [{ name: 'outputMult', values: ALPHAS }];

/** SP: the best multiplier halves twice per 4x width (2^0, 2^-2, 2^-4); muP: it stays at 2^0. Large ones diverge in SP. */
function run(p: 'sp' | 'mup'): { run: SweepRun; report: SweepReport } {
  const trials: SweepTrial[] = [];
  for (const width of WIDTHS) for (const a of ALPHAS) {
    const best = p === 'sp' ? -Math.log2(width / 64) : 0;
    const l2 = Math.log2(a);
    const diverged = p === 'sp' && l2 >= 3 && width === 1024;
    trials.push({ width, lr: 2 ** -8, seed: 0, loss: diverged ? null : 0.7 - 0.01 * Math.log2(width / 64) + 0.02 * (l2 - best) ** 2, diverged, hp: { outputMult: a } });
  }
  const grid = { widths: WIDTHS, lrs: [2 ** -8], seeds: 1, hps };
  const a = analyzeTrials(trials, grid);
  const report = {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0, model: { file: 'examples/mlp/mup.ts', exportName: 'mlp' },
    parametrization: p, widths: WIDTHS, lrs: [2 ** -8], seeds: 1, steps: 200, baseWidth: 64, fittedShiftOctaves: a.fittedShiftOctaves, hps: hpResults(a, hps),
    everyAxisTransfers: a.everyAxisTransfers, recommended: null, backends: ['wasm'], data: null, ran: 27, missing: 0, complete: true, missingTrials: [], failed: 0,
    cancelled: false, workers: 2, shard: null, storeDir: `/ws/.mup/sweeps/mlp.${p}`, elapsedMs: 1, warnings: [],
  } satisfies SweepReport;
  return {
    report,
    run: {
      meta: { title: 'mlp', modelFile: 'examples/mlp/mup.ts', exportName: 'mlp', parametrization: p, widths: WIDTHS, lrs: [2 ** -8], seeds: 1, hps, storeDir: report.storeDir, group: 'mlp' },
      trials,
      result: report,
      status: 'done',
    },
  };
}

/** What the worker's transfer job reports for the muP MLP at width 1024 (base 64): three dense weights and biases. */
const FACTS: TransferJobResult = {
  baseShapes: { baseWidth: 64, deltaWidth: 128, params: [] },
  params: [
    { index: 0, name: 'input/kernel', layer: 'input', layerClass: 'Dense', kind: 'vector', shape: [32, 1024], baseShape: [32, 64], infDims: [false, true], widthMult: 16, fanInMult: 1, fanOutMult: 16, adamLrMult: 1, sgdLrMult: 16, baseStd: 0.177, targetStd: 0.176 },
    { index: 1, name: 'hidden1/kernel', layer: 'hidden1', layerClass: 'Dense', kind: 'matrix', shape: [1024, 1024], baseShape: [64, 64], infDims: [true, true], widthMult: 16, fanInMult: 16, fanOutMult: 16, adamLrMult: 1 / 16, sgdLrMult: 1, baseStd: 0.125, targetStd: 0.0313 },
    { index: 2, name: 'readout/kernel', layer: 'readout', layerClass: 'Dense', kind: 'vector', shape: [1024, 10], baseShape: [64, 10], infDims: [true, false], widthMult: 16, fanInMult: 16, fanOutMult: 1, adamLrMult: 1, sgdLrMult: 16, baseStd: 0, targetStd: 0 },
  ],
  readouts: [{ layer: 'readout', via: 'rescaling readout_scale', baseMult: 1, targetMult: 1 / 16, widthMult: 16 }],
};

const open = (): Promise<Page> => openPage(browser, root, dir, { height: 1500 });
const send = deliver;
const dataset = (page: Page, sel = '#app') => page.evaluate((s: string) => ({ ...document.querySelector(s).dataset }), sel) as Promise<Record<string, string>>;

describe('webview bundle: hyperparameter axes and the transfer', { skip: missing }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws one plot per HP per run, SP beside muP, optima and diverged cells marked; a one-LR grid has no LR plot', async () => {
    const page = await open();
    const sp = run('sp');
    const mup = run('mup');
    await send(page, { type: 'sweep/show', view: { kind: 'sweep', runs: [mup.run, sp.run], targetWidth: null } });
    const d = await dataset(page);
    assert.deepEqual([d.hpAxes, d.hpPlotCount, d.hpOptimumCount, d.lrPlotCount], ['outputMult', '2', '6', '0']);
    const secs = await page.locator('section.hp-run[data-axis="outputMult"]').evaluateAll((els: any[]) => els.map((e) => ({ ...e.dataset })));
    assert.deepEqual(secs.map((s: any) => [s.parametrization, s.seriesCount, s.optimumCount, s.divergedCount]), [['sp', '3', '3', '2'], ['mup', '3', '3', '0']]);
    assert.equal(await page.locator('section.hp-run figure.plot canvas').count(), 2);
    // The optima, as the tables under the plots give them: SP's moves from 2^0 to 2^-4, muP's stays at 2^0.
    const best = async (p: string) => page.locator(`section.hp-run[data-parametrization="${p}"] table.optima tbody tr td:nth-child(3)`).allInnerTexts();
    assert.deepEqual(await best('sp'), ['0.00', '-2.00', '-4.00']);
    assert.deepEqual(await best('mup'), ['0.00', '0.00', '0.00']);
    assert.match(await page.locator('.comparison').innerText(), /Best outputMult moves 4\.0 octaves across widths in SP and 0\.0 in muP\./);
    // The engine's verdict on the axis (issue 21): one seed, and SP's best at width 1024 is the grid's smallest value.
    assert.match(await page.locator('[data-hp-status="outputMult"]').first().innerText(), /SP: best outputMult moves 4\.0 octaves across widths: inconclusive/);
    // The plot's x axis is the multiplier on log2, its optimum markers where the engine put them.
    const xs = await page.evaluate(() => {
      const u = document.querySelector('figure[data-plot="sweep-mup-hp-outputMult"]').uplot;
      return { xs: [...u.data[0]], distr: u.scales.x.distr };
    });
    assert.deepEqual(xs, { xs: ALPHAS, distr: 3 });
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });

  it('"Transfer to a target…" posts panel/transfer; the transfer\'s table, verification curves, factors and warnings are drawn', async () => {
    const page = await open();
    const sp = run('sp');
    const mup = run('mup');
    await send(page, { type: 'sweep/show', view: { kind: 'sweep', runs: [sp.run, mup.run], targetWidth: 4096 } });
    assert.equal((await dataset(page)).transferStatus, 'none');
    await page.locator('button[data-action="transfer"]').click();
    await page.locator('button[data-action="transfer-verify"]').click();
    const posted = (await page.evaluate(() => window.__posted.slice())) as any[];
    assert.deepEqual(posted.filter((m) => m.type === 'panel/transfer').map((m) => [m.targetWidth, m.verify]), [[4096, false], [4096, true]]);

    await send(page, { type: 'sweep/transfer', transfer: { targetWidth: 4096, verify: true, status: 'running' } });
    assert.equal((await dataset(page)).transferStatus, 'running');
    assert.equal(await page.locator('button[data-action="transfer"]').isDisabled(), true, 'no second transfer while one runs');
    const tuned = tunedAt(mup.report, 1024)!;
    const file = composeTransferFile({ report: mup.report, modelSha256: 'abc', tuned, targetWidth: 4096, facts: FACTS, version: 'test' });
    const losses = (start: number, end: number) => Array.from({ length: 50 }, (_, i) => start + (end - start) * (i / 49));
    const report: TransferReport = {
      transfers: true, parametrization: 'mup', model: mup.report.model, store: mup.report.storeDir, targetWidth: 4096, baseWidth: 64, proxyWidth: 1024,
      showed: ['outputMult: best 2^0 at width 64, 2^0 at width 256, 2^0 at width 1024; moves 0 octaves: transfers'], refusal: null, tuned, file,
      written: '/ws/examples/mlp/mup.mlp.w4096.transfer.json', warnings: [],
      verify: {
        steps: 50, note: null,
        runs: [
          { label: 'muP, transferred', parametrization: 'mup', model: mup.report.model, width: 4096, lr: 2 ** -8, hp: { outputMult: 1 }, from: "the muP sweep's best at width 1024", losses: losses(2.3, 0.7), loss: 0.7, diverged: false },
          { label: "SP, the proxy's best", parametrization: 'sp', model: sp.report.model, width: 4096, lr: 2 ** -8, hp: { outputMult: 2 ** -4 }, from: "the SP sweep's best at width 1024", losses: losses(2.3, 0.9), loss: 0.9, diverged: false },
        ],
      },
    };
    const done: TransferView = { targetWidth: 4096, verify: true, status: 'done', report };
    await send(page, { type: 'sweep/transfer', transfer: done });
    const d = await dataset(page);
    assert.deepEqual([d.transferStatus, d.transferTransfers, d.transferRows, d.verifySeries], ['done', 'true', '3', '2']);
    const rows = await page.locator('table.transfer-table tbody tr').allInnerTexts();
    assert.match(rows[1]!, /hidden1\/kernel\s+hidden\s+1024x1024\s+16\s+0\.125 -> 0\.0313 \(muP 0\.0313\)\s+2\.44e-4 \(\/16\)\s+x1/);
    assert.match(await page.locator('section.transfer').innerText(), /wrote \/ws\/examples\/mlp\/mup\.mlp\.w4096\.transfer\.json/);
    assert.equal(await page.locator('figure[data-plot="transfer-verify"] canvas').count(), 1);
    assert.equal(d.transferFactors, '', 'a width-only transfer has no factor lines');

    // Issue 22: a target that differs in depth, batch and steps too: every factor with its source, and the warnings.
    const axes = transferAxes(mup.report, tuned.lr, 1024, 4096, { depth: 48, proxyDepth: 2, batch: 512, proxyBatch: 64, steps: 100000 });
    const file2 = composeTransferFile({ report: mup.report, modelSha256: 'abc', tuned, targetWidth: 4096, facts: FACTS, version: 'test', axes });
    const target = { depth: 48, proxyDepth: 2, batch: 512, proxyBatch: 64, steps: 100000 };
    await send(page, { type: 'sweep/transfer', transfer: { targetWidth: 4096, target, verify: false, status: 'done', report: { ...report, file: file2, verify: null, warnings: axes.axes.warnings } } });
    const d2 = await dataset(page);
    assert.deepEqual([d2.transferFactors, d2.transferWarnings], ['width,depth,batch,steps', '3']);
    assert.equal(await page.locator('section.transfer h3').first().innerText(), 'Transfer to width 4096, depth 48, batch 512, 100000 steps');
    const factor = (axis: string) => page.locator(`section.transfer ul.factors li[data-axis="${axis}"]`).innerText();
    assert.match(await factor('depth'), /^depth +x1 +depth 2 -> 48 \(x24\), alpha 1: .* \[CompleteP \(arXiv 2505\.01618\)\]$/);
    assert.match(await factor('batch'), /^batch +x2\.83 +batch 64 -> 512: Adam LR x sqrt\(B\/B_proxy\) = 2\.83 .*\[Malladi et al\. 2022 \(arXiv 2205\.10287\)\]$/);
    assert.match(await factor('steps'), /^steps +x1 \(n\/a\) steps 200 -> 100000: not measured: sweep the steps axis .*\[arXiv 2409\.19913\]$/);
    const warned = await page.locator('section.transfer li[data-warning]').allInnerTexts();
    assert.deepEqual(warned, [
      "warning: the target's depth (48) is 24x the largest depth the sweep trained (2): far outside what was measured, so its factor is an extrapolation",
      'warning: depth was not swept: the transfer across depth rests on the model implementing alpha 1; check it with mup-lens coord --depths',
      "warning: the target's steps (100000) is 500x the largest steps the sweep trained (200): far outside what was measured, so its factor is an extrapolation",
    ]);
    assert.deepEqual(await page.locator('section.transfer button[data-action]').allInnerTexts(), ['Transfer to a target…', 'Transfer and verify…']);
    assert.deepEqual((page as any).errors, []);
    const shots = join(root, 'test-results', 'screenshots');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'webview-hp-sweep.png'), fullPage: true });
    await page.close();
  });
});
