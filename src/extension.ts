// The extension's table of contents: each line wires one feature, whose logic lives in the module it names.
// Nothing heavy happens here: tfjs and user code only ever run in the worker process (src/worker).
import * as vscode from 'vscode';
import { registerLanguageFeatures, stopLanguageFeatures } from './client';
import { registerCoordinateCheck } from './commands/coordCheck';
import { registerSweep } from './commands/sweep';
import { registerTransfer } from './commands/transfer';
import { registerEditorCommands } from './commands/editorCommands';
import { registerPanel } from './panels';
import { openReport } from './panels/report';
import { registerRunsView } from './panels/runsView';

export interface ActivationInfo {
  /** Milliseconds of extension-host time spent in activate(). */
  activationMs: number;
}

let activationInfo: ActivationInfo | undefined;

export function activate(context: vscode.ExtensionContext): ActivationInfo {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('muP', { log: true });
  context.subscriptions.push(log);
  try {
    const language = registerLanguageFeatures(context, log);
    // The commands that run a model take its factories from the language server's analysis of the document.
    const commands = {
      log,
      factoriesOf: async (doc: vscode.TextDocument) => (await language.analysisOf(doc)).factories,
      // What the file is written in (SP or muP) comes from the same findings its Problems show.
      findingsOf: async (doc: vscode.TextDocument) => (await language.analysisOf(doc)).findings,
    };
    registerCoordinateCheck(context, commands);
    registerSweep(context, commands);
    registerTransfer(context, commands);
    registerPanel(context, log);
    registerEditorCommands(context, log, registerRunsView(context, openReport, log));
  } catch (err) {
    // Report our own activation failure instead of leaving the user with silently missing features.
    const message = err instanceof Error ? err.message : String(err);
    log.error(`activation failed: ${message}`);
    void vscode.window.showErrorMessage(`muP: activation failed: ${message}`);
    throw err;
  }
  activationInfo = { activationMs: performance.now() - started };
  log.info(`activated in ${activationInfo.activationMs.toFixed(1)} ms`);
  return activationInfo;
}

export function deactivate(): Promise<void> {
  // Disposables are pushed to context.subscriptions; workers are tied to them. The language server is stopped
  // with the shutdown/exit handshake, which VS Code waits for.
  return stopLanguageFeatures();
}

/** For the integration tests (the exported API of the extension). */
export function getActivationInfo(): ActivationInfo | undefined {
  return activationInfo;
}
