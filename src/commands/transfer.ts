// "muP: Transfer Tuned Hyperparameters to a Width" (`mupLens.transferHyperparameters`): from a finished muP sweep
// (the panel's "Transfer to width N" button, or a stored sweep picked from the palette), the tuned values at the
// target width: the transfer file next to the model and its table in the sweep's panel; with `verify`, the target
// width trained with them and with the proxy's best SP values, both loss curves in the panel. The model is built
// in worker processes (src/host/transfer.ts), never here. Same rules as the other commands (./runner.ts).
import { cpus } from 'node:os';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { runTransfer, TransferInconclusiveError, TransferInputError } from '../host/transfer';
import { runInfo } from '../panels/runInfo';
import { listStoredRuns } from '../panels/storedRuns';
import { showTransfer } from '../panels';
import { readSweepSettings } from '../settings/sweep';
import { formatTransferText, type TransferReport } from '../sweep/transfer';
import { extensionVersion, message, reportFailure, trusted, withCancellableProgress, type CommandDeps } from './runner';

export interface TransferArgs {
  /** The sweep's store (`.mup/sweeps/<name>`); absent: a quick pick of the stored sweeps. */
  storeDir?: string;
  /** Absent: asked for (the setting mupLens.sweep.targetWidth, else 4x the widest width swept, as the default). */
  targetWidth?: number;
  /** Also train the target width twice (transferred muP values, the proxy's best SP values). */
  verify?: boolean;
  /** Steps of each verification run (default: the sweep's). */
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
  const ready = infos.filter((i) => i.finished && i.parametrizations.includes('mup') && !/\binconclusive\b/.test(i.description));
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

/** The target width, prefilled with the setting or else 8x the widest width swept (the usual proxy ratio). */
async function askWidth(dflt: number | undefined, swept: number[]): Promise<number | undefined> {
  const widest = swept.length ? Math.max(...swept) : undefined;
  const value = dflt ?? (widest ? widest * 8 : undefined);
  const text = await vscode.window.showInputBox({
    title: 'muP: Transfer Tuned Hyperparameters',
    prompt: `The width you will train at${swept.length ? ` (the sweep ran widths ${swept.join(', ')})` : ''}`,
    value: value ? String(value) : '',
    validateInput: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) > 0 ? undefined : 'a positive whole number'),
  });
  return text === undefined ? undefined : Number(text);
}

export function registerTransfer(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('mupLens.transferHyperparameters', async (args?: TransferArgs): Promise<TransferReport | undefined> => {
      if (!trusted('a transfer')) return undefined;
      const given = (typeof args === 'object' && args !== null ? args : {}) as TransferArgs;
      if ((given.storeDir !== undefined && typeof given.storeDir !== 'string') || (given.targetWidth !== undefined && !(Number.isInteger(given.targetWidth) && given.targetWidth > 0))) {
        void vscode.window.showErrorMessage('muP: transferHyperparameters takes {storeDir: string, targetWidth: positive integer, verify?: boolean}.');
        return undefined;
      }
      const picked = given.storeDir !== undefined ? { dir: given.storeDir, widths: runInfo({ kind: 'sweep', name: basename(given.storeDir), dir: given.storeDir, mtimeMs: 0 }).widths } : await pickStore();
      if (!picked) return undefined;
      const storeDir = picked.dir;
      const cfg = vscode.workspace.getConfiguration('mupLens');
      const { settings } = readSweepSettings((k) => cfg.get(k));
      const targetWidth = given.targetWidth ?? (await askWidth(settings.targetWidth, picked.widths));
      if (!targetWidth) return undefined;
      const verify = given.verify === true;
      const folder = vscode.workspace.workspaceFolders?.find((f) => storeDir.startsWith(f.uri.fsPath))?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      const show = (view: Parameters<typeof showTransfer>[1]) => {
        try {
          showTransfer(storeDir, view);
        } catch (err) {
          // A store the panel cannot read (no trials yet): the notification and the output channel still say it.
          log.warn(`transfer: cannot show ${storeDir} in the panel: ${message(err)}`);
        }
      };
      show({ targetWidth, verify, status: 'running' });
      return withCancellableProgress(`muP: transfer to width ${targetWidth}${verify ? ' (and verify)' : ''}`, async (progress, signal) => {
        try {
          const report = await runTransfer(
            {
              source: storeDir, targetWidth, backend: settings.backend, workers: settings.workers, threads: settings.threads, cores: cpus().length, cwd: folder, signal,
              version: extensionVersion(),
              verify: verify ? { steps: given.steps ?? 0, spSource: given.spStoreDir } : undefined,
            },
            {
              onPhase: (m) => progress.report({ message: m }),
              onWarning: (m) => log.warn(`transfer: ${m}`),
              onStep: (label, step) => step % 25 === 0 && progress.report({ message: `${label}: step ${step + 1}` }),
            },
          );
          log.info(`transfer of ${storeDir} to width ${targetWidth}:\n${formatTransferText(report)}`);
          show({ targetWidth, verify, status: 'done', report });
          if (report.transfers && report.written) {
            const open = 'Open the file';
            void vscode.window.showInformationMessage(`muP: wrote ${vscode.workspace.asRelativePath(report.written)} (the tuned values at width ${targetWidth}).`, open).then(
              (a) => (a === open ? vscode.window.showTextDocument(vscode.Uri.file(report.written!)) : undefined),
              () => undefined,
            );
          } else {
            void vscode.window.showWarningMessage(`muP: ${report.refusal ?? 'the values do not transfer'}`);
          }
          return report;
        } catch (err) {
          const why = message(err);
          const cancelled = signal.aborted;
          show({ targetWidth, verify, status: 'failed', message: cancelled ? 'cancelled' : why });
          if (err instanceof TransferInputError) void vscode.window.showErrorMessage(`muP: transfer: ${why}`);
          else if (err instanceof TransferInconclusiveError) void vscode.window.showWarningMessage(`muP: transfer: ${why}`);
          else if (!cancelled) reportFailure('transfer', err, log);
          return undefined;
        }
      });
    }),
  );
}
