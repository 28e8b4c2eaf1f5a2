// What the language server's analysis threads and the ESLint plugin need from the analyzer (src/analyzer), as
// a type only: the analyzer (with the TypeScript compiler inside, ~10 MB of JavaScript) is loaded from its own
// bundle (dist/analyzer.js, built from ./analyzerBundle.ts), so that no other bundle carries it. Unit tests pass
// the real module in directly.
import type { AnalysisResult, AnalyzeOptions, LayerInfo, RuleId, Severity } from '../analyzer/types';

export interface AnalyzerApi {
  analyze(text: string, fileName: string, options?: AnalyzeOptions): AnalysisResult;
  /** The hover text of a layer (markdown, with theme icons). */
  describeLayer(layer: LayerInfo, baseWidth?: number): { markdown: string };
  /** The innermost layer whose constructing call contains the 1-based position. */
  layerAt(result: AnalysisResult, line: number, column: number): LayerInfo | undefined;
  /** Link to a rule's docs; `base` is the docs page (default: the repository's docs/rules.md on the web). */
  ruleDocUrl(rule: RuleId, base?: string): string;
  /** The rules: default severity and one-line summary of each (the ESLint plugin's rule meta). */
  RULES: Record<RuleId, { severity: Severity; summary: string }>;
}
