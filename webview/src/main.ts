// Entry of the muP panel's webview bundle (dist/webview.js). Restores the last view from getState() at
// once (window reload), posts `panel/ready`, then renders whatever the host sends. No remote loads.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type uPlot from 'uplot';
import type { HostMessage, PanelView, SweepRun, SweepView } from '../../src/protocol/webview';
import { setOverlay, setRerender, themeColors, userYZoom, userZoom } from './chart';
import { coordModel } from '../../src/plot/coordModel';
import type { PlotSpec } from '../../src/plot/plotSpec';
import { sweepModel } from '../../src/plot/sweepModel';
import { renderCoord } from './coordView';
import { el } from './dom';
import { loadState, post, saveState, settleResponse } from './host';
import type { ThemeKind } from '../../src/plot/colors';
import { renderSweep } from './sweepView';

let view: PanelView | null = loadState().view;
let charts: uPlot[] = [];
let pendingFrame = 0;
/** Renders so far, on the root as data-render-count (tests wait on it). */
let renderCount = 0;
/** The width the current render was laid out for; the ResizeObserver re-renders only when it changes. */
let lastWidth = 0;
/** A part of the view to scroll to after the next render (a transfer's result), then forgotten. */
let scrollAfterRender: string | null = null;

function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-dark') ? 'dark' : 'light';
}

/** Render now (a whole view arrived) — synchronous so that the time to draw is the time of this call. */
let colorCache: { theme: string; colors: ReturnType<typeof themeColors> } | undefined;

/** Theme colours for the canvases; getComputedStyle is read once per theme, not per render. */
function colors(): ReturnType<typeof themeColors> {
  const theme = document.body.className;
  if (colorCache?.theme !== theme) colorCache = { theme, colors: themeColors() };
  return colorCache.colors;
}

/** The focused control (and a half-typed value) survive a re-render, e.g. when live trials arrive. */
function captureFocus(): (() => void) | undefined {
  const active = document.activeElement as HTMLElement | null;
  const key = active?.dataset?.focusKey;
  if (!active || !key) return undefined;
  const value = active instanceof HTMLInputElement ? active.value : undefined;
  return () => {
    const again = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (!again) return;
    if (value !== undefined && again instanceof HTMLInputElement) again.value = value;
    again.focus({ preventScroll: true });
  };
}

function render(): void {
  const restoreFocus = captureFocus();
  const app = document.getElementById('app')!;
  // Read the width before the DOM changes: reading it mid-build would force an extra layout.
  const width = app.clientWidth;
  for (const c of charts) c.destroy();
  charts = [];
  app.replaceChildren();
  for (const k of Object.keys(app.dataset)) delete app.dataset[k];
  if (!view) {
    app.dataset.view = 'empty';
    app.append(el('p', { class: 'hint', text: 'Waiting for results… Run "muP: Run Coordinate Check" or "muP: Run LR Sweep", or "muP: Open Results".' }));
  } else if (view.kind === 'coord') {
    charts = renderCoord(app, view, colors(), width);
  } else {
    const sweep = view;
    charts = renderSweep(app, sweep, colors(), themeKind(), width, (w) => {
      sweep.targetWidth = w;
      persist();
    });
  }
  restoreFocus?.();
  if (scrollAfterRender) {
    document.querySelector(scrollAfterRender)?.scrollIntoView({ block: 'start' });
    scrollAfterRender = null;
  }
  app.dataset.renderCount = String(++renderCount);
  // The width the plots were laid out for (tests wait until it is the panel's width).
  app.dataset.layoutWidth = String(width);
  lastWidth = width;
}

/** Live updates (trials arriving) coalesce into one render per frame. */
function scheduleRender(): void {
  if (pendingFrame) return;
  pendingFrame = requestAnimationFrame(() => {
    pendingFrame = 0;
    render();
  });
}

function persist(toHost = true): void {
  saveState({ view });
  if (toHost && view) post({ type: 'panel/state', view });
}

/** What a zoom is made on: a coordinate check's result, or a sweep's planned grid. */
function gridKey(v: PanelView | null): string {
  if (!v) return '';
  if (v.kind === 'coord') return `coord ${v.meta.modelFile}#${v.meta.exportName} ${v.result.widths.join(',')} ${v.result.steps}`;
  const grids = new Set(v.runs.map((r) => `${r.meta.modelFile}#${r.meta.exportName} ${r.meta.widths?.join(',') ?? ''} ${r.meta.lrs?.join(',') ?? ''}`));
  return `sweep ${[...grids].sort().join(' | ')}`;
}

function sweepRun(p: SweepRun['meta']['parametrization']): SweepRun | undefined {
  return view && view.kind === 'sweep' ? (view as SweepView).runs.find((r) => r.meta.parametrization === p) : undefined;
}

function onMessage(msg: HostMessage): void {
  switch (msg.type) {
    case 'coord/show':
    case 'sweep/show':
      // A zoom belongs to the data it was made on: a new check, or a sweep over another grid, starts unzoomed
      // (a sweep shown again with the same grid, e.g. when its muP half starts, keeps it).
      if (gridKey(msg.view) !== gridKey(view)) {
        userZoom.clear();
        userYZoom.clear();
      }
      view = msg.view;
      saveState({ view });
      render();
      return;
    case 'sweep/trials': {
      const run = sweepRun(msg.parametrization);
      if (!run) return;
      run.trials.push(...msg.trials);
      saveState({ view });
      scheduleRender();
      return;
    }
    case 'sweep/result': {
      const run = sweepRun(msg.parametrization);
      if (!run) return;
      run.result = msg.result;
      saveState({ view });
      scheduleRender();
      return;
    }
    case 'sweep/status': {
      const run = sweepRun(msg.parametrization);
      if (!run) return;
      run.status = msg.status;
      run.message = msg.message;
      saveState({ view });
      scheduleRender();
      return;
    }
    case 'sweep/transfer':
      if (!view || view.kind !== 'sweep') return;
      view.transfer = msg.transfer;
      saveState({ view });
      // The user asked for it (a button at the bottom of a long view): bring its result into view once drawn.
      scrollAfterRender = 'section.transfer';
      scheduleRender();
      return;
    case 'panel/response':
      settleResponse(msg);
      return;
    case 'panel/overlay': {
      // A stored run drawn dashed over the plots with the same id (the same step t, or the same parametrization).
      if (!msg.overlay) setOverlay(null);
      else {
        const o = msg.overlay.view;
        const specs: PlotSpec[] = o.kind === 'coord' ? coordModel(o.result, o.meta).plots : sweepModel(o, themeKind()).runs.flatMap((r) => [r.plot, ...r.hpAxes.map((h) => h.plot)]);
        setOverlay({ label: msg.overlay.label, specs: new Map(specs.map((p) => [p.id, p])) });
      }
      render();
      return;
    }
    default: {
      const never: never = msg;
      console.warn('muP panel: unknown message', never);
    }
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = e.data as HostMessage;
  if (msg && typeof msg === 'object' && typeof msg.type === 'string') onMessage(msg);
});

// Canvas colours come from the theme's CSS variables: redraw when VS Code switches theme (body class).
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Re-layout on resize (debounced): plot widths follow the panel's width. Any narrowing re-lays out (a row
// laid out for a wider panel would overflow and wrap, e.g. when a vertical scrollbar appears); widening by
// a few pixels does not.
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  const w = document.getElementById('app')?.clientWidth ?? 0;
  if (w === lastWidth || (w > lastWidth && w - lastWidth < 8)) return;
  lastWidth = w;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(render, 120);
}).observe(document.getElementById('app')!);

// A chart's own controls (Log y, Reset zoom) redraw every chart, keeping focus on the control.
setRerender(render);
render();
post({ type: 'panel/ready' });
