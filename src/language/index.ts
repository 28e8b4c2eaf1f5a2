// The language features of mup-lens: diagnostics, quick fixes, hovers and CodeLenses for JS/TS documents.
// Registration only: nothing here parses anything; the analyzer loads on the first document that needs it.
import * as vscode from 'vscode';
import { MupCodeActionProvider } from './codeActions';
import { MupCodeLensProvider } from './codeLens';
import { DiagnosticsController } from './diagnostics';
import { MupHoverProvider } from './hover';
import { DOCUMENT_SELECTOR, LanguageService } from './service';

export function registerLanguageFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const service = new LanguageService(log, context.extensionPath);
  const diagnostics = new DiagnosticsController(service, log);
  const lenses = new MupCodeLensProvider(service, log);
  context.subscriptions.push(
    service,
    diagnostics,
    lenses,
    vscode.languages.registerCodeActionsProvider(DOCUMENT_SELECTOR, new MupCodeActionProvider(service, log), MupCodeActionProvider.metadata),
    vscode.languages.registerHoverProvider(DOCUMENT_SELECTOR, new MupHoverProvider(service, log)),
    vscode.languages.registerCodeLensProvider(DOCUMENT_SELECTOR, lenses),
  );
}
