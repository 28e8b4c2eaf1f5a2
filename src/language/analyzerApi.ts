// What the language features need from the analyzer, as a type only: the analyzer (with the TypeScript
// compiler inside, ~10 MB of JavaScript) is loaded lazily from its own bundle (dist/analyzer.js) on the first
// document that needs it, so that activation stays cheap. Unit tests pass the real module in directly.
import type { AnalysisResult, AnalyzeOptions, LayerInfo, RuleId } from '../analyzer/types';

export interface AnalyzerApi {
  analyze(text: string, fileName: string, options?: AnalyzeOptions): AnalysisResult;
  /** Markdown describing a layer's muP treatment, when the analyzer provides one. */
  describeLayer?(layer: LayerInfo, options?: AnalyzeOptions): string;
  /** Where a rule's documentation lives (http(s) URL), when the analyzer provides one. */
  ruleDocUrl?(rule: RuleId): string;
}
