// A plain page that loads the built webview bundle (dist/webview.js + .css) with a stub acquireVsCodeApi
// and a VS Code theme's CSS variables, and headless Chromium to show it in: used by bench/render.ts and the
// test/unit/panel/webview*.test.ts files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { HostMessage } from '../../../src/protocol/webview';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium as the tests and benches run it: no GPU, no sandbox, nothing reaching Google's hosts. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh page on `pageHtml` (written into `dir`); uncaught page errors are collected in `page.errors`. */
export async function openPage(
  browser: Browser,
  root: string,
  dir: string,
  opts: { theme?: keyof typeof THEMES; initialState?: unknown; height?: number } = {},
): Promise<Page> {
  const file = join(dir, `page-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(file, pageHtml(root, opts.theme ?? 'light', opts.initialState));
  const page = await browser.newPage({ viewport: { width: 1300, height: opts.height ?? 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as any).errors = errors;
  await page.goto(`file://${file}`);
  return page;
}

/** Deliver a host message; for those that redraw, wait until the webview has rendered (live updates
 *  render on the next animation frame), never a fixed sleep. */
export async function deliver(page: Page, msg: HostMessage): Promise<void> {
  const before = await page.evaluate((m: any) => {
    const count = Number(document.getElementById('app').dataset.renderCount);
    window.dispatchEvent(new MessageEvent('message', { data: m }));
    return count;
  }, msg as any);
  if (msg.type !== 'panel/response') {
    await page.waitForFunction((c: number) => Number(document.getElementById('app').dataset.renderCount) > c, before, { timeout: 10_000 });
  }
}

export const THEMES = {
  light: {
    cls: 'vscode-light',
    vars: {
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
      '--vscode-descriptionForeground': '#717171', '--vscode-panel-border': '#e5e5e5', '--vscode-editorWidget-border': '#c8c8c8',
      '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-focusBorder': '#005fb8',
      '--vscode-errorForeground': '#f85149', '--vscode-editorError-foreground': '#e51400', '--vscode-testing-iconPassed': '#388a34',
      '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    },
  },
  dark: {
    cls: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc', '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-panel-border': '#2b2b2b', '--vscode-editorWidget-border': '#454545',
      '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-focusBorder': '#0078d4',
      '--vscode-errorForeground': '#f85149', '--vscode-editorError-foreground': '#f14c4c', '--vscode-testing-iconPassed': '#73c991',
      '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    },
  },
} as const;

/** `initialState`: what getState() returns at start, as after a window reload. */
export function pageHtml(root: string, theme: keyof typeof THEMES, initialState?: unknown): string {
  const dist = join(root, 'dist');
  const t = THEMES[theme];
  const vars = Object.entries(t.vars).map(([k, v]) => `${k}: ${v};`).join(' ');
  // The stub stands in for VS Code's webview API: it records what the webview posts and keeps its state.
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${dist}/webview.css">
<style>html { ${vars} } #baseline { position: absolute; left: -5000px; }</style>
<script>
  window.__posted = []; window.__state = ${initialState === undefined ? 'undefined' : JSON.stringify(initialState).replace(/</g, '\\u003c')};
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; },
  });
</script>
<script src="file://${root}/node_modules/uplot/dist/uPlot.iife.min.js"></script>
</head><body class="${t.cls}"><main id="app"></main><p id="status-line" role="status"></p><div id="baseline"></div>
<script src="file://${dist}/webview.js"></script></body></html>`;
}

/** Dispatch a host message the way VS Code delivers it (a window 'message' event) and time the render. */
