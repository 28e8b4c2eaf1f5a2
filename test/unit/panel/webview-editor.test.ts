// The panel as a user of TensorBoard / Optuna / W&B expects it (issue 23.2, 23.5, 23.6), in headless Chromium on
// the built bundle: a running sweep's values are provisional and its actions disabled until the grid is complete;
// a hover readout of (series, x, y); Log y; box zoom and reset; PNG exports at print resolution; at a 650 px panel
// no two tick labels overlap. Screenshots go to test-results/screenshots/webview-editor-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { CoordView, SweepRunResult } from '../../../src/protocol/webview';
import { coordFixture, MUP_LAWS, MUP_SWEEP, range, SP_LAWS, sweepRun, sweepTrials, sweepView } from './fixtures';
import { CHROMIUM, deliver, launchChromium, openPage } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const shots = join(root, 'test-results', 'screenshots');
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-ed-'));
let browser: Browser;

const widths = [64, 128, 256];
const lrs = range(-14, -4);
const all = sweepTrials(MUP_SWEEP, widths, lrs, 1);
const coordView: CoordView = { kind: 'coord', meta: { title: 'mlp', modelFile: 'examples/mlp/sp.ts', exportName: 'mlp', parametrization: 'sp' }, result: coordFixture(SP_LAWS) };

async function open(width = 1300): Promise<Page> {
  const page = await openPage(browser, root, dir, { theme: 'light' });
  if (width !== 1300) await page.setViewportSize({ width, height: 900 });
  return page;
}

/** Overlapping neighbours among a figure's painted tick labels ([label, from, to] in CSS px along the axis). */
async function collisions(page: Page): Promise<string[]> {
  const figs = await page.locator('figure.plot').evaluateAll((els: any[]) => els.map((e) => ({ id: e.dataset.plot, x: e.dataset.xTicks, y: e.dataset.yTicks })));
  const out: string[] = [];
  for (const f of figs) {
    for (const [axis, json] of [['x', f.x], ['y', f.y]] as const) {
      const boxes = (JSON.parse(json ?? '[]') as Array<[string, number, number]>).sort((a, b) => a[1] - b[1]);
      assert.ok(axis === 'y' || boxes.length >= 2, `${f.id}: at least two x tick labels (${json})`);
      for (let i = 1; i < boxes.length; i++) if (boxes[i]![1] < boxes[i - 1]![2] + 2) out.push(`${f.id} ${axis}: "${boxes[i - 1]![0]}" and "${boxes[i]![0]}"`);
    }
  }
  return out;
}

describe('webview: provisional sweeps, plot interaction, narrow panels', { skip: missing }, () => {
  before(async () => {
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a running sweep shows its values as provisional with Copy, Write and Transfer disabled; the final state enables them', async () => {
    const page = await open();
    await deliver(page, { type: 'sweep/show', view: sweepView([sweepRun('mup', all.slice(0, 2), { meta: { title: 'mlp', modelFile: 'examples/mlp/mup.ts', exportName: 'mlp', parametrization: 'mup', widths, lrs: lrs.map((l) => 2 ** l), seeds: 1, storeDir: '/tmp/x' } })]) });
    // 2 of 33 trials: no width has its whole LR row, so there is no LR to show, even provisionally.
    assert.match(await page.locator('.recommendations').innerText(), /muP: no width has finished its LR row yet \(2 of 33 trials so far\)/);
    assert.equal(await page.locator('button[data-action="copy"]').count(), 0);
    for (const a of ['transfer', 'transfer-verify']) assert.equal(await page.locator(`button[data-action="${a}"]`).isDisabled(), true, `${a} disabled mid-sweep`);
    // 13 of 33: width 64 is complete; its optimum is shown, marked provisional, and nothing acts on it.
    await deliver(page, { type: 'sweep/trials', parametrization: 'mup', trials: all.slice(2, 13) });
    const rec = page.locator('.rec[data-parametrization="mup"]');
    assert.equal(await rec.getAttribute('data-provisional'), 'true');
    assert.match(await rec.innerText(), /provisional[\s\S]*muP: lr = 0\.007\d+ \(2\^-7(\.0\d)?\) at width 256 so far/);
    assert.match(await rec.innerText(), /Available when the sweep has finished \(13 of 33 trials so far\)/);
    for (const a of ['copy', 'write-setting', 'transfer', 'transfer-verify']) assert.equal(await page.locator(`button[data-action="${a}"]`).isDisabled(), true, `${a} disabled mid-sweep`);
    const status = await page.locator('[data-status-of="mup"]').innerText();
    assert.match(status, /running: 13 \/ 33 trials.*provisional: nothing is concluded/s);
    assert.doesNotMatch(status, /transfers|does not transfer|optimum shift/, 'one complete width: no shift, no verdict');
    await page.screenshot({ path: join(shots, 'webview-editor-sweep-provisional.png'), fullPage: true });
    await deliver(page, { type: 'sweep/trials', parametrization: 'mup', trials: all.slice(13) });
    const result = { trials: all, optimum: widths.map((w) => ({ width: w, lr: 2 ** -7, loss: 0.5 })), shiftOctaves: 0, transfers: true, reused: 0, complete: true } as unknown as SweepRunResult;
    await deliver(page, { type: 'sweep/result', parametrization: 'mup', result });
    await deliver(page, { type: 'sweep/status', parametrization: 'mup', status: 'done' });
    assert.equal(await rec.getAttribute('data-provisional'), 'false');
    for (const a of ['copy', 'write-setting', 'transfer', 'transfer-verify']) assert.equal(await page.locator(`button[data-action="${a}"]`).isDisabled(), false, `${a} enabled when done`);
    assert.match(await page.locator('[data-status-of="mup"]').innerText(), /done: 33 trials.*transfers/s);
    await page.screenshot({ path: join(shots, 'webview-editor-sweep-final.png'), fullPage: true });
    await page.close();
  });

  it('hover reads out (series, x, y); Log y toggles the scale; a box drag zooms both axes and Reset restores them', async () => {
    const page = await open();
    await deliver(page, { type: 'coord/show', view: coordView });
    const fig = 'figure[data-plot="coord-t2"]';
    // The point of the widest width's first layer, in page pixels.
    const pt = await page.evaluate((sel: string) => {
      const f = document.querySelector(sel);
      const u = f.uplot;
      const r = u.over.getBoundingClientRect();
      const i = u.data[0].length - 1;
      return { x: r.left + u.valToPos(u.data[0][i], 'x'), y: r.top + u.valToPos(u.data[1][i], 'y'), want: { x: u.data[0][i], y: u.data[1][i], label: u.series[1].label } };
    }, fig);
    await page.mouse.move(pt.x - 4, pt.y);
    await page.mouse.move(pt.x, pt.y);
    const box = page.locator(`${fig} .readout`);
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await box.getAttribute('data-series'), pt.want.label);
    assert.equal(Number(await box.getAttribute('data-x')), pt.want.x);
    assert.equal(Number(await box.getAttribute('data-y')), pt.want.y);
    assert.match(await box.innerText(), new RegExp(`${pt.want.label}[\\s\\S]*1024[\\s\\S]*${String(Number(pt.want.y.toPrecision(4))).replace('.', '\\.')}`));
    await page.screenshot({ path: join(shots, 'webview-editor-hover.png'), clip: await page.locator(fig).boundingBox() as any });

    const yDistr = () => page.evaluate((sel: string) => document.querySelector(sel).uplot.scales.y.distr, fig);
    const before0 = await yDistr();
    await page.locator(`${fig} button[data-action="log-y"]`).click();
    assert.notEqual(await yDistr(), before0, 'Log y switched the scale');
    assert.equal(await page.locator(`${fig} button[data-action="log-y"]`).getAttribute('aria-pressed'), before0 === 3 ? 'false' : 'true');

    const scales = () => page.evaluate((sel: string) => { const s = document.querySelector(sel).uplot.scales; return { x: [s.x.min, s.x.max], y: [s.y.min, s.y.max] }; }, fig);
    const full = await scales();
    const over = (await page.locator(`${fig} .u-over`).boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.6, over.y + over.height * 0.7, { steps: 5 });
    await page.mouse.up();
    const zoomed = await scales();
    assert.ok(zoomed.x[0] > full.x[0] && zoomed.x[1] < full.x[1], `x zoomed: ${JSON.stringify(zoomed)} vs ${JSON.stringify(full)}`);
    assert.ok(zoomed.y[0] > full.y[0] && zoomed.y[1] < full.y[1], `y zoomed: ${JSON.stringify(zoomed)} vs ${JSON.stringify(full)}`);
    const reset = page.locator(`${fig} button[data-action="reset-zoom"]`);
    assert.equal(await reset.isDisabled(), false);
    await reset.click();
    const back = await scales();
    assert.deepEqual(back, full);
    await page.close();
  });

  it('overlays a stored run: the button asks the host, its lines are drawn dashed on the same plots, and it can be removed', async () => {
    const page = await open();
    await deliver(page, { type: 'coord/show', view: coordView });
    await page.locator('button[data-action="overlay"]').click();
    const asked = (await page.evaluate(() => window.__posted.filter((m: any) => m.type === 'panel/overlay'))) as any[];
    assert.equal(asked.length, 1);
    const stored: CoordView = { kind: 'coord', meta: { title: 'mlp', modelFile: 'examples/mlp/mup.ts', exportName: 'mlp', parametrization: 'mup' }, result: coordFixture(MUP_LAWS) };
    await deliver(page, { type: 'panel/overlay', overlay: { label: 'mlp · mup.ts', view: stored } });
    const fig = 'figure[data-plot="coord-t2"]';
    assert.equal(await page.locator(fig).getAttribute('data-overlay-series'), String(MUP_LAWS.length));
    const series = await page.evaluate((sel: string) => document.querySelector(sel).uplot.series.slice(1).map((s: any) => ({ label: s.label, dash: s.dash ?? null })), fig);
    assert.equal(series.length, SP_LAWS.length + MUP_LAWS.length);
    assert.ok(series.slice(SP_LAWS.length).every((s: any) => /\(stored\)$/.test(s.label) && Array.isArray(s.dash)), JSON.stringify(series));
    assert.ok(series.slice(0, SP_LAWS.length).every((s: any) => s.dash === null));
    assert.match(await page.locator('.overlay-label').innerText(), /dashed: mlp · mup\.ts/);
    await page.screenshot({ path: join(shots, 'webview-editor-overlay.png'), fullPage: true });
    await deliver(page, { type: 'panel/overlay', overlay: null });
    assert.equal(await page.locator(fig).getAttribute('data-overlay-series'), null);
    assert.equal(await page.locator('.overlay-label').count(), 0);
    await page.close();
  });

  it('exports PNG at print resolution (3x the plot size, whatever the panel width)', async () => {
    const page = await open(650);
    await deliver(page, { type: 'coord/show', view: coordView });
    await page.locator('button[data-export="png"]').click();
    await page.waitForFunction(() => window.__posted.some((m: any) => m.type === 'panel/export'), undefined, { timeout: 10_000 });
    const png = (await page.evaluate(() => window.__posted.find((m: any) => m.type === 'panel/export').data)) as string;
    const bytes = Buffer.from(png.replace(/^data:image\/png;base64,/, ''), 'base64');
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    const w = bytes.readUInt32BE(16);
    const h = bytes.readUInt32BE(20);
    assert.ok(w >= 3 * 420 && h >= 3 * 300, `print resolution, got ${w}x${h}`);
    await page.close();
  });

  it('at a 650 px panel no two tick labels overlap, the sweep tables are not clipped, and the layout is one column', async () => {
    const page = await open(650);
    await deliver(page, { type: 'coord/show', view: coordView });
    assert.deepEqual(await collisions(page), []);
    await page.screenshot({ path: join(shots, 'webview-editor-coord-650.png'), fullPage: true });
    await deliver(page, { type: 'sweep/show', view: sweepView([sweepRun('sp', sweepTrials(MUP_SWEEP, [64, 128, 256, 512, 1024], lrs, 1), { status: 'done' }), sweepRun('mup', all, { status: 'done' })]) });
    assert.deepEqual(await collisions(page), []);
    // No horizontal scrolling of the page, and every optimum table fits its section.
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: [...document.querySelectorAll('table.optima')].map((t: any) => t.scrollWidth - t.parentElement.clientWidth),
    }));
    assert.equal(overflow.page, 0);
    for (const t of overflow.tables) assert.ok(t <= 0, `a table is clipped by ${t} px`);
    await page.screenshot({ path: join(shots, 'webview-editor-sweep-650.png'), fullPage: true });
    // Narrower still (a third of a laptop screen, a phone-sized code-server), five-step checks: still no collision.
    const five = coordFixture(SP_LAWS.map((l) => ({ ...l, slopes: [...l.slopes, ...l.slopes].slice(0, 5) })), [64, 128, 256, 512, 1024, 2048, 4096]);
    for (const vw of [480, 360]) {
      await page.setViewportSize({ width: vw, height: 900 });
      await deliver(page, { type: 'coord/show', view: { ...coordView, result: five } });
      await page.waitForFunction((w: number) => Number(document.getElementById('app').dataset.layoutWidth) === document.getElementById('app').clientWidth && w > 0, vw, { timeout: 10_000 });
      assert.deepEqual(await collisions(page), [], `coord at ${vw} px`);
      await deliver(page, { type: 'sweep/show', view: sweepView([sweepRun('sp', sweepTrials(MUP_SWEEP, [64, 128], range(-20, -2), 1), { status: 'done' })]) });
      assert.deepEqual(await collisions(page), [], `sweep at ${vw} px`);
    }
    await page.close();
  });
});
