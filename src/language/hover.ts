// Hover on a layer call: its role, which dimensions scale with width, and the init, LR multipliers and output
// multiplier muP wants for it (the analyzer's describeLayer), from the cached analysis of this version.
import * as vscode from 'vscode';
import { toRange0 } from './mapping';
import { toVsRange } from './diagnostics';
import type { LanguageService } from './service';

export class MupHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly service: LanguageService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const outcome = this.service.analysisFor(document);
      if (outcome.skipped) return undefined;
      const analyzer = this.service.getAnalyzer();
      const layer = analyzer.layerAt(outcome.result, position.line + 1, position.character + 1);
      if (!layer) return undefined;
      const md = new vscode.MarkdownString(analyzer.describeLayer(layer, this.service.settings.baseWidth).markdown);
      md.supportThemeIcons = true;
      return new vscode.Hover(md, toVsRange(toRange0(layer)));
    } catch (err) {
      this.log.error(`hover for ${document.uri.toString()} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    }
  }
}
