// The built webview bundle in headless Chromium (no VS Code): what it draws and what it posts back when the
// user clicks. Uses dist/webview.js, so `npm run build` first (npm test does).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { CoordView, SweepView } from '../../../src/protocol/webview';
import { coordFixture, MUP_SWEEP, range, SP_LAWS, SP_SWEEP, sweepRun, sweepTrials, sweepView } from './fixtures';
import { CHROMIUM, deliver, launchChromium, openPage } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-'));
let browser: Browser;

const open = (theme: 'light' | 'dark' = 'light', initialState?: unknown): Promise<Page> => openPage(browser, root, dir, { theme, initialState });
const send = deliver;
const posted = (page: Page) => page.evaluate(() => window.__posted.slice()) as Promise<any[]>;
const dataset = (page: Page, sel = '#app') => page.evaluate((s: string) => ({ ...document.querySelector(s).dataset }), sel) as Promise<Record<string, string>>;

const coordView: CoordView = {
  kind: 'coord',
  meta: { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'sp' },
  result: coordFixture(SP_LAWS),
};

describe('webview bundle', { skip: missing }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says ready first, then draws the coordinate check: a subplot per step, a line per layer, failing rows', async () => {
    const page = await open();
    assert.deepEqual((await posted(page)).map((m) => m.type), ['panel/ready']);
    await send(page, { type: 'coord/show', view: coordView });
    const d = await dataset(page);
    assert.deepEqual([d.view, d.plotCount, d.seriesCount, d.failingCount, d.verdict], ['coord', '3', '4', '3', 'fail']);
    assert.equal(await page.locator('figure.plot canvas').count(), 3);
    assert.equal(await page.locator('table.slopes tr.fail').count(), 3);
    assert.match(await page.locator('.verdict').innerText(), /Fail: worst: readout at t = 2/);
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });

  it('reveals a layer from its table row (click or Enter), its legend entry, and its line in the plot', async () => {
    const page = await open();
    await send(page, { type: 'coord/show', view: coordView });
    await page.locator('table.slopes tr[data-layer="dense_h2"]').click();
    await page.locator('table.slopes tr[data-layer="dense_in"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('.legend-item[data-layer="dense_h1"]').click();
    // the readout's last point in the t = 2 subplot, through uPlot's own data-to-pixel mapping
    const pt = await page.evaluate(() => {
      const fig = document.querySelector('figure[data-plot="coord-t2"]');
      const u = fig.uplot;
      const r = u.over.getBoundingClientRect();
      const i = u.data[0].length - 1;
      return { x: r.left + u.valToPos(u.data[0][i], 'x'), y: r.top + u.valToPos(u.data[4][i], 'y') };
    });
    await page.mouse.move(pt.x - 3, pt.y);
    await page.mouse.move(pt.x, pt.y);
    // uPlot focuses the nearest line on mousemove (possibly on the next frame): wait for it, then click
    await page.waitForFunction(() => document.querySelector('figure[data-plot="coord-t2"]').uplot.series[4]._focus === true, undefined, { timeout: 10_000 });
    await page.mouse.click(pt.x, pt.y);
    const reveals = (await posted(page)).filter((m) => m.type === 'panel/reveal');
    assert.deepEqual(reveals.map((m) => [m.layer, m.file, m.line]), [
      ['dense_h2', 'examples/mlp.ts', 14],
      ['dense_in', 'examples/mlp.ts', 12],
      ['dense_h1', 'examples/mlp.ts', 13],
      ['readout', 'examples/mlp.ts', 15],
    ]);
    await page.close();
  });

  it('exports PNG and SVG of the plots and shows the host answer', async () => {
    const page = await open();
    await send(page, { type: 'coord/show', view: coordView });
    await page.locator('button[data-export="png"]').click();
    await page.locator('button[data-export="svg"]').click();
    const ex = (await posted(page)).filter((m) => m.type === 'panel/export');
    assert.equal(ex[0].format, 'png');
    assert.match(ex[0].data, /^data:image\/png;base64,/);
    assert.ok(ex[0].data.length > 5000, 'a real image');
    assert.equal(ex[1].format, 'svg');
    assert.equal((ex[1].data.match(/<g data-plot=/g) ?? []).length, 3);
    assert.equal(ex[1].suggestedName, 'coord-mlp-sp.svg');
    await send(page, { type: 'panel/response', id: ex[1].id, ok: true, message: 'Saved coord-mlp-sp.svg.' });
    assert.equal(await page.locator('#status-line').innerText(), 'Saved coord-mlp-sp.svg.');
    await page.close();
  });

  it('draws a live sweep, adds trials as they arrive, and keeps a cancelled sweep', async () => {
    const page = await open('dark');
    const widths = [64, 128, 256];
    const lrs = range(-12, -2);
    const spAll = sweepTrials(SP_SWEEP, widths, lrs, 2);
    await send(page, { type: 'sweep/show', view: sweepView([sweepRun('sp', spAll.slice(0, 30))]) });
    let d = await dataset(page, 'section[data-parametrization="sp"]');
    assert.equal(d.trialCount, '30');
    assert.equal(d.seriesCount, '2'); // 30 trials = width 64 (22) + part of 128
    // the user hides width 64 and starts typing a target width; then trials arrive and the view redraws
    await page.locator('section[data-parametrization="sp"] .legend-item[data-width="64"]').click();
    await page.locator('#target-width').fill('300');
    await send(page, { type: 'sweep/trials', parametrization: 'sp', trials: spAll.slice(30) });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'target-width', 'focus kept');
    assert.equal(await page.locator('#target-width').inputValue(), '300', 'half-typed value kept');
    assert.equal(await page.locator('section[data-parametrization="sp"] .legend-item[data-width="64"]').getAttribute('aria-pressed'), 'false', 'hidden width stays hidden');
    d = await dataset(page, 'section[data-parametrization="sp"]');
    assert.deepEqual([d.trialCount, d.seriesCount, d.optimumCount, d.divergedCount], [String(spAll.length), '3', '3', String(spAll.filter((t) => t.diverged).length)]);
    await send(page, { type: 'sweep/status', parametrization: 'sp', status: 'cancelled', message: 'by the user' });
    assert.match(await page.locator('[data-status-of="sp"]').innerText(), /cancelled: by the user; showing the 66 stored trials/);
    assert.equal(await page.locator('figure.plot canvas').count(), 1);
    // the table alternative: one row per LR, "diverged" where the plot has a marker instead of a point
    await page.locator('section[data-parametrization="sp"] details summary').click();
    // the table is built on the details' toggle event, which the browser fires in a task after the click
    await page.locator('section[data-parametrization="sp"] table.data tbody tr').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('section[data-parametrization="sp"] table.data tbody tr').count(), lrs.length);
    const lastRow = await page.locator('section[data-parametrization="sp"] table.data tbody tr').last().innerText();
    assert.match(lastRow, /^0\.250 \(2\^-2\)\s+diverged\s+diverged\s+diverged$/);
    await page.close();
  });

  it('shows SP and muP side by side; the target width changes the recommendation; Copy posts the LR', async () => {
    const page = await open();
    const widths = [64, 128, 256];
    const lrs = range(-12, -2);
    // Finished runs (a running one's Copy is disabled: webview-editor.test.ts).
    await send(page, { type: 'sweep/show', view: sweepView([sweepRun('mup', sweepTrials(MUP_SWEEP, widths, lrs, 2), { status: 'done' }), sweepRun('sp', sweepTrials(SP_SWEEP, widths, lrs, 2), { status: 'done' })]) });
    const order = await page.locator('section.sweep-run').evaluateAll((els: any[]) => els.map((e) => e.dataset.parametrization));
    assert.deepEqual(order, ['sp', 'mup']);
    assert.equal((await dataset(page)).optimumCount, '6');
    assert.match(await page.locator('.comparison').innerText(), /moves 2\.0 octaves across widths in SP and 0\.0 in muP/);
    const lrAt = async (p: string) => Number(await page.locator(`.rec[data-parametrization="${p}"]`).getAttribute('data-lr'));
    // the default target is the widest width swept, as in `mup-lens sweep`
    assert.equal(await page.locator('#target-width').inputValue(), '256');
    assert.match(await page.locator('.rec[data-parametrization="sp"]').innerText(), /at width 256/);
    const spBefore = await lrAt('sp');
    assert.equal(Math.round(Math.log2(await lrAt('mup'))), -7);
    await page.locator('#target-width').fill('4096');
    await page.locator('#target-width').dispatchEvent('change');
    assert.equal(Math.round(Math.log2(await lrAt('sp'))), Math.round(Math.log2(spBefore)) - 4, 'SP: four more doublings, four octaves lower');
    assert.equal(Math.round(Math.log2(await lrAt('mup'))), -7, 'muP: unchanged');
    await page.locator('.rec[data-parametrization="mup"] button[data-action="copy"]').click();
    const msgs = await posted(page);
    assert.equal(msgs.find((m) => m.type === 'panel/state').view.targetWidth, 4096);
    assert.equal(msgs.find((m) => m.type === 'panel/copy')?.text, (await lrAt('mup')).toPrecision(3), JSON.stringify(msgs.map((m) => m.type)));
    await page.close();
  });

  it('fills each row of coordinate-check plots at any panel width, and never overflows the panel', async () => {
    // five steps: five subplots, the case where fixed breakpoints overflowed (1101-1164 px) or left half a row empty
    const laws = SP_LAWS.map((l) => ({ ...l, slopes: [...l.slopes, l.slopes[2], l.slopes[2]] }));
    const view: CoordView = { ...coordView, result: coordFixture(laws) };
    const page = await open();
    for (const vw of [430, 800, 1150, 1300]) {
      await page.setViewportSize({ width: vw, height: 900 });
      await send(page, { type: 'coord/show', view });
      // a vertical scrollbar may narrow the panel after the first layout: wait until the plots are laid out
      // for the width the panel has now
      await page.waitForFunction(() => {
        const app = document.getElementById('app');
        return Number(app.dataset.layoutWidth) === app.clientWidth && app.dataset.view === 'coord';
      }, undefined, { timeout: 10_000 });
      const rows = await page.evaluate(() => {
        const app = document.getElementById('app').getBoundingClientRect();
        const byRow = new Map<number, Array<{ left: number; right: number }>>();
        for (const f of document.querySelectorAll('figure.plot')) {
          const r = f.getBoundingClientRect();
          const top = Math.round(r.top);
          byRow.set(top, [...(byRow.get(top) ?? []), { left: r.left, right: r.right }]);
        }
        return { app: { left: app.left, right: app.right, width: app.width }, rows: [...byRow.values()] };
      });
      const cols = rows.rows.map((r) => r.length);
      assert.equal(cols.reduce((a, b) => a + b, 0), 5, `${vw}px: 5 plots`);
      for (const r of rows.rows) {
        const left = Math.min(...r.map((x) => x.left));
        const right = Math.max(...r.map((x) => x.right));
        assert.ok(left >= rows.app.left - 0.5 && right <= rows.app.right + 0.5, `${vw}px: row [${left}, ${right}] outside #app [${rows.app.left}, ${rows.app.right}]`);
        // a row uses most of the panel's width (a last, partial row excepted)
        if (r.length === cols[0]) assert.ok(right - left >= 0.95 * rows.app.width, `${vw}px: row of ${r.length} uses ${right - left} of ${rows.app.width}px`);
      }
      // every full row holds the same number of plots, and only the last may hold fewer
      assert.ok(cols.every((c, i) => c === cols[0] || (i === cols.length - 1 && c < cols[0])), `${vw}px: rows of ${cols.join(', ')}`);
      if (vw >= 1300) assert.deepEqual(cols, [5], '1300px: all five in one row');
      if (vw <= 430) assert.ok(cols.every((c) => c === 1), '430px: one plot per row, as wide as the panel');
    }
    // the sweep's SP | muP row follows the same rule: side by side when both fit at 340 px, each filling half
    const sweep = sweepView([sweepRun('mup', sweepTrials(MUP_SWEEP, [64, 128, 256], range(-12, -2), 1)), sweepRun('sp', sweepTrials(SP_SWEEP, [64, 128, 256], range(-12, -2), 1))]);
    for (const [vw, perRow] of [[430, 1], [800, 2]] as const) {
      await page.setViewportSize({ width: vw, height: 900 });
      await send(page, { type: 'sweep/show', view: sweep });
      await page.waitForFunction(() => {
        const app = document.getElementById('app');
        return Number(app.dataset.layoutWidth) === app.clientWidth && app.dataset.view === 'sweep';
      }, undefined, { timeout: 10_000 });
      const r = await page.evaluate(() => {
        const app = document.getElementById('app').getBoundingClientRect();
        const figs = [...document.querySelectorAll('section.sweep-run')].map((f: any) => f.getBoundingClientRect());
        return { app: { left: app.left, right: app.right, width: app.width }, figs: figs.map((f: any) => ({ left: f.left, right: f.right, top: Math.round(f.top) })) };
      });
      assert.equal(new Set(r.figs.map((f) => f.top)).size, 2 / perRow, `${vw}px: ${perRow} per row`);
      assert.ok(r.figs.every((f) => f.left >= r.app.left - 0.5 && f.right <= r.app.right + 0.5), `${vw}px: inside #app`);
      const used = Math.max(...r.figs.map((f) => f.right)) - Math.min(...r.figs.map((f) => f.left));
      assert.ok(used >= 0.95 * r.app.width, `${vw}px: the sweep row uses ${used} of ${r.app.width}px`);
    }
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });

  it("keeps the user's zoom of a sweep plot across live updates; a double-click forgets it", async () => {
    const page = await open();
    const widths = [64, 128, 256];
    const lrs = range(-12, -2);
    const spAll = sweepTrials(SP_SWEEP, widths, lrs, 1);
    const view: SweepView = sweepView([sweepRun('sp', spAll.slice(0, 20))]);
    view.runs[0].meta.widths = widths;
    view.runs[0].meta.lrs = lrs.map((l) => 2 ** l);
    await send(page, { type: 'sweep/show', view });
    const xScale = () => page.evaluate(() => {
      const u = document.querySelector('figure[data-plot="sweep-sp"]').uplot;
      return [u.scales.x.min, u.scales.x.max];
    }) as Promise<[number, number]>;
    const full = await xScale();
    assert.ok(Math.abs(Math.log2(full[0]) - (-12 - 0.35)) < 1e-6 && Math.abs(Math.log2(full[1]) - (-2 + 0.35)) < 1e-6, `full range 2^${full.map(Math.log2)}`);
    // drag across the middle of the plot (x only)
    const box = await page.evaluate(() => {
      const r = document.querySelector('figure[data-plot="sweep-sp"]').uplot.over.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
    await page.mouse.move(box.x + box.w * 0.3, box.y + box.h / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.w * 0.45, box.y + box.h / 2, { steps: 4 });
    await page.mouse.move(box.x + box.w * 0.6, box.y + box.h / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction((f: number[]) => document.querySelector('figure[data-plot="sweep-sp"]').uplot.scales.x.min > f[0] * 1.5, full, { timeout: 10_000 });
    const zoomed = await xScale();
    assert.ok(zoomed[0] > full[0] && zoomed[1] < full[1] && zoomed[1] - zoomed[0] < (full[1] - full[0]) / 2, `zoomed to 2^${zoomed.map(Math.log2)}`);
    const firstChart = await page.evaluate(() => (window.__firstChart = document.querySelector('figure[data-plot="sweep-sp"]').uplot) !== undefined);
    assert.ok(firstChart);

    // live trials redraw the panel: a new chart, at the user's zoom
    await send(page, { type: 'sweep/trials', parametrization: 'sp', trials: spAll.slice(20, 28) });
    assert.equal(await page.evaluate(() => document.querySelector('figure[data-plot="sweep-sp"]').uplot === window.__firstChart), false, 'a new chart');
    assert.equal((await dataset(page, 'section[data-parametrization="sp"]')).trialCount, '28');
    const after = await xScale();
    assert.ok(Math.abs(after[0] - zoomed[0]) < 1e-12 && Math.abs(after[1] - zoomed[1]) < 1e-12, `after the update 2^${after.map(Math.log2)}, zoomed 2^${zoomed.map(Math.log2)}`);

    // a double-click resets to the full range, and the next update keeps it full
    const over = await page.evaluate(() => {
      const r = document.querySelector('figure[data-plot="sweep-sp"]').uplot.over.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await page.mouse.dblclick(over.x, over.y);
    await page.waitForFunction((f: number[]) => Math.abs(document.querySelector('figure[data-plot="sweep-sp"]').uplot.scales.x.min - f[0]) < 1e-12, full, { timeout: 10_000 });
    await send(page, { type: 'sweep/trials', parametrization: 'sp', trials: spAll.slice(28) });
    assert.equal((await dataset(page, 'section[data-parametrization="sp"]')).trialCount, String(spAll.length));
    const reset = await xScale();
    assert.ok(Math.abs(reset[0] - full[0]) < 1e-12 && Math.abs(reset[1] - full[1]) < 1e-12, `after reset 2^${reset.map(Math.log2)}`);

    // zoom again; the muP half of the same grid joins the panel (a new view, same grid): the zoom stays
    await page.mouse.move(box.x + box.w * 0.3, box.y + box.h / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.w * 0.6, box.y + box.h / 2, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((f: number[]) => document.querySelector('figure[data-plot="sweep-sp"]').uplot.scales.x.min > f[0] * 1.5, full, { timeout: 10_000 });
    const zoomed2 = await xScale();
    const both: SweepView = sweepView([sweepRun('sp', spAll), sweepRun('mup', [])]);
    for (const r of both.runs) Object.assign(r.meta, { widths, lrs: lrs.map((l) => 2 ** l) });
    await send(page, { type: 'sweep/show', view: both });
    const kept = await xScale();
    assert.ok(Math.abs(kept[0] - zoomed2[0]) < 1e-12 && Math.abs(kept[1] - zoomed2[1]) < 1e-12, `same grid, new view: 2^${kept.map(Math.log2)}`);
    // a sweep over another LR grid starts unzoomed
    const other: SweepView = sweepView([sweepRun('sp', sweepTrials(SP_SWEEP, widths, range(-10, -4), 1))]);
    Object.assign(other.runs[0].meta, { widths, lrs: range(-10, -4).map((l) => 2 ** l) });
    await send(page, { type: 'sweep/show', view: other });
    const fresh = await xScale();
    assert.ok(Math.abs(Math.log2(fresh[0]) - (-10 - 0.35)) < 1e-6 && Math.abs(Math.log2(fresh[1]) - (-4 + 0.35)) < 1e-6, `another grid: 2^${fresh.map(Math.log2)}`);
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });

  it('draws the last view from its saved state at once after a reload, and redraws on a theme change', async () => {
    const page = await open('light', { view: coordView });
    const d = await dataset(page);
    assert.equal(d.view, 'coord');
    assert.equal(await page.locator('figure.plot canvas').count(), 3);
    const before = Number(d.renderCount);
    await page.evaluate(() => (document.body.className = 'vscode-high-contrast'));
    await page.waitForFunction((c: number) => Number(document.getElementById('app').dataset.renderCount) > c, before, { timeout: 10_000 });
    assert.equal(await page.locator('figure.plot canvas').count(), 3);
    await page.close();
  });
});
