// "muP: Run Coordinate Check" (mupLens.runCoordinateCheck): from a CodeLens ({uri, exportName}) or the palette
// (the active file; a quick pick when it exports several model factories). The check runs in worker processes
// (src/host/coordCheck.ts), never here: this file gathers settings and presents the result (notification with
// "Go to layer", output channel, results panel, HTML report on disk, backend in the status bar); what it shares
// with the sweep command (trust, target, saving, progress, errors) is ./runner.ts.
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { formatText, verdictLine } from '../coord/format';
import { coordThreads, defaultCoordWorkers, runCoordinateCheck, type CoordCheckOutcome } from '../host/coordCheck';
import { coordDir, writeCoordResult } from '../host/results';
import { WorkerClient } from '../host/workerClient';
import type { BackendRequest } from '../protocol/worker';
import { showCoordResult } from '../panels';
import { readCoordSettings } from '../settings/coord';
import { chooseParametrization, goTo, message, pickTarget, reportFailure, saveForRun, trusted, withCancellableProgress, workspaceRoot, type CommandDeps, type Target } from './runner';

export const COMMAND = 'mupLens.runCoordinateCheck';
/** An idle worker is stopped after this long (it holds tfjs and the backend's memory). */
const IDLE_MS = 5 * 60_000;

export interface CoordCommandResult extends CoordCheckOutcome {
  reportPath: string;
  /** The parametrization it ran in (the file's own with the setting `auto`). */
  parametrization: 'mup' | 'sp';
}

/** One warm worker, reused while the backend setting and the model's folder stay the same. */
class WorkerCache implements vscode.Disposable {
  private current: { key: string; client: WorkerClient } | null = null;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get(backend: BackendRequest, workspaceDir: string, threads: number): WorkerClient {
    clearTimeout(this.idle);
    const key = `${backend}|${workspaceDir}|${threads}`;
    if (this.current?.key !== key) {
      this.current?.client.dispose();
      const client = new WorkerClient({ init: { backend, workspaceDir, threads }, onLog: (line) => this.log.info(`[worker] ${line}`) });
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

export function registerCoordinateCheck(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log } = deps;
  const status = vscode.window.createStatusBarItem('mupLens.backend', vscode.StatusBarAlignment.Right, 100);
  status.name = 'muP backend';
  // A click shows what the check logged (backend choice, slopes, notes), as other extensions' status items do.
  status.command = 'mupLens.showOutput';
  const workers = new WorkerCache(log);
  let running = false;

  async function run(arg?: unknown): Promise<CoordCommandResult | undefined> {
    if (!trusted('a coordinate check')) return undefined;
    if (running) {
      void vscode.window.showInformationMessage('muP: a coordinate check is already running (cancel it from its notification).');
      return undefined;
    }
    const target = await pickTarget(arg, { name: 'runCoordinateCheck', title: 'a coordinate check' }, deps);
    if (!target) return undefined;
    const config = vscode.workspace.getConfiguration('mupLens', target.uri);
    const { settings, problems } = readCoordSettings((key) => config.get(key));
    if (problems.length) {
      void vscode.window.showErrorMessage(`muP: ${problems.join('; ')}`);
      return undefined;
    }
    if (!(await saveForRun(target))) return undefined;
    // The parametrization the file is written in (`auto`), or the one asked for (a caller's, else the setting's).
    const given = (arg as { parametrization?: unknown } | undefined)?.parametrization;
    const explicit = given === 'mup' || given === 'sp';
    const chosen = await chooseParametrization(target, explicit ? given : settings.parametrization, deps, explicit);
    if (!chosen) return undefined;
    const parametrization = chosen.parametrizations[0]!;
    const runNotes = chosen.note ? [chosen.note] : [];
    if (chosen.note) log.info(chosen.note);

    const file = target.uri.fsPath;
    const { widths, steps, seeds } = settings;
    running = true;
    const idleStatus = { text: status.text, tooltip: status.tooltip, shown: status.text !== '' };
    status.text = `$(sync~spin) muP: checking ${target.exportName}`;
    status.show();
    try {
      return await withCancellableProgress(`muP: coordinate check of ${target.exportName}`, async (progress, signal) => {
        let reported = 0;
        log.info(`coordinate check of ${target.exportName} in ${file}: widths ${widths.join(',')}, ${steps} steps, ${seeds} seeds, ${parametrization} ${settings.optimizer} lr ${settings.lr}, backend ${settings.backend}`);
        try {
          const outcome = await runCoordinateCheck(
            { file, exportName: target.exportName, widths, steps, seeds, lr: settings.lr, optimizer: settings.optimizer, parametrization },
            {
              backend: settings.backend,
              // The warm worker is the first of the pool: started with the threads the pool's others get.
              client: workers.get(settings.backend, dirname(file), coordThreads(widths, seeds, defaultCoordWorkers(), settings.threads)),
              workers: defaultCoordWorkers(),
              threads: settings.threads,
              timeoutMs: settings.timeoutSeconds * 1000,
              signal,
              // Cancel part-way: show what the finished widths say (with a warning) rather than nothing.
              keepPartialOnCancel: true,
              onProgress: (e) => {
                const pct = Math.round(e.fraction * 100);
                progress.report({ increment: pct - reported, message: `width ${e.width}, seed ${e.seed + 1}/${seeds}, step ${e.step}/${steps}` });
                reported = pct;
              },
            },
          );
          return present(target, outcome, parametrization, runNotes);
        } finally {
          workers.release();
        }
      });
    } catch (err) {
      if (!reportFailure('coordinate check', err, log)) log.info('coordinate check cancelled');
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

  function present(target: Target, outcome: CoordCheckOutcome, parametrization: 'mup' | 'sp', runNotes: string[]): CoordCommandResult {
    const { result, backend, warnings } = outcome;
    const notes = [...runNotes, ...outcome.notes];
    const root = vscode.workspace.getWorkspaceFolder(target.uri) ? workspaceRoot(target) : context.globalStorageUri.fsPath;
    const cwd = workspaceRoot(target);
    status.text = `$(pulse) muP: ${backend.name}`;
    status.tooltip = `Coordinate checks run on ${backend.label}\n${backend.reasons.join('\n')}`;
    status.show();

    const header = `coordinate check of ${target.exportName} (${result.widths.join(',')}; ${result.steps} steps, ${result.seeds} seeds) on ${backend.label}`;
    log.info(`${header}\n${formatText(result, header, cwd)}${[...notes, ...warnings].map((n) => `note: ${n}`).join('\n')}`);

    // `.mup/coord/<file>-<export>/` in the model's workspace folder (as the CLI), else the extension's storage.
    const dir = coordDir(root, target.uri.fsPath, target.exportName);
    const meta = { title: `${target.exportName} — ${basename(target.uri.fsPath)}`, modelFile: target.uri.fsPath, exportName: target.exportName, parametrization };
    let reportPath = join(dir, 'index.html');
    try {
      reportPath = writeCoordResult(dir, result, meta, { subtitle: header, notes: [...notes, ...warnings] }).html;
    } catch (err) {
      log.warn(`could not write the report to ${dir}: ${message(err)}`);
    }
    try {
      showCoordResult(result, { ...meta, reportPath, ...(runNotes.length ? { parametrizationNote: runNotes.join(' ') } : {}) });
    } catch (err) {
      log.warn(`results panel unavailable (${message(err)}); the report is at ${reportPath}`);
    }

    const worst = result.verdict.worst;
    const src = worst ? result.layers.find((l) => l.name === worst.layer)?.source : null;
    const pt = parametrization === 'mup' ? 'muP' : 'SP';
    const said = [...runNotes, ...warnings];
    const text = `muP: ${target.exportName} (${pt}): ${verdictLine(result, cwd)}${said.length ? ` (${said.join('; ')})` : ''}`;
    const actions = [...(src && result.verdict.level !== 'pass' ? ['Go to layer'] : []), 'Open Report'];
    const show = result.verdict.level === 'fail' ? vscode.window.showErrorMessage : result.verdict.level === 'warn' || result.verdict.level === 'inconclusive' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, ...actions)
      .then(async (a) => {
        if (a === 'Go to layer' && src) await goTo(src.file, src.line);
        else if (a === 'Open Report') await vscode.commands.executeCommand('mupLens.openReport', reportPath);
      })
      .then(undefined, (err: unknown) => log.warn(`cannot open the layer or report: ${message(err)}`));
    return { ...outcome, notes, reportPath, parametrization };
  }

  context.subscriptions.push(status, workers, vscode.commands.registerCommand(COMMAND, run));
}
