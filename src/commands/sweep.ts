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
import { chooseParametrization, extensionVersion, pickTarget, reportFailure, saveForRun, trusted, withCancellableProgress, workspaceRoot, type CommandDeps, type Target } from './runner';

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
  /** This run's place among the runs of one command (SP then muP for `both`): the bar covers them all. */
  part: { index: number; count: number },
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
  const started = Date.now();
  let ran = 0;
  try {
    const report = await runSweep(
      {
        modelFile, exportName: target.exportName, widths: s.widths, lrs: s.lrs, hps: s.hps, seeds: s.seeds, steps: s.steps,
        parametrization, baseWidth: s.baseWidth, data: null, outDir, workers: s.workers, threads: s.threads, backend: s.backend,
        targetWidth: s.targetWidth, fresh: s.fresh,
        version: extensionVersion(),
        cores: cpus().length, cwd: folder, signal,
      },
      {
        onBackend: (info, workers) => log.info(`sweep ${label}: backend ${info.label}; ${workers} worker(s)`),
        onWarning: (m) => log.warn(`sweep ${label}: ${m}`),
        onTrial: (e) => {
          handle.addTrial(e.trial);
          trialEmitter.fire({ ...e, modelFile: relFile, exportName: target.exportName, parametrization });
          if (!e.reused) ran++;
          progress.report({ increment: 100 / total / part.count, message: progressText(label, e.done, total, ran, Date.now() - started, part) + (e.reused ? ' (stored)' : '') });
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

/**
 * "muP sweep 1 of 2 (SP): 12/33 trials, ~2.5 min left": which run of the command this is, and the time left from
 * the trials run so far (stored ones cost nothing), as the CLI's progress lines.
 */
export function progressText(label: string, done: number, total: number, ran: number, elapsedMs: number, part: { index: number; count: number }): string {
  const left = ran > 0 ? (elapsedMs / 1000 / ran) * Math.max(0, total - done) : 0;
  const eta = done < total && ran >= 2 ? `, ~${left >= 90 ? `${(left / 60).toFixed(1)} min` : `${left.toFixed(0)} s`} left` : '';
  const which = part.count > 1 ? `sweep ${part.index + 1} of ${part.count} (${label})` : label;
  return `${which}: ${done}/${total} trials${eta}`;
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
      // The parametrization the file is written in (`auto`), or the one asked for, asked about first when that is
      // a muP sweep of a file with muP errors.
      const explicit = args?.parametrization === 'mup' || args?.parametrization === 'sp';
      const chosen = await chooseParametrization(target, explicit ? args.parametrization! : settings.parametrization, deps, explicit);
      if (!chosen) return undefined;
      const which: Parametrization[] = chosen.parametrizations;
      if (chosen.note) {
        log.info(chosen.note);
        void vscode.window.showWarningMessage(`muP: ${chosen.note}`);
      }
      return withCancellableProgress(`muP: LR sweep of ${target.exportName}`, async (progress, signal) => {
        const reports: SweepReport[] = [];
        try {
          for (const [index, p] of which.entries()) {
            if (signal.aborted) break;
            reports.push(await sweepOne(target, p, settings, log, progress, signal, { index, count: which.length }));
          }
        } catch (err) {
          reportFailure('sweep', err, log);
          return undefined;
        }
        const last = reports[reports.length - 1];
        if (last && !last.cancelled) {
          // Each verdict named by its parametrization ("SP: transfer: NO (...); muP: transfers (...)").
          const named = reports.map((r) => `${r.parametrization === 'mup' ? 'muP' : 'SP'}: ${verdictLine(r).replace(/\n/g, '; ')}`);
          void vscode.window.showInformationMessage(`muP: LR sweep of ${target.exportName}: ${named.join('; ')}`);
        }
        return reports;
      });
    }),
  );
}
