// "muP: Run LR Sweep" (`mupLens.runSweep`): from a CodeLens ({uri, exportName}) or the palette (the active
// editor's file and a quick pick of its exported factories). Settings `mupLens.sweep.*` give the grid, so it asks
// for nothing it can default. The trials run in worker processes (src/host/sweep.ts on src/host/workerPool.ts),
// never in the extension host; each finished trial is stored at once, shown live in the muP panel, and announced
// on `onDidFinishTrial` for anyone else who wants it. Cancel stops the workers; finished trials stay stored and a
// rerun reuses them. What it shares with the coordinate check (trust, target, saving, progress, errors) is
// ./runner.ts.
import { cpus } from 'node:os';
import * as vscode from 'vscode';
import { writeSweepReport, sweepDir } from '../host/results';
import { runSweep, type TrialEvent } from '../host/sweep';
import { showSweep } from '../panels';
import { readSweepSettings, type SweepSettings } from '../settings/sweep';
import { gridSize } from '../sweep/grid';
import { formatText, verdictLine } from '../sweep/report';
import type { Parametrization, SweepReport } from '../sweep/types';
import { extensionVersion, pickTarget, reportFailure, saveForRun, trusted, withCancellableProgress, workspaceRoot, type CommandDeps, type Target } from './runner';

export interface RunSweepArgs {
  uri?: string | vscode.Uri;
  exportName?: string;
  /** Overrides the setting mupLens.sweep.parametrization for this run. */
  parametrization?: Parametrization;
}

const trialEmitter = new vscode.EventEmitter<TrialEvent & { modelFile: string; exportName: string; parametrization: Parametrization }>();
/** Fires for every trial of a sweep run from the editor (stored ones first, then each as it finishes). */
export const onDidFinishTrial = trialEmitter.event;

async function sweepOne(
  target: Target,
  parametrization: Parametrization,
  s: SweepSettings,
  log: vscode.LogOutputChannel,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  signal: AbortSignal,
): Promise<SweepReport> {
  const folder = workspaceRoot(target);
  const modelFile = target.uri.fsPath;
  const outDir = sweepDir(folder, modelFile, target.exportName, parametrization);
  const relFile = vscode.workspace.asRelativePath(target.uri);
  const handle = showSweep({
    title: `LR sweep: ${relFile}#${target.exportName} (${parametrization === 'mup' ? 'muP' : 'SP'})`,
    modelFile: relFile, exportName: target.exportName, parametrization,
    storeDir: outDir, widths: s.widths, lrs: s.lrs, seeds: s.seeds, ...(s.hps.length ? { hps: s.hps } : {}),
  }, { targetWidth: s.targetWidth });
  const total = gridSize(s.widths.length, s.lrs.length, s.seeds, s.hps);
  const label = parametrization === 'mup' ? 'muP' : 'SP';
  try {
    const report = await runSweep(
      {
        modelFile, exportName: target.exportName, widths: s.widths, lrs: s.lrs, hps: s.hps, seeds: s.seeds, steps: s.steps,
        parametrization, baseWidth: s.baseWidth, data: null, outDir, workers: s.workers, threads: s.threads, backend: s.backend,
        targetWidth: s.targetWidth,
        version: extensionVersion(),
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
    writeSweepReport(outDir, [report], `LR sweep: ${relFile}#${target.exportName}`);
    log.info(`sweep ${label} of ${relFile}#${target.exportName}:\n${formatText(report)}`);
    return report;
  } catch (err) {
    handle.setStatus('failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

export function registerSweep(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log } = deps;
  context.subscriptions.push(
    trialEmitter,
    vscode.commands.registerCommand('mupLens.runSweep', async (args?: RunSweepArgs) => {
      if (!trusted('an LR sweep')) return undefined;
      const cfg = vscode.workspace.getConfiguration('mupLens');
      const { settings, problems } = readSweepSettings((k) => cfg.get(k));
      if (problems.length) {
        void vscode.window.showErrorMessage(`muP: ${problems.join('; ')}`);
        return undefined;
      }
      const target = await pickTarget(args, { name: 'runSweep', title: 'an LR sweep' }, deps);
      if (!target || !(await saveForRun(target))) return undefined;
      const which: Parametrization[] = args?.parametrization
        ? [args.parametrization]
        : settings.parametrization === 'both' ? ['sp', 'mup'] : [settings.parametrization];
      return withCancellableProgress(`muP: LR sweep of ${target.exportName}`, async (progress, signal) => {
        const reports: SweepReport[] = [];
        try {
          for (const p of which) {
            if (signal.aborted) break;
            reports.push(await sweepOne(target, p, settings, log, progress, signal));
          }
        } catch (err) {
          reportFailure('sweep', err, log);
          return undefined;
        }
        const last = reports[reports.length - 1];
        if (last && !last.cancelled) {
          void vscode.window.showInformationMessage(`muP sweep (${which.map((p) => (p === 'mup' ? 'muP' : 'SP')).join(', ')}): ${reports.map(verdictLine).join('; ')}`);
        }
        return reports;
      });
    }),
  );
}
