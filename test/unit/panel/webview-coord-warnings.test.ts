// The built webview bundle in headless Chromium: a coordinate check judged on fewer widths than asked for (the
// factory threw at width 256; see test/unit/coord/failed-width.test.ts) says which width failed and why, before the
// verdict it qualifies; a check without warnings shows no such list. Needs `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { CoordView } from '../../../src/protocol/webview';
import { coordFixture, SP_LAWS } from './fixtures';
import { CHROMIUM, deliver, launchChromium, openPage } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const root = join(__dirname, '..', '..', '..');
const missing = !existsSync(CHROMIUM) ? 'no Chromium at /usr/bin/chromium' : !existsSync(join(root, 'dist/webview.js')) ? 'dist/webview.js not built (npm run build)' : false;
const dir = mkdtempSync(join(tmpdir(), 'mup-webview-coordwarn-'));
let browser: Browser;

const FAILED = 'width 256 failed: mlp(256) threw: width 256 is more than this model supports (at most 128) (throws_wide.ts:6); judged on the 2 smaller widths';
const view = (warnings?: string[]): CoordView => ({
  kind: 'coord',
  meta: { title: 'mlp', modelFile: 'throws_wide.ts', exportName: 'mlp', parametrization: 'sp', ...(warnings ? { warnings } : {}) },
  result: coordFixture(SP_LAWS, [64, 128]),
});

describe('webview bundle: a coordinate check judged on the widths that finished', { skip: missing }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the failed width and the error before the verdict; none without warnings', async () => {
    const page = await openPage(browser, root, dir);
    await deliver(page, { type: 'coord/show', view: view([FAILED]) });
    const order = await page.evaluate(() => [...document.querySelectorAll('header > *')].map((e: any) => e.className));
    const list = order.indexOf('problems coord-warnings');
    assert.ok(list >= 0 && list < order.findIndex((c: string) => c.startsWith('verdict')), JSON.stringify(order));
    assert.deepEqual(await page.locator('.coord-warnings li').allInnerTexts(), [FAILED]);
    await deliver(page, { type: 'coord/show', view: view() });
    assert.equal(await page.locator('.coord-warnings').count(), 0);
    assert.deepEqual((page as any).errors, []);
    await page.close();
  });
});
