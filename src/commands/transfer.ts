// "muP: Transfer Tuned Hyperparameters" (`mupLens.transferHyperparameters`): from a finished muP sweep (the panel's
// transfer button, or a stored sweep picked from the palette), the tuned values at a target that may differ from the
// proxy on every axis the CLI takes (issue 22: width, depth, batch, steps, sequence length; asked one input box at a
// time, src/sweep/transferTarget.ts): the transfer file next to the model, its table, every factor of the LR with
// its source and the warnings in the sweep's panel; with `verify`, the target trained with them and with the proxy's
// best SP values, both loss curves in the panel. The same engine as `mup-lens transfer` (src/host/transfer.ts); the
// model is built in worker processes, never here. Same rules as the other commands (./runner.ts).
import { cpus } from 'node:os';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { loadSweep, runTransfer, TransferInconclusiveError, TransferInputError } from '../host/transfer';
import { settleInEditor } from '../plot/settleText';
import { runInfo } from '../panels/runInfo';
import { listStoredRuns } from '../panels/storedRuns';
import { showTransfer } from '../panels';
import { readSweepSettings } from '../settings/sweep';
import { readTransferSettings } from '../settings/transfer';
import { formatTransferText, type TransferReport } from '../sweep/transfer';
import type { TargetAxes } from '../sweep/transferAxes';
import { askTransferTarget, checkTargetArg, sweptAxesOf, targetSummary, TransferTargetError, validateTargetInput, type SweptAxes } from '../sweep/transferTarget';
import { extensionVersion, message, reportFailure, trusted, withCancellableProgress, type CommandDeps } from './runner';

export interface TransferArgs {
  /** The sweep's store (`.mup/sweeps/<name>`); absent: a quick pick of the stored sweeps. */
  storeDir?: string;
  /** Absent: every axis of the target is asked for, one input box each (pre-filled from the settings
   *  mupLens.sweep.targetWidth and mupLens.transfer.target*, else the sweep's largest values). Given (and no
   *  `askTarget`): the target is this width and `target`'s axes, nothing asked but a proxy value the engine needs. */
  targetWidth?: number;
  /** Issue 22: the target's other axes, as the CLI's --depth, --batch, --steps, --seq-len (and --alpha, --proxy-*). */
  target?: TargetAxes;
  /** Ask for every axis anyway, the width pre-filled with `targetWidth` (the panel's button). */
  askTarget?: boolean;
  /** Also train the target twice (transferred muP values, the proxy's best SP values). */
  verify?: boolean;
  /** Steps of each verification run (default: the sweep's; the target's steps are `target.steps`). */
  steps?: number;
  /** The SP sweep to compare with (default: the SP sweep of the same model beside the muP one). */
  spStoreDir?: string;
}

/**
 * The finished muP sweeps of the workspace, named by model and file with their grid and verdict (SP sweeps and
 * unfinished ones have nothing to transfer, so they are not offered). Undefined when there is none or no pick.
 */
async function pickStore(): Promise<{ dir: string; widths: number[] } | undefined> {
  const infos = (vscode.workspace.workspaceFolders ?? [])
    .flatMap((f) => listStoredRuns(vscode.Uri.joinPath(f.uri, '.mup').fsPath))
    .filter((e) => e.kind === 'sweep')
    .map(runInfo);
  // An inconclusive sweep cannot be transferred from (the engine refuses it): not offered either.
  const ready = infos.filter((i) => i.transferable);
  if (!ready.length) {
    const others = infos.length ? ` (${infos.length} stored sweep${infos.length === 1 ? ' is' : 's are'} SP, unfinished or inconclusive)` : '';
    void vscode.window.showInformationMessage(`muP: no finished muP sweep to transfer from${others}. Run an LR sweep of a muP model to the end first.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    ready.map((i) => ({ label: i.label, description: i.description, detail: vscode.workspace.asRelativePath(i.entry.dir), info: i })),
    { title: 'muP: Transfer Tuned Hyperparameters', placeHolder: 'The finished muP sweep whose tuned values to transfer', matchOnDescription: true, matchOnDetail: true },
  );
  return pick ? { dir: pick.info.entry.dir, widths: pick.info.widths } : undefined;
}

/** What the sweep varied (for the questions' prompts and pre-filled values); a store the engine cannot read gives
 *  what runInfo knows (the engine then says what is wrong with it). */
function sweptOf(storeDir: string, widths: number[], cwd: string): SweptAxes & { alpha?: number } {
  try {
    const { report } = loadSweep(storeDir, cwd);
    // the depth scheme the sweep trained its depths with (sweep --alpha; absent in older results)
    const alpha = report.depthScheme?.alpha;
    return { ...sweptAxesOf(report), ...(typeof alpha === 'number' ? { alpha } : {}) };
  } catch {
    return { widths, steps: 0, grid: {} };
  }
}

/** Whether the user set `mupLens.transfer.depthScheme` anywhere (else the sweep's own scheme is the better default). */
function schemeSetByUser(cfg: vscode.WorkspaceConfiguration): boolean {
  const i = cfg.inspect('transfer.depthScheme');
  return i !== undefined && (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
}

/** One question of the target as an input box. */
const inputBox = (q: Parameters<Parameters<typeof askTransferTarget>[0]>[0]) =>
  Promise.resolve(vscode.window.showInputBox({ title: q.title, prompt: q.prompt, value: q.value, placeHolder: q.placeHolder, ignoreFocusOut: true, validateInput: (v) => validateTargetInput(q, v) }));

export function registerTransfer(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('mupLens.transferHyperparameters', async (args?: TransferArgs): Promise<TransferReport | undefined> => {
      if (!trusted('a transfer')) return undefined;
      const given = (typeof args === 'object' && args !== null ? args : {}) as TransferArgs;
      const givenTarget = checkTargetArg(given.target);
      if ((given.storeDir !== undefined && typeof given.storeDir !== 'string') || (given.targetWidth !== undefined && !(Number.isInteger(given.targetWidth) && given.targetWidth > 0)) || typeof givenTarget === 'string') {
        void vscode.window.showErrorMessage(`muP: transferHyperparameters takes {storeDir: string, targetWidth: positive integer, target?: {depth?, batch?, steps?, seqLen?, ...}, verify?: boolean}${typeof givenTarget === 'string' ? `: ${givenTarget}` : '.'}`);
        return undefined;
      }
      const picked = given.storeDir !== undefined ? { dir: given.storeDir, widths: runInfo({ kind: 'sweep', name: basename(given.storeDir), dir: given.storeDir, mtimeMs: 0 }).widths } : await pickStore();
      if (!picked) return undefined;
      const storeDir = picked.dir;
      const cfg = vscode.workspace.getConfiguration('mupLens');
      const { settings } = readSweepSettings((k) => cfg.get(k));
      const { settings: tset, problems } = readTransferSettings((k) => cfg.get(k));
      for (const p of problems) log.warn(p);
      const folder = vscode.workspace.workspaceFolders?.find((f) => storeDir.startsWith(f.uri.fsPath))?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      // The target: every axis asked for (pre-filled), or the arguments' with only a missing proxy value asked.
      let chosen: { width: number; target: TargetAxes } | undefined;
      try {
        const swept = sweptOf(storeDir, picked.widths, folder);
        const ask = given.targetWidth === undefined || given.askTarget === true;
        // (asked: the arguments' width and axes are the pre-filled values)
        const argAxes = Object.fromEntries((['depth', 'batch', 'steps', 'seqLen'] as const).filter((k) => givenTarget[k] !== undefined).map((k) => [k, givenTarget[k]]));
        // alpha: the arguments', else the setting where the user set it, else the scheme the sweep trained with
        const alpha = givenTarget.alpha ?? (schemeSetByUser(cfg) ? tset.alpha : (swept.alpha ?? tset.alpha));
        chosen = await askTransferTarget(inputBox, swept, { ...tset.defaults, ...argAxes, ...(given.targetWidth !== undefined ? { width: given.targetWidth } : {}) }, alpha,
          ask ? undefined : { width: given.targetWidth!, target: givenTarget });
      } catch (err) {
        if (!(err instanceof TransferTargetError)) throw err;
        void vscode.window.showErrorMessage(`muP: transfer: ${err.message}`);
        return undefined;
      }
      if (!chosen) return undefined;
      const { width: targetWidth, target } = chosen;
      const anyAxis = Object.keys(target).length > 0;
      const where = targetSummary(targetWidth, target);
      const verify = given.verify === true;
      const show = (view: Parameters<typeof showTransfer>[1]) => {
        try {
          showTransfer(storeDir, view);
        } catch (err) {
          // A store the panel cannot read (no trials yet): the notification and the output channel still say it.
          log.warn(`transfer: cannot show ${storeDir} in the panel: ${message(err)}`);
        }
      };
      const tv = anyAxis ? { target } : {};
      show({ targetWidth, ...tv, verify, status: 'running' });
      return withCancellableProgress(`muP: transfer to ${where}${verify ? ' (and verify)' : ''}`, async (progress, signal) => {
        try {
          const report = await runTransfer(
            {
              source: storeDir, targetWidth, ...(anyAxis ? { target } : {}), backend: settings.backend, workers: settings.workers, threads: settings.threads, cores: cpus().length, cwd: folder, signal,
              version: extensionVersion(),
              verify: verify ? { steps: given.steps ?? 0, spSource: given.spStoreDir } : undefined,
            },
            {
              onPhase: (m) => progress.report({ message: m }),
              onWarning: (m) => log.warn(`transfer: ${m}`),
              onStep: (label, step) => step % 25 === 0 && progress.report({ message: `${label}: step ${step + 1}` }),
            },
          );
          // The output channel gets what the CLI prints: the table, every factor with its source, the warnings.
          log.info(`transfer of ${storeDir} to ${where}:\n${formatTransferText(report)}`);
          show({ targetWidth, ...tv, verify, status: 'done', report });
          if (report.transfers && report.written) {
            const open = 'Open the file';
            const far = report.file?.axes?.warnings.length ?? 0;
            void vscode.window.showInformationMessage(`muP: wrote ${vscode.workspace.asRelativePath(report.written)} (the tuned values at ${where}${far ? `; ${far} warning${far === 1 ? '' : 's'}: see the panel` : ''}).`, open).then(
              (a) => (a === open ? vscode.window.showTextDocument(vscode.Uri.file(report.written!)) : undefined),
              () => undefined,
            );
          } else {
            void vscode.window.showWarningMessage(`muP: ${report.refusal ?? 'the values do not transfer'}`);
          }
          return report;
        } catch (err) {
          // An inconclusive sweep (issue 21, the CLI's exit 4) is a refusal, not a failure: said with the settings
          // that would settle it, never the CLI's flags.
          const unsure = err instanceof TransferInconclusiveError;
          const why = unsure ? settleInEditor(message(err)) : message(err);
          const cancelled = signal.aborted;
          show({ targetWidth, ...tv, verify, status: 'failed', message: cancelled ? 'cancelled' : why });
          if (unsure) {
            log.warn(`transfer refused: ${why}`);
            void vscode.window.showWarningMessage(`muP: transfer refused: ${why}`);
          } else if (err instanceof TransferInputError) void vscode.window.showErrorMessage(`muP: transfer: ${why}`);
          else if (!cancelled) reportFailure('transfer', err, log);
          return undefined;
        }
      });
    }),
  );
}
