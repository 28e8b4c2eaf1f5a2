// Quick fixes for muP diagnostics: keyed on `context.diagnostics` (ours: source 'muP', code a rule id), each
// analyzer fix becomes a CodeAction with a WorkspaceEdit linked to its diagnostic, the analyzer's preferred
// fix is marked, and "Suppress <rule> for this line" is always offered.
import * as vscode from 'vscode';
import { codeActionsForFinding, DIAGNOSTIC_SOURCE, findingForDiagnostic } from './mapping';
import { toVsRange } from './diagnostics';
import type { LanguageService } from './service';

export function diagnosticRule(d: vscode.Diagnostic): unknown {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const code = d.code;
  return typeof code === 'object' && code !== null ? code.value : code;
}

export class MupCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(
    private readonly service: LanguageService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    try {
      if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
      const ours = context.diagnostics.filter((d) => diagnosticRule(d) !== undefined);
      if (ours.length === 0) return [];
      // Same version as the diagnostics in the common case: the cached analysis, no re-parse.
      const { findings } = this.service.resultFor(document);
      const text = document.getText();
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of ours) {
        const range = {
          start: { line: diagnostic.range.start.line, character: diagnostic.range.start.character },
          end: { line: diagnostic.range.end.line, character: diagnostic.range.end.character },
        };
        const finding = findingForDiagnostic(findings, diagnosticRule(diagnostic), range);
        if (!finding) continue; // the document moved on since this diagnostic; its fixes would not apply
        for (const plain of codeActionsForFinding(finding, text)) {
          const action = new vscode.CodeAction(plain.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = plain.isPreferred;
          const edit = new vscode.WorkspaceEdit();
          for (const e of plain.edits) edit.replace(document.uri, toVsRange(e.range), e.newText);
          action.edit = edit;
          actions.push(action);
        }
      }
      return actions;
    } catch (err) {
      this.log.error(`quick fixes for ${document.uri.toString()} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return [];
    }
  }
}
