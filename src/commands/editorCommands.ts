// The commands a user of other language extensions looks for (issue 23.7): "muP: Show Output", "muP: Restart
// Language Server", "muP: Open Report", and a status-bar item that is there whenever a JS/TS file is open and opens
// a menu of the muP commands when clicked.
import * as vscode from 'vscode';
import { restartLanguageFeatures } from '../client';
import { openReport } from '../panels/report';
import type { RunsView } from '../panels/runsView';
import { message } from './runner';

const MODEL_LANGUAGES = /^(typescript|javascript)(react)?$/;

export function registerEditorCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, runs: RunsView): void {
  const item = vscode.window.createStatusBarItem('mupLens.menu', vscode.StatusBarAlignment.Right, 99);
  item.name = 'muP';
  item.text = '$(pulse) muP';
  item.tooltip = 'muP: run a coordinate check or a sweep, open results, show the output';
  item.command = 'mupLens.showMenu';
  const update = (e: vscode.TextEditor | undefined) => (e && MODEL_LANGUAGES.test(e.document.languageId) ? item.show() : item.hide());
  update(vscode.window.activeTextEditor);

  context.subscriptions.push(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.commands.registerCommand('mupLens.showOutput', () => log.show(true)),
    vscode.commands.registerCommand('mupLens.restartServer', async () => {
      try {
        await restartLanguageFeatures();
        void vscode.window.showInformationMessage('muP: the language server restarted.');
      } catch (err) {
        log.error(`restart failed: ${message(err)}`);
        void vscode.window.showErrorMessage(`muP: the language server did not restart (${message(err)}); see the muP output.`);
      }
    }),
    vscode.commands.registerCommand('mupLens.openReport', (file?: unknown) => {
      if (typeof file === 'string' && file) return openReport(file) ? true : false;
      void vscode.window.showErrorMessage('muP: openReport takes the path of a report (index.html or report.html).');
      return false;
    }),
    vscode.commands.registerCommand('mupLens.showMenu', async () => {
      const trusted = vscode.workspace.isTrusted;
      const entries: Array<vscode.QuickPickItem & { command: string }> = [
        ...(trusted
          ? [
              { label: '$(beaker) Run Coordinate Check', description: 'of the active file', command: 'mupLens.runCoordinateCheck' },
              { label: '$(graph-line) Run LR Sweep', description: 'of the active file', command: 'mupLens.runSweep' },
            ]
          : []),
        { label: '$(wand) Fix All muP Problems', description: 'in the active file', command: 'mupLens.fixAll' },
        { label: '$(history) Show Stored Runs', command: `${'mupLens.runs'}.focus` },
        { label: '$(output) Show Output', command: 'mupLens.showOutput' },
        { label: '$(debug-restart) Restart Language Server', command: 'mupLens.restartServer' },
      ];
      const pick = await vscode.window.showQuickPick(entries, { title: 'muP' });
      if (pick) await vscode.commands.executeCommand(pick.command);
    }),
    // The source action as a palette and menu command, as ESLint's "Fix all auto-fixable Problems".
    vscode.commands.registerCommand('mupLens.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !MODEL_LANGUAGES.test(editor.document.languageId)) {
        void vscode.window.showErrorMessage('muP: open a TypeScript or JavaScript file to fix its muP problems.');
        return;
      }
      await vscode.commands.executeCommand('editor.action.sourceAction', { kind: 'source.fixAll.mup', apply: 'first' });
    }),
    vscode.commands.registerCommand('mupLens._runsView', () => runs.items()),
  );
}
