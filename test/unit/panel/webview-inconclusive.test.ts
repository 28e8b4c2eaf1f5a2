// The built webview bundle in headless Chromium (issue 21 in the editor): a finished muP sweep whose verdict the
// engine calls inconclusive (one seed) says "inconclusive" with the engine's reason and what would settle it in the
// editor's words (the `mupLens.sweep.seeds` setting, never the CLI's `--seeds`), and disables Copy, Write to
// settings and both Transfer buttons with a tooltip saying why; the same sweep with three seeds is judged and its
// actions are enabled. Needs `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SweepRun } from '../../../src/protocol/webview';
import { analyzeTrials } from '../../../src/sweep/optimum';
import type { SweepReport } from '../../../src/sweep/types';
import { MUP_SWEEP, range, sweepTrials } from './fixtures';
import { CHROMIUM, deliver, launchChromium, openPage } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-unsure-'));
let browser: Browser;

const WIDTHS = [64, 128, 256];
const LRS = range(-12, -2).map((l) => 2 ** l);

/** A finished muP LR sweep as the engine reports it, its verdict, reasons and settle from the engine's own analysis. */
function muPRun(seeds: number): SweepRun {
  const trials = sweepTrials(MUP_SWEEP, WIDTHS, range(-12, -2), seeds);
  const grid = { widths: WIDTHS, lrs: LRS, seeds, hps: [] };
  const a = analyzeTrials(trials, grid);
  const report = {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0, model: { file: 'examples/mlp.ts', exportName: 'mlp' },
    parametrization: 'mup', widths: WIDTHS, lrs: LRS, seeds, steps: 100, baseWidth: 64, fittedShiftOctaves: a.fittedShiftOctaves,
    everyAxisTransfers: a.everyAxisTransfers, recommended: null, backends: ['wasm'], data: null, ran: trials.length, missing: 0, complete: true, missingTrials: [], failed: 0,
    cancelled: false, workers: 2, shard: null, storeDir: '/ws/.mup/sweeps/mlp.mup', elapsedMs: 1, warnings: [],
    verdict: a.verdict, lrVerdict: a.lrVerdict, shiftInterval: a.shiftInterval, reasons: a.reasons, settle: a.settle,
  } satisfies SweepReport;
  return {
    meta: { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'mup', widths: WIDTHS, lrs: LRS, seeds, storeDir: report.storeDir, group: 'mlp' },
    trials,
    result: report,
    status: 'done',
  };
}

const ACTIONS = ['copy', 'write-setting', 'transfer', 'transfer-verify'];
const actions = (page: Page) =>
  page.evaluate((names: string[]) => names.map((n) => {
    const b = document.querySelector(`button[data-action="${n}"]`);
    return { name: n, disabled: b?.disabled ?? null, title: b?.getAttribute('title') ?? '' };
  }), ACTIONS) as Promise<Array<{ name: string; disabled: boolean | null; title: string }>>;

describe('webview bundle: an inconclusive sweep verdict', { skip: missing }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one seed: says inconclusive, why, and the setting that settles it; Copy, Write and Transfer are disabled with the reason', async () => {
    const run = muPRun(1);
    assert.equal(run.result!.verdict, 'inconclusive', 'the engine calls a one-seed sweep inconclusive');
    const page = await openPage(browser, root, dir, { height: 1500 });
    await deliver(page, { type: 'sweep/show', view: { kind: 'sweep', runs: [run], targetWidth: 1024 } });
    const verdict = await page.locator('[data-inconclusive-of="mup"]').innerText();
    assert.match(verdict, /^muP: inconclusive: /);
    assert.match(verdict, /one seed: nothing says how much of the shift is noise/);
    assert.match(verdict, /To settle it: add seeds \(set mupLens\.sweep\.seeds to 3\)/);
    assert.doesNotMatch(verdict, /--seeds/);
    const panelText = await page.locator('#app').innerText();
    assert.doesNotMatch(panelText, /the optimum transfers/, 'no claim that the optimum transfers');
    assert.doesNotMatch(panelText, /--seeds|--lr-range|--refine/, 'no CLI flag in the panel');
    for (const a of await actions(page)) {
      assert.equal(a.disabled, true, `${a.name} is disabled`);
      assert.match(a.title, /^Not available: the muP sweep is inconclusive: one seed.*mupLens\.sweep\.seeds/, `${a.name}'s tooltip says why`);
    }
    assert.equal(await page.locator('.rec[data-inconclusive="true"] .badge.inconclusive').innerText(), 'inconclusive');
    assert.match(await page.locator('.rec .hint').innerText(), /^Not a recommendation: .*may not hold at width 1024/);
    assert.match(await page.locator('section.transfer .hint').innerText(), /^Not available: the muP sweep is inconclusive/);
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });

  it('three seeds: the engine judges it, nothing says inconclusive, and the actions are enabled', async () => {
    const run = muPRun(3);
    assert.equal(run.result!.verdict, 'transfers');
    const page = await openPage(browser, root, dir, { height: 1500 });
    await deliver(page, { type: 'sweep/show', view: { kind: 'sweep', runs: [run], targetWidth: 1024 } });
    assert.equal(await page.locator('[data-inconclusive-of]').count(), 0);
    assert.doesNotMatch(await page.locator('#app').innerText(), /inconclusive/);
    for (const a of await actions(page)) assert.equal(a.disabled, false, `${a.name} is enabled`);
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });
});
