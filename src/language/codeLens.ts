// "Coordinate check | LR sweep" above each exported model factory, only in a trusted workspace (both run the
// user's code in the worker). Lenses appear as soon as the user grants trust; `mupLens.codeLens: false` hides them.
import * as vscode from 'vscode';
import { codeLensesForFactories } from './mapping';
import { toVsRange } from './diagnostics';
import type { LanguageService } from './service';

export class MupCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly service: LanguageService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables = [
      this.changed,
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mupLens.codeLens')) this.changed.fire();
      }),
      service.onDidChangeSettings(() => this.changed.fire()),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    if (vscode.workspace.getConfiguration('mupLens').get('codeLens') === false) return [];
    try {
      const { factories } = this.service.resultFor(document);
      return codeLensesForFactories(factories, document.uri.toString()).map(
        (l) => new vscode.CodeLens(toVsRange(l.range), { title: l.title, command: l.command, arguments: l.arguments }),
      );
    } catch (err) {
      this.log.error(`code lenses for ${document.uri.toString()} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return [];
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
