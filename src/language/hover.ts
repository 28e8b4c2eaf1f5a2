// Hover on a layer call: its role, which dimensions scale with width, and the init, LR multipliers and output
// multiplier muP wants for it, from the cached analysis of this version.
import * as vscode from 'vscode';
import { layerHoverMarkdown } from './hoverText';
import { layerAtPosition, toRange0 } from './mapping';
import { toVsRange } from './diagnostics';
import type { LanguageService } from './service';

export class MupHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly service: LanguageService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const { layers } = this.service.resultFor(document);
      const layer = layerAtPosition(layers, { line: position.line, character: position.character });
      if (!layer) return undefined;
      const options = this.service.cache.getOptions();
      let text: string | undefined;
      try {
        text = this.service.getAnalyzer().describeLayer?.(layer, options);
      } catch (err) {
        this.log.warn(`describeLayer failed, using the built-in description: ${err instanceof Error ? err.message : String(err)}`);
      }
      const md = new vscode.MarkdownString(text ?? layerHoverMarkdown(layer, this.service.settings.baseWidth));
      md.supportThemeIcons = true;
      return new vscode.Hover(md, toVsRange(toRange0(layer)));
    } catch (err) {
      this.log.error(`hover for ${document.uri.toString()} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    }
  }
}
