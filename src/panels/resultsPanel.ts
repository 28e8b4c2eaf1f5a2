// One muP results panel (a webview): holds the view it shows, posts it after the webview's `panel/ready`,
// streams live sweep trials, and carries out the webview's actions (reveal a layer, save an export, copy,
// write a setting, transfer the tuned values to a width). Everything the webview sends is checked before use: it is another process.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  isWebviewMessage,
  PANEL_VIEW_TYPE,
  type HostMessage,
  type PanelView,
  type Parametrization,
  type WebviewMessage,
} from '../protocol/webview';
import type { SweepTrial } from '../sweep/types';
import { makeNonce, panelHtml } from './html';
import { runInfo } from './runInfo';
import { listStoredRuns, loadStoredCoord, loadStoredSweepRuns } from './storedRuns';

export const RECOMMENDED_LR_SETTING = 'recommendedLearningRates';

/** The model's file name, so that two tabs of the same export in different files (mlp/sp.ts, mlp/mup.ts) differ. */
function fileOf(modelFile: string | undefined): string {
  return modelFile ? ` · ${modelFile.split(/[\\/]/).pop()}` : '';
}

export function panelTitle(view: PanelView): string {
  if (view.kind === 'coord') return `muP coord: ${view.meta.exportName} (${view.meta.parametrization === 'mup' ? 'muP' : 'SP'})${fileOf(view.meta.modelFile)}`;
  const m = view.runs[0]?.meta;
  const pts = [...new Set(view.runs.map((r) => (r.meta.parametrization === 'mup' ? 'muP' : 'SP')))].join(' + ');
  return `muP sweep: ${m ? `${m.exportName}${pts ? ` (${pts})` : ''}${fileOf(m.modelFile)}` : 'LR sweep'}`;
}

/** Webview options: scripts on, resources from dist/ only (the bundle and its CSS). */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    // The view is rebuilt from setState on reveal; no need to keep a hidden panel's DOM alive.
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

export class ResultsPanel implements vscode.Disposable {
  private ready = false;
  private queued: SweepTrial[] = [];
  private queuedFor: Parametrization = 'sp';
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    public view: PanelView,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly onDispose: (p: ResultsPanel) => void,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.title = panelTitle(view);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  /** (Re)writes the HTML with a fresh nonce; the webview posts `panel/ready` again when it has loaded. */
  render(): void {
    this.ready = false;
    const w = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    w.html = panelHtml({
      cspSource: w.cspSource,
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
      title: panelTitle(this.view),
    });
  }

  /** Replace the whole view (a new result); posted now if the webview is ready, else on `panel/ready`. */
  show(view: PanelView, reveal = true): void {
    this.view = view;
    this.panel.title = panelTitle(view);
    if (this.ready) this.postView();
    if (reveal) this.panel.reveal(undefined, true);
  }

  /** A finished trial of a live sweep: batched so that hundreds of quick trials cost a few messages. */
  addTrial(parametrization: Parametrization, trial: SweepTrial): void {
    const run = this.view.kind === 'sweep' ? this.view.runs.find((r) => r.meta.parametrization === parametrization) : undefined;
    if (!run) return;
    run.trials.push(trial);
    if (!this.ready) return; // the snapshot posted on ready includes it
    if (this.queued.length && this.queuedFor !== parametrization) this.flush();
    this.queuedFor = parametrization;
    this.queued.push(trial);
    this.flushTimer ??= setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.queued.length) return;
    const trials = this.queued;
    this.queued = [];
    this.post({ type: 'sweep/trials', parametrization: this.queuedFor, trials });
  }

  post(msg: HostMessage): void {
    if (this.disposed || !this.ready) return;
    void this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => this.log.warn(`muP panel: post failed: ${String(e)}`));
  }

  private postView(): void {
    this.queued = [];
    this.post(this.view.kind === 'coord' ? { type: 'coord/show', view: this.view } : { type: 'sweep/show', view: this.view });
  }

  private onMessage(raw: unknown): void {
    if (!isWebviewMessage(raw)) {
      this.log.warn(`muP panel: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    void this.handle(raw).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`muP panel: ${raw.type} failed: ${message}`);
      if ('id' in raw && typeof raw.id === 'number') this.post({ type: 'panel/response', id: raw.id, ok: false, message });
    });
  }

  private async handle(msg: WebviewMessage): Promise<void> {
    switch (msg.type) {
      case 'panel/ready':
        this.ready = true;
        this.postView();
        return;
      case 'panel/state':
        // Only the target width is the webview's to change; results come from the host.
        if (this.view.kind === 'sweep' && msg.view?.kind === 'sweep' && (msg.view.targetWidth === null || msg.view.targetWidth > 0)) {
          this.view.targetWidth = msg.view.targetWidth;
        }
        return;
      case 'panel/reveal':
        await revealLayer(msg.file, msg.line, msg.layer, this.view);
        return;
      case 'panel/export': {
        const r = await saveExport(msg.format, msg.suggestedName, msg.data);
        this.post({ type: 'panel/response', id: msg.id, ok: r.ok, message: r.message });
        return;
      }
      case 'panel/copy':
        if (typeof msg.text !== 'string' || msg.text.length > 100) throw new Error('nothing to copy');
        await vscode.env.clipboard.writeText(msg.text);
        this.post({ type: 'panel/response', id: msg.id, ok: true, message: `Copied ${msg.text} to the clipboard.` });
        return;
      case 'panel/transfer': {
        // The transfer runs the user's model (a worker job): the command does it, with trust, progress and errors.
        // The muP run's values; an SP-only panel asks with its SP run, and is told plainly that they do not transfer.
        const runs = this.view.kind === 'sweep' ? this.view.runs : [];
        const mup = runs.find((r) => r.meta.parametrization === 'mup') ?? runs.find((r) => r.meta.parametrization === 'sp');
        if (!mup?.meta.storeDir) throw new Error('this panel has no stored sweep to transfer from');
        if (!(Number.isInteger(msg.targetWidth) && msg.targetWidth > 0)) throw new Error('the target width must be a positive whole number');
        const done = await vscode.commands.executeCommand<{ transfers: boolean; written: string | null } | undefined>('mupLens.transferHyperparameters', {
          storeDir: mup.meta.storeDir,
          targetWidth: msg.targetWidth,
          // every axis of the target asked for (issue 22), the width pre-filled with the panel's
          askTarget: true,
          verify: msg.verify === true,
        });
        this.post({
          type: 'panel/response', id: msg.id, ok: done !== undefined,
          message: done === undefined ? 'The transfer did not run (see the notification).' : done.transfers ? `Wrote ${vscode.workspace.asRelativePath(done.written ?? '')}.` : 'The values do not transfer: see the panel.',
        });
        return;
      }
      case 'panel/overlay': {
        if (msg.clear === true) {
          this.post({ type: 'panel/overlay', overlay: null });
          this.post({ type: 'panel/response', id: msg.id, ok: true, message: 'Overlay removed.' });
          return;
        }
        const picked = await pickOverlay(this.view);
        if (picked) this.post({ type: 'panel/overlay', overlay: picked });
        this.post({ type: 'panel/response', id: msg.id, ok: picked !== null, message: picked ? `Overlaid ${picked.label} (dashed).` : 'No stored run overlaid.' });
        return;
      }
      case 'panel/writeSetting': {
        const where = await writeRecommendedLr(msg);
        this.post({ type: 'panel/response', id: msg.id, ok: true, message: `Wrote lr ${msg.lr.toPrecision(3)} for width ${msg.targetWidth} to ${where}.` });
        return;
      }
      default: {
        const never: never = msg;
        this.log.warn(`muP panel: unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const d of this.disposables) d.dispose();
    this.onDispose(this);
    this.panel.dispose();
  }
}

/** Candidate paths for a file named by a result: absolute, else relative to each workspace folder, else to the model's folder. */
export function candidatePaths(file: string, view: PanelView): string[] {
  if (path.isAbsolute(file)) return [file];
  const out: string[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) out.push(path.join(f.uri.fsPath, file));
  const model = view.kind === 'coord' ? view.meta.modelFile : view.runs[0]?.meta.modelFile;
  if (model) {
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const abs = path.isAbsolute(model) ? model : path.join(f.uri.fsPath, model);
      out.push(path.join(path.dirname(abs), file));
    }
  }
  return out;
}

async function revealLayer(file: unknown, line: unknown, layer: unknown, view: PanelView): Promise<void> {
  if (typeof file !== 'string' || !file || typeof line !== 'number' || !(line >= 1)) {
    void vscode.window.showWarningMessage(`muP: no source location for layer ${String(layer)}.`);
    return;
  }
  for (const p of candidatePaths(file, view)) {
    const uri = vscode.Uri.file(p);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const l = Math.min(Math.floor(line), doc.lineCount) - 1;
    const range = new vscode.Range(l, doc.lineAt(l).firstNonWhitespaceCharacterIndex, l, doc.lineAt(l).text.length);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
    return;
  }
  void vscode.window.showWarningMessage(`muP: cannot find ${file} (layer ${String(layer)}); was it moved or renamed?`);
}

const FILTERS: Record<string, Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  csv: { CSV: ['csv'] },
  json: { JSON: ['json'] },
};

async function saveExport(format: unknown, suggestedName: unknown, data: unknown): Promise<{ ok: boolean; message: string }> {
  if (typeof format !== 'string' || !(format in FILTERS) || typeof data !== 'string') return { ok: false, message: 'Export failed: malformed request.' };
  let bytes: Uint8Array;
  if (format === 'png') {
    const prefix = 'data:image/png;base64,';
    if (!data.startsWith(prefix)) return { ok: false, message: 'Export failed: the plot did not produce a PNG.' };
    bytes = Buffer.from(data.slice(prefix.length), 'base64');
  } else {
    bytes = Buffer.from(data, 'utf8');
  }
  const name = typeof suggestedName === 'string' ? path.basename(suggestedName).replace(/[^\w.-]+/g, '_') : `mup.${format}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: FILTERS[format],
    saveLabel: `Export ${format.toUpperCase()}`,
  });
  if (!target) return { ok: true, message: 'Export cancelled.' };
  await vscode.workspace.fs.writeFile(target, bytes);
  return { ok: true, message: `Saved ${vscode.workspace.asRelativePath(target)}.` };
}

/**
 * `mupLens.recommendedLearningRates` maps `<modelFile>#<export>` to the LR chosen from a sweep; written to the
 * workspace settings (user settings when no folder is open) so training scripts and teammates can read it.
 */
async function writeRecommendedLr(msg: Extract<WebviewMessage, { type: 'panel/writeSetting' }>): Promise<string> {
  if (!(typeof msg.lr === 'number' && msg.lr > 0 && Number.isFinite(msg.lr)) || !(msg.targetWidth > 0)) {
    throw new Error('the learning rate to write is not a positive number');
  }
  const config = vscode.workspace.getConfiguration('mupLens');
  const current = config.get<Record<string, unknown>>(RECOMMENDED_LR_SETTING) ?? {};
  const key = `${msg.modelFile}#${msg.exportName}`;
  const next = {
    ...current,
    [key]: { lr: Number(msg.lr.toPrecision(4)), targetWidth: msg.targetWidth, parametrization: msg.parametrization },
  };
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(RECOMMENDED_LR_SETTING, next, target);
  return `${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} setting mupLens.${RECOMMENDED_LR_SETTING}["${key}"]`;
}

export { PANEL_VIEW_TYPE };

/**
 * "Overlay a stored run": a quick pick of the workspace's stored runs of the same kind as the panel's (not the one it
 * shows), named by model, file and verdict; the chosen one read back from `.mup/`. Null when there is none or no pick.
 */
async function pickOverlay(view: PanelView): Promise<{ label: string; view: PanelView } | null> {
  const shown = new Set(
    (view.kind === 'sweep' ? view.runs.map((r) => r.meta.storeDir) : [view.meta.reportPath && path.dirname(view.meta.reportPath)]).filter((d): d is string => !!d).map((d) => path.resolve(d)),
  );
  const entries = (vscode.workspace.workspaceFolders ?? [])
    .flatMap((f) => listStoredRuns(path.join(f.uri.fsPath, '.mup')))
    .filter((e) => e.kind === view.kind && !shown.has(path.resolve(e.dir)));
  if (!entries.length) {
    void vscode.window.showInformationMessage(`muP: no other stored ${view.kind === 'coord' ? 'coordinate check' : 'sweep'} to overlay (they are kept under .mup/).`);
    return null;
  }
  const infos = entries.map(runInfo);
  const pick = await vscode.window.showQuickPick(
    infos.map((i) => ({ label: i.label, description: i.description, detail: vscode.workspace.asRelativePath(i.entry.dir), info: i })),
    { title: 'muP: Overlay a Stored Run', placeHolder: 'Drawn dashed over the plots of this panel', matchOnDescription: true },
  );
  if (!pick) return null;
  const e = pick.info.entry;
  const loaded: PanelView = e.kind === 'coord' ? loadStoredCoord(e.dir, e.name) : { kind: 'sweep', runs: loadStoredSweepRuns(e.dir, e.name), targetWidth: null };
  return { label: `${pick.info.label} (${new Date(e.mtimeMs).toLocaleString()})`, view: loaded };
}
