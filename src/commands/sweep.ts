// "muP: Run LR Sweep" (`mupLens.runSweep`): from a CodeLens ({uri, exportName}) or the palette (the active
// editor's file and a quick pick of its exported factories). Settings `mupLens.sweep.*` give the grid, so it asks
// for nothing it can default. The trials run in worker processes (src/host/workerPool.ts), never in the extension
// host; each finished trial is stored at once, shown live in the muP panel, and announced on
// `onDidFinishTrial` for anyone else who wants it. Cancel stops the workers; finished trials stay stored and a
// rerun reuses them.
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
// The analyzer is loaded lazily (a static import would put the TypeScript compiler into dist/extension.js).
import { loadAnalyzer } from '../language/service';
import { showSweep } from '../panels';
import { defaultSweepName, runSweep, type TrialEvent } from '../host/sweep';
import type { Parametrization, SweepReport } from '../sweep/types';
import { readSweepSettings, type SweepSettings } from '../settings/sweep';
import { WorkerJobError } from '../host/workerClient';
import { formatHtml, formatText, verdictLine } from '../sweep/report';
import type { BackendRequest } from '../protocol/worker';

export interface RunSweepArgs {
  uri?: string | vscode.Uri;
  exportName?: string;
  /** Overrides the setting mupLens.sweep.parametrization for this run. */
  parametrization?: Parametrization;
}

const trialEmitter = new vscode.EventEmitter<TrialEvent & { modelFile: string; exportName: string; parametrization: Parametrization }>();
/** Fires for every trial of a sweep run from the editor (stored ones first, then each as it finishes). */
export const onDidFinishTrial = trialEmitter.event;

async function pickTarget(args: RunSweepArgs | undefined): Promise<{ uri: vscode.Uri; exportName: string } | undefined> {
  const asUri = (u: string | vscode.Uri) =>
    typeof u !== 'string' ? u : /^([A-Za-z]:[\\/]|\/)/.test(u) ? vscode.Uri.file(u) : vscode.Uri.parse(u);
  const uri = args?.uri ? asUri(args.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showErrorMessage('muP: open a model file (a TS/JS file exporting a factory (width) => tf.LayersModel) to run an LR sweep.');
    return undefined;
  }
  if (args?.exportName) return { uri, exportName: args.exportName };
  const doc = await vscode.workspace.openTextDocument(uri);
  const factories = loadAnalyzer().analyze(doc.getText(), uri.fsPath).factories.filter((f) => f.exported);
  if (factories.length === 0) {
    void vscode.window.showErrorMessage(`muP: ${vscode.workspace.asRelativePath(uri)} exports no model factory (a function of a width that builds tfjs layers).`);
    return undefined;
  }
  if (factories.length === 1) return { uri, exportName: factories[0]!.name };
  const pick = await vscode.window.showQuickPick(
    factories.map((f) => ({ label: f.name, description: `line ${f.line}, width parameter '${f.widthParam}'` })),
    { title: 'muP: LR sweep of which model factory?' },
  );
  return pick ? { uri, exportName: pick.label } : undefined;
}

async function sweepOne(
  target: { uri: vscode.Uri; exportName: string },
  parametrization: Parametrization,
  s: SweepSettings,
  log: vscode.LogOutputChannel,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  signal: AbortSignal,
): Promise<SweepReport> {
  const folder = vscode.workspace.getWorkspaceFolder(target.uri)?.uri.fsPath ?? join(target.uri.fsPath, '..');
  const modelFile = target.uri.fsPath;
  const outDir = join(folder, '.mup', 'sweeps', defaultSweepName(modelFile, target.exportName, parametrization));
  const relFile = vscode.workspace.asRelativePath(target.uri);
  const handle = showSweep({
    title: `LR sweep: ${relFile}#${target.exportName} (${parametrization === 'mup' ? 'muP' : 'SP'})`,
    modelFile: relFile, exportName: target.exportName, parametrization,
    storeDir: outDir, widths: s.widths, lrs: s.lrs, seeds: s.seeds,
  }, { targetWidth: s.targetWidth });
  const total = s.widths.length * s.lrs.length * s.seeds;
  const label = parametrization === 'mup' ? 'muP' : 'SP';
  try {
    const report = await runSweep(
      {
        modelFile, exportName: target.exportName, widths: s.widths, lrs: s.lrs, seeds: s.seeds, steps: s.steps,
        parametrization, baseWidth: s.baseWidth, data: null, outDir, workers: s.workers, backend: s.backend,
        targetWidth: s.targetWidth,
        version: String((vscode.extensions.getExtension('mup-lens.mup-lens')?.packageJSON as { version?: string } | undefined)?.version ?? 'unknown'),
        cores: cpus().length, cwd: folder, signal,
      },
      {
        onBackend: (info, workers) => log.info(`sweep ${label}: backend ${info.label}; ${workers} worker(s)`),
        onWarning: (m) => log.warn(`sweep ${label}: ${m}`),
        onTrial: (e) => {
          handle.addTrial(e.trial);
          trialEmitter.fire({ ...e, modelFile: relFile, exportName: target.exportName, parametrization });
          progress.report({ increment: 100 / total, message: `${label} ${e.done}/${total}${e.reused ? ' (stored)' : ''}` });
        },
      },
    );
    if (report.cancelled) handle.setStatus('cancelled', `cancelled: ${report.trials.length} of ${total} trials stored; run again to finish`);
    else handle.setResult(report);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'report.html'), formatHtml([report], `LR sweep: ${relFile}#${target.exportName}`));
    log.info(`sweep ${label} of ${relFile}#${target.exportName}:\n${formatText(report)}`);
    return report;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    handle.setStatus('failed', message);
    if (err instanceof WorkerJobError && err.error.file && err.error.line) {
      const file = err.error.file;
      const line = err.error.line;
      void vscode.window.showErrorMessage(`muP sweep: ${message}`, 'Go to code').then(async (a) => {
        if (a) await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(line - 1, 0, line - 1, 0) });
      });
    } else {
      void vscode.window.showErrorMessage(`muP sweep: ${message}`);
    }
    log.error(`sweep ${label}: ${message}`);
    throw err;
  }
}

export function registerSweep(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    trialEmitter,
    vscode.commands.registerCommand('mupLens.runSweep', async (args?: RunSweepArgs) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage('muP: LR sweeps run your model code; trust this workspace first (Workspaces: Manage Workspace Trust).');
        return undefined;
      }
      let settings: SweepSettings;
      try {
        const cfg = vscode.workspace.getConfiguration('mupLens');
        settings = readSweepSettings((k) => cfg.get(k));
      } catch (err) {
        void vscode.window.showErrorMessage(`muP: ${(err as Error).message}`);
        return undefined;
      }
      const target = await pickTarget(args);
      if (!target) return undefined;
      const which: Parametrization[] = args?.parametrization
        ? [args.parametrization]
        : settings.parametrization === 'both' ? ['sp', 'mup'] : [settings.parametrization];
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `muP: LR sweep of ${target.exportName}`, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          const reports: SweepReport[] = [];
          try {
            for (const p of which) {
              if (controller.signal.aborted) break;
              reports.push(await sweepOne(target, p, settings, log, progress, controller.signal));
            }
          } catch {
            return undefined; // reported in sweepOne
          } finally {
            sub.dispose();
          }
          const last = reports[reports.length - 1];
          if (last && !last.cancelled) {
            void vscode.window.showInformationMessage(`muP sweep (${which.map((p) => (p === 'mup' ? 'muP' : 'SP')).join(', ')}): ${reports.map(verdictLine).join('; ')}`);
          }
          return reports;
        },
      );
    }),
  );
}
