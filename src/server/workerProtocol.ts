// Messages between the language server's main thread and its analysis worker thread (./analysisWorker.ts).
// One request at a time per id; exhaustively switched on both sides.
import type { AnalysisResult, AnalyzeOptions, LayerInfo } from '../analyzer/types';

export type ToWorker =
  | { type: 'analyze'; id: number; text: string; fileName: string; options: AnalyzeOptions }
  | { type: 'hover'; id: number; layers: LayerInfo[]; line: number; column: number; baseWidth: number };

export type FromWorker =
  | { type: 'ready'; loadMs: number; codeCache: string }
  | { type: 'load-failed'; message: string }
  | { type: 'analyzed'; id: number; result: AnalysisResult; ms: number }
  | { type: 'hovered'; id: number; hover: { layer: LayerInfo; markdown: string } | null }
  | { type: 'failed'; id: number; message: string };

export interface WorkerData {
  /** Where V8's compiled code of dist/analyzer.js is kept; unset: no cache. */
  codeCacheDir?: string;
}
