// The built webview bundle in headless Chromium (no VS Code): what it draws and what it posts back when the
// user clicks. Uses dist/webview.js, so `npm run build` first (npm test does).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { CoordView, HostMessage } from '../../../src/protocol/webview';
import { coordFixture, MUP_SWEEP, range, SP_LAWS, SP_SWEEP, sweepRun, sweepTrials, sweepView } from './fixtures';
import { pageHtml } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-'));
let browser: Browser;

async function open(theme: 'light' | 'dark' = 'light', initialState?: unknown): Promise<Page> {
  const file = join(dir, `page-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(file, pageHtml(root, theme, initialState));
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as any).errors = errors;
  await page.goto(`file://${file}`);
  return page;
}

/** Deliver a host message; for those that redraw, wait until the webview has rendered (live updates
 *  render on the next animation frame), never a fixed sleep. */
async function send(page: Page, msg: HostMessage): Promise<void> {
  const before = await page.evaluate((m: any) => {
    const count = Number(document.getElementById('app').dataset.renderCount);
    window.dispatchEvent(new MessageEvent('message', { data: m }));
    return count;
  }, msg as any);
  if (msg.type !== 'panel/response') {
    await page.waitForFunction((c: number) => Number(document.getElementById('app').dataset.renderCount) > c, before, { timeout: 10_000 });
  }
}
const posted = (page: Page) => page.evaluate(() => window.__posted.slice()) as Promise<any[]>;
const dataset = (page: Page, sel = '#app') => page.evaluate((s: string) => ({ ...document.querySelector(s).dataset }), sel) as Promise<Record<string, string>>;

const coordView: CoordView = {
  kind: 'coord',
  meta: { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'sp' },
  result: coordFixture(SP_LAWS),
};

describe('webview bundle', { skip: missing }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
    await send(page, { type: 'sweep/show', view: sweepView([sweepRun('mup', sweepTrials(MUP_SWEEP, widths, lrs, 2)), sweepRun('sp', sweepTrials(SP_SWEEP, widths, lrs, 2))]) });
    const order = await page.locator('section.sweep-run').evaluateAll((els: any[]) => els.map((e) => e.dataset.parametrization));
    assert.deepEqual(order, ['sp', 'mup']);
    assert.equal((await dataset(page)).optimumCount, '6');
    assert.match(await page.locator('.comparison').innerText(), /moves 2\.0 octaves across widths in SP and 0\.0 in muP/);
    const lrAt = async (p: string) => Number(await page.locator(`.rec[data-parametrization="${p}"]`).getAttribute('data-lr'));
    const spBefore = await lrAt('sp');
    assert.equal(Math.round(Math.log2(await lrAt('mup'))), -7);
    await page.locator('#target-width').fill('4096');
    await page.locator('#target-width').dispatchEvent('change');
    assert.equal(Math.round(Math.log2(await lrAt('sp'))), Math.round(Math.log2(spBefore)) - 2, 'SP: two more doublings, two octaves lower');
    assert.equal(Math.round(Math.log2(await lrAt('mup'))), -7, 'muP: unchanged');
    await page.locator('.rec[data-parametrization="mup"] button[data-action="copy"]').click();
    const msgs = await posted(page);
    assert.equal(msgs.find((m) => m.type === 'panel/state').view.targetWidth, 4096);
    assert.equal(msgs.find((m) => m.type === 'panel/copy')?.text, (await lrAt('mup')).toPrecision(3), JSON.stringify(msgs.map((m) => m.type)));
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
