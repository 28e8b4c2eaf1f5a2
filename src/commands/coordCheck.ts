// "muP: Run Coordinate Check" (mupLens.runCoordinateCheck): from a CodeLens ({uri, exportName}) or the palette
// (the active file; a quick pick when it exports several model factories). The check runs in the worker process
// (src/worker), never here: this file only gathers settings, shows progress with Cancel, and presents the result
// (notification with "Go to layer", output channel, results panel, HTML report on disk, backend in the status bar).
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { formatText, verdictLine } from '../coord/format';
import { defaultCoordWorkers, runCoordinateCheck, type CoordCheckOutcome } from '../host/coordCheck';
import { readCoordSettings } from '../settings/coord';
import { loadAnalyzerBundle } from '../language/service';
import { showCoordResult } from '../panels';
import { renderCoordReport } from '../report/html';
import { WorkerClient, WorkerJobError } from '../host/workerClient';
import type { BackendRequest } from '../protocol/worker';

export const COMMAND = 'mupLens.runCoordinateCheck';
/** An idle worker is stopped after this long (it holds tfjs and the backend's memory). */
const IDLE_MS = 5 * 60_000;

export interface CoordCommandResult extends CoordCheckOutcome {
  reportPath: string;
}

interface Target {
  uri: vscode.Uri;
  exportName: string;
}

/** One warm worker, reused while the backend setting and the model's folder stay the same. */
class WorkerCache implements vscode.Disposable {
  private current: { key: string; client: WorkerClient } | null = null;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get(backend: BackendRequest, workspaceDir: string): WorkerClient {
    clearTimeout(this.idle);
    const key = `${backend}|${workspaceDir}`;
    if (this.current?.key !== key) {
      this.current?.client.dispose();
      const client = new WorkerClient({ init: { backend, workspaceDir }, onLog: (line) => this.log.info(`[worker] ${line}`) });
      this.current = { key, client };
    }
    return this.current.client;
  }

  release(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_MS);
  }

  dispose(): void {
    clearTimeout(this.idle);
    this.current?.client.dispose();
    this.current = null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function pickTarget(arg: unknown): Promise<Target | undefined> {
  if (arg !== undefined && arg !== null) {
    const a = arg as { uri?: unknown; exportName?: unknown };
    if (typeof a.uri !== 'string' || typeof a.exportName !== 'string' || !a.exportName) {
      void vscode.window.showErrorMessage('muP: runCoordinateCheck takes {uri: string, exportName: string}.');
      return undefined;
    }
    return { uri: vscode.Uri.parse(a.uri), exportName: a.exportName };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !/^(typescript|javascript)(react)?$/.test(editor.document.languageId)) {
    void vscode.window.showErrorMessage('muP: open the TypeScript or JavaScript file of your model to run a coordinate check on it.');
    return undefined;
  }
  const doc = editor.document;
  const factories = loadAnalyzerBundle()
    .analyze(doc.getText(), doc.fileName)
    .factories.filter((f) => f.exported);
  const names = [...new Set(factories.map((f) => f.name))];
  if (names.length === 0) {
    void vscode.window.showErrorMessage(
      `muP: ${basename(doc.fileName)} exports no model factory (an exported function with a width parameter that builds tfjs layers).`,
    );
    return undefined;
  }
  if (names.length === 1) return { uri: doc.uri, exportName: names[0] };
  const picked = await vscode.window.showQuickPick(
    factories.map((f) => ({ label: f.name, description: `line ${f.line}, width parameter '${f.widthParam}'` })),
    { title: 'muP: Run Coordinate Check', placeHolder: 'Which model factory?' },
  );
  return picked ? { uri: doc.uri, exportName: picked.label } : undefined;
}

async function goTo(file: string, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, doc.lineAt(pos.line).range.end) });
}

/** `.mup/coord/<file>-<export>/` in the model's workspace folder (as the CLI), else the extension's storage. */
function reportDir(context: vscode.ExtensionContext, target: Target): string {
  const folder = vscode.workspace.getWorkspaceFolder(target.uri);
  const root = folder ? folder.uri.fsPath : context.globalStorageUri.fsPath;
  return join(root, '.mup', 'coord', `${basename(target.uri.fsPath, extname(target.uri.fsPath))}-${target.exportName}`);
}

export function registerCoordinateCheck(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const status = vscode.window.createStatusBarItem('mupLens.backend', vscode.StatusBarAlignment.Right, 100);
  status.name = 'muP backend';
  const workers = new WorkerCache(log);
  let running = false;

  async function run(arg?: unknown): Promise<CoordCommandResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      void vscode.window
        .showErrorMessage('muP: a coordinate check runs your model code, so it is disabled until you trust this workspace.', manage)
        .then((a) => (a === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
      return undefined;
    }
    if (running) {
      void vscode.window.showInformationMessage('muP: a coordinate check is already running (cancel it from its notification).');
      return undefined;
    }
    let target: Target | undefined;
    try {
      target = await pickTarget(arg);
    } catch (err) {
      log.error(`coordinate check: cannot list the model factories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      void vscode.window.showErrorMessage(`muP: cannot list the model factories of this file: ${message(err)}`);
      return undefined;
    }
    if (!target) return undefined;
    if (target.uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`muP: the model must be a file on disk (got ${target.uri.toString()}).`);
      return undefined;
    }
    const config = vscode.workspace.getConfiguration('mupLens.coordCheck', target.uri);
    const settings = readCoordSettings((key) => config.get(key));
    if ('errors' in settings) {
      void vscode.window.showErrorMessage(`muP: ${settings.errors.join('; ')}`);
      return undefined;
    }
    // The worker reads the file from disk: unsaved edits would silently not be checked.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
    if (open?.isDirty) await open.save();

    const file = target.uri.fsPath;
    const { widths, steps, seeds } = settings;
    running = true;
    const idleStatus = { text: status.text, tooltip: status.tooltip, shown: status.text !== '' };
    status.text = `$(sync~spin) muP: checking ${target.exportName}`;
    status.show();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `muP: coordinate check of ${target.exportName}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          log.info(`coordinate check of ${target.exportName} in ${file}: widths ${widths.join(',')}, ${steps} steps, ${seeds} seeds, ${settings.parametrization} ${settings.optimizer} lr ${settings.lr}, backend ${settings.backend}`);
          try {
            const outcome = await runCoordinateCheck(
              { file, exportName: target.exportName, widths, steps, seeds, lr: settings.lr, optimizer: settings.optimizer, parametrization: settings.parametrization },
              {
                backend: settings.backend,
                client: workers.get(settings.backend, dirname(file)),
                workers: defaultCoordWorkers(),
                timeoutMs: settings.timeoutSeconds * 1000,
                signal: abort.signal,
                // Cancel part-way: show what the finished widths say (with a warning) rather than nothing.
                keepPartialOnCancel: true,
                onProgress: (e) => {
                  const pct = Math.round(e.fraction * 100);
                  progress.report({ increment: pct - reported, message: `width ${e.width}, seed ${e.seed + 1}/${seeds}, step ${e.step}/${steps}` });
                  reported = pct;
                },
              },
            );
            return present(target, outcome, settings.parametrization);
          } finally {
            sub.dispose();
            workers.release();
          }
        },
      );
    } catch (err) {
      if (err instanceof WorkerJobError) {
        const e = err.error;
        if (e.kind === 'cancelled') {
          log.info('coordinate check cancelled');
          return undefined;
        }
        log.error(`coordinate check failed (${e.kind}): ${e.message}${e.file ? ` at ${e.file}:${e.line ?? 0}` : ''}${e.stack ? `\n${e.stack}` : ''}`);
        const actions = e.file && e.line ? ['Go to error'] : [];
        void vscode.window.showErrorMessage(`muP: coordinate check failed: ${e.message}`, ...actions).then(
          (a) => (a && e.file && e.line ? goTo(e.file, e.line) : undefined),
          (err2: unknown) => log.warn(`cannot open ${e.file}: ${message(err2)}`),
        );
        return undefined;
      }
      log.error(`coordinate check failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      void vscode.window.showErrorMessage(`muP: coordinate check failed: ${message(err)}`);
      return undefined;
    } finally {
      running = false;
      if (status.text.startsWith('$(sync~spin)')) {
        // Not replaced by a result (cancel, error): back to the last backend shown, or hidden.
        status.text = idleStatus.text;
        status.tooltip = idleStatus.tooltip;
        if (!idleStatus.shown) status.hide();
      }
    }
  }

  function present(target: Target, outcome: CoordCheckOutcome, parametrization: 'mup' | 'sp'): CoordCommandResult {
    const { result, backend, notes, warnings } = outcome;
    const cwd = vscode.workspace.getWorkspaceFolder(target.uri)?.uri.fsPath ?? dirname(target.uri.fsPath);
    status.text = `$(pulse) muP: ${backend.name}`;
    status.tooltip = `Coordinate checks run on ${backend.label}\n${backend.reasons.join('\n')}`;
    status.show();

    const header = `coordinate check of ${target.exportName} (${result.widths.join(',')}; ${result.steps} steps, ${result.seeds} seeds) on ${backend.label}`;
    log.info(`${header}\n${formatText(result, header, cwd)}${[...notes, ...warnings].map((n) => `note: ${n}`).join('\n')}`);

    const dir = reportDir(context, target);
    const reportPath = join(dir, 'index.html');
    const meta = { title: `${target.exportName} — ${basename(target.uri.fsPath)}`, modelFile: target.uri.fsPath, exportName: target.exportName, parametrization };
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'result.json'), JSON.stringify({ ...result, meta }, null, 2) + '\n');
      writeFileSync(reportPath, renderCoordReport(result, { title: meta.title, subtitle: header, notes: [...notes, ...warnings] }));
    } catch (err) {
      log.warn(`could not write the report to ${dir}: ${message(err)}`);
    }
    try {
      showCoordResult(result, { ...meta, reportPath });
    } catch (err) {
      log.warn(`results panel unavailable (${message(err)}); the report is at ${reportPath}`);
    }

    const worst = result.verdict.worst;
    const src = worst ? result.layers.find((l) => l.name === worst.layer)?.source : null;
    const text = `muP: ${target.exportName}: ${verdictLine(result, cwd)}${warnings.length ? ` (${warnings.join('; ')})` : ''}`;
    const actions = [...(src && result.verdict.level !== 'pass' ? ['Go to layer'] : []), 'Open Report'];
    const show = result.verdict.level === 'fail' ? vscode.window.showErrorMessage : result.verdict.level === 'warn' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, ...actions).then(async (a) => {
      if (a === 'Go to layer' && src) await goTo(src.file, src.line);
      else if (a === 'Open Report') await vscode.env.openExternal(vscode.Uri.file(reportPath));
    }).then(undefined, (err: unknown) => log.warn(`cannot open the layer or report: ${message(err)}`));
    return { ...outcome, reportPath };
  }

  context.subscriptions.push(status, workers, vscode.commands.registerCommand(COMMAND, run));
}
