// The muP results panel: the host API the coordinate-check and sweep producers call, the "muP: Open Results"
// command, and the serializer that restores panels after a window reload. Plots are drawn in the webview
// (webview/); this side only holds data and carries out the webview's actions.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CoordResult } from '../coord/types';
import type { CoordMeta, PanelView, SweepMeta, SweepRun, SweepRunResult, SweepStatus, SweepView, TransferView } from '../protocol/webview';
import type { SweepTrial } from '../sweep/types';
import { PANEL_VIEW_TYPE, ResultsPanel, webviewOptions } from './resultsPanel';
import { listStoredRuns, loadStoredCoord, loadStoredSweep, loadStoredSweepRuns, StoredRunError, type StoredRunEntry } from './storedRuns';

export type { CoordMeta, SweepMeta, SweepStatus } from '../protocol/webview';

export interface SweepHandle {
  /** A finished trial; shown within ~100 ms (batched). */
  addTrial(trial: SweepTrial): void;
  /** The engine's final result (optima, shift, transfer; the engine's report also carries the width its
   *  recommended LR is for, the panel's default target width); also marks the run done. */
  setResult(result: SweepRunResult): void;
  /** `cancelled` / `failed` keep what is shown, with the message. */
  setStatus(status: SweepStatus, message?: string): void;
  /** True once the user closed the panel (further calls are ignored). */
  readonly disposed: boolean;
}

let ctx: { extensionUri: vscode.Uri; log: vscode.LogOutputChannel } | undefined;
const panels = new Map<string, ResultsPanel>();

function keyOf(view: PanelView): string {
  if (view.kind === 'coord') return `coord:${view.meta.modelFile}#${view.meta.exportName}:${view.meta.parametrization}`;
  const m = view.runs[0]?.meta;
  return `sweep:${m ? (m.group ?? `${m.modelFile}#${m.exportName}`) : 'empty'}`;
}

function context() {
  if (!ctx) throw new Error('muP panel: registerPanel() has not run (the extension is not activated)');
  return ctx;
}

function adopt(panel: vscode.WebviewPanel, view: PanelView): ResultsPanel {
  const c = context();
  const key = keyOf(view);
  const p = new ResultsPanel(panel, view, c.extensionUri, c.log, (gone) => {
    if (panels.get(key) === gone) panels.delete(key);
  });
  panels.set(key, p);
  return p;
}

function open(view: PanelView): ResultsPanel {
  const existing = panels.get(keyOf(view));
  if (existing && !existing.disposed) {
    existing.show(view);
    return existing;
  }
  const c = context();
  const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'muP results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(c.extensionUri));
  return adopt(panel, view);
}

/** Show a coordinate check (reuses the panel of the same model, export and parametrization). */
export function showCoordResult(result: CoordResult, meta: CoordMeta): void {
  open({ kind: 'coord', meta, result });
}

export interface ShowSweepOptions {
  /** The width the panel recommends an LR for at first (the setting mupLens.sweep.targetWidth, the width
   *  the engine is asked to recommend for); the user can type another. Absent: the panel's default (the
   *  engine's recorded target width once the run finishes, else the widest width swept). */
  targetWidth?: number;
}

/**
 * Open (or join) the sweep panel of this model and return a handle for live updates. A sweep of the other
 * parametrization of the same model file and export appears beside it (SP left, muP right); a rerun of the
 * same parametrization replaces its old run. `options.targetWidth` replaces the panel's target width; without
 * it, a joined panel keeps the one it had (e.g. typed by the user).
 */
export function showSweep(meta: SweepMeta, options: ShowSweepOptions = {}): SweepHandle {
  const run: SweepRun = { meta, trials: [], result: null, status: 'running' };
  const target = options.targetWidth !== undefined && Number.isInteger(options.targetWidth) && options.targetWidth > 0 ? options.targetWidth : null;
  const probe: SweepView = { kind: 'sweep', runs: [run], targetWidth: target };
  const existing = panels.get(keyOf(probe));
  let panel: ResultsPanel;
  if (existing && !existing.disposed && existing.view.kind === 'sweep') {
    const runs = existing.view.runs.filter((r) => r.meta.parametrization !== meta.parametrization).concat(run);
    existing.show({ kind: 'sweep', runs, targetWidth: target ?? existing.view.targetWidth });
    panel = existing;
  } else {
    panel = open(probe);
  }
  const p = meta.parametrization;
  const runOf = () => (panel.view.kind === 'sweep' ? panel.view.runs.find((r) => r.meta.parametrization === p) : undefined);
  return {
    addTrial: (trial) => panel.addTrial(p, trial),
    setResult: (result) => {
      const r = runOf();
      if (!r) return;
      panel.flush();
      r.result = result;
      r.status = 'done';
      r.message = undefined;
      panel.post({ type: 'sweep/result', parametrization: p, result });
      panel.post({ type: 'sweep/status', parametrization: p, status: 'done' });
    },
    setStatus: (status, message) => {
      const r = runOf();
      if (!r) return;
      panel.flush();
      r.status = status;
      r.message = message;
      panel.post({ type: 'sweep/status', parametrization: p, status, message });
    },
    get disposed() {
      return panel.disposed;
    },
  };
}

/**
 * Shows a transfer (running, then its report) in the sweep panel whose muP run is stored in `storeDir`; opens that
 * stored sweep in a panel when none shows it.
 */
export function showTransfer(storeDir: string, transfer: TransferView): void {
  const same = (d: string | undefined) => d !== undefined && path.resolve(d) === path.resolve(storeDir);
  let panel = [...panels.values()].find((p) => !p.disposed && p.view.kind === 'sweep' && p.view.runs.some((r) => same(r.meta.storeDir)));
  if (!panel) {
    const entry = entryForPath(storeDir) ?? { kind: 'sweep' as const, name: path.basename(storeDir), dir: storeDir, mtimeMs: 0 };
    const all = mupDirs().flatMap((d) => listStoredRuns(d));
    panel = open(loadStoredSweep(entry, all));
  }
  if (panel.view.kind !== 'sweep') return;
  panel.view.transfer = transfer;
  panel.post({ type: 'sweep/transfer', transfer });
  panel.panel.reveal(undefined, true);
}

function mupDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, '.mup'));
}

function describe(e: StoredRunEntry): vscode.QuickPickItem & { entry: StoredRunEntry } {
  return {
    label: `${e.kind === 'coord' ? '$(graph-line)' : '$(graph-scatter)'} ${e.name}`,
    description: e.kind === 'coord' ? 'coordinate check' : 'LR sweep',
    detail: `${vscode.workspace.asRelativePath(e.dir)} · ${new Date(e.mtimeMs).toLocaleString()}`,
    entry: e,
  };
}

/** A stored run folder (or a file in it) given directly: `.mup/coord/<name>` or `.mup/sweeps/<name>`. */
export function entryForPath(target: string): StoredRunEntry | null {
  let dir = path.resolve(target);
  if (/\.(json|jsonl)$/.test(dir)) dir = path.dirname(dir);
  const parent = path.basename(path.dirname(dir));
  const kind = parent === 'coord' ? 'coord' : parent === 'sweeps' ? 'sweep' : null;
  return kind ? { kind, name: path.basename(dir), dir, mtimeMs: 0 } : null;
}

/**
 * "muP: Open Results": pick a stored run under `.mup/` and show it. With a path (from another command or a
 * test: `executeCommand('mupLens.openResults', '/ws/.mup/sweeps/x')`), open that run without asking.
 */
export async function openStoredRuns(target?: unknown): Promise<void> {
  const dirs = mupDirs();
  const entries = dirs.flatMap((d) => listStoredRuns(d));
  let entry: StoredRunEntry | undefined;
  if (typeof target === 'string' && target) {
    entry = entryForPath(target) ?? undefined;
    if (!entry) {
      void vscode.window.showErrorMessage(`muP: ${target} is not a stored run (expected .mup/coord/<name> or .mup/sweeps/<name>).`);
      return;
    }
  } else {
    if (!dirs.length) {
      void vscode.window.showInformationMessage('muP: open a folder to see its stored runs (.mup/).');
      return;
    }
    if (!entries.length) {
      void vscode.window.showInformationMessage(
        'muP: no stored runs under .mup/ yet. Run "muP: Run Coordinate Check" or "muP: Run LR Sweep" (or the mup-lens CLI) first.',
      );
      return;
    }
    const pick = await vscode.window.showQuickPick(entries.map(describe), { title: 'muP: Open Results', placeHolder: 'A stored coordinate check or sweep', matchOnDetail: true });
    if (!pick) return;
    entry = pick.entry;
  }
  try {
    open(entry.kind === 'coord' ? loadStoredCoord(entry.dir, entry.name) : loadStoredSweep(entry, entries));
  } catch (e) {
    const message = e instanceof StoredRunError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    context().log.error(`open results: ${message}`);
    void vscode.window.showErrorMessage(`muP: cannot open ${entry.name}: ${message}`);
  }
}

/** What the open panels show, for host tests (`mupLens._panelState`, not in the palette). */
export function panelState(): Array<{ key: string; title: string; kind: PanelView['kind']; runs: number; trials: number }> {
  return [...panels.entries()].map(([key, p]) => ({
    key,
    title: p.panel.title,
    kind: p.view.kind,
    runs: p.view.kind === 'sweep' ? p.view.runs.length : 1,
    trials: p.view.kind === 'sweep' ? p.view.runs.reduce((a, r) => a + r.trials.length, 0) : p.view.result.records.length,
  }));
}

/** A restored sweep that was still running when the window reloaded: its worker is gone; re-read the store. */
export function restoredView(state: unknown): PanelView | null {
  const view = (state as { view?: PanelView } | undefined)?.view;
  if (!view || (view.kind !== 'coord' && view.kind !== 'sweep')) return null;
  if (view.kind === 'sweep') {
    view.runs = view.runs.map((r) => {
      if (r.status !== 'running') return r;
      let trials = r.trials;
      if (r.meta.storeDir) {
        try {
          trials = loadStoredSweepRuns(r.meta.storeDir, path.basename(r.meta.storeDir)).find((x) => x.meta.parametrization === r.meta.parametrization)?.trials ?? trials;
        } catch {
          // keep what the webview had
        }
      }
      return { ...r, trials, status: 'interrupted', message: 'the window reloaded while the sweep ran' };
    });
    if (view.transfer?.status === 'running') view.transfer = { ...view.transfer, status: 'failed', message: 'the window reloaded while the transfer ran; run it again' };
  }
  return view;
}

export function registerPanel(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  ctx = { extensionUri: context.extensionUri, log };
  context.subscriptions.push(
    vscode.commands.registerCommand('mupLens.openResults', (target?: unknown) => openStoredRuns(target)),
    vscode.commands.registerCommand('mupLens._panelState', () => panelState()),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const view = restoredView(state);
        if (!view) {
          panel.dispose();
          return;
        }
        adopt(panel, view);
      },
    }),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  );
}
