// What an analysis of an editor's document needs to know (its snapshot, the file name the analyzer sees, the
// size limit) and gives when it did not run. The per-version cache itself is the language server's
// (src/server/analyses.ts). Pure: no `vscode`.
import type { AnalysisResult } from '../analyzer/types';

/** The parts of a vscode.TextDocument the analysis needs. */
export interface DocumentSnapshot {
  uri: string;
  version: number;
  fileName: string;
  languageId: string;
  getText(): string;
}

export interface CacheLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** 1 MB of text is ~25k lines: far more than a model file; past it, analysing at every keystroke costs too much. */
export const DEFAULT_MAX_CHARS = 1_000_000;

/** Shared by every skipped document: frozen, so that no consumer can add to it. */
export const EMPTY_RESULT: AnalysisResult = Object.freeze({
  findings: Object.freeze([]),
  layers: Object.freeze([]),
  factories: Object.freeze([]),
}) as unknown as AnalysisResult;

const EXT_FOR_LANGUAGE: Record<string, string> = {
  typescript: '.ts',
  typescriptreact: '.tsx',
  javascript: '.js',
  javascriptreact: '.jsx',
};

/**
 * The file name the analyzer sees: it picks TS/TSX/JS/JSX parsing from the extension, which an untitled
 * document ("Untitled-1") or an unusual one (a `.ts` shown as typescriptreact) does not tell.
 */
export function analyzerFileName(fileName: string, languageId: string): string {
  const ext = EXT_FOR_LANGUAGE[languageId];
  if (!ext) return fileName;
  const known = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i.exec(fileName);
  if (known) {
    // A JSX-capable language on a file whose extension says otherwise: trust the language mode.
    const isJsx = /x$/i.test(known[1]);
    const wantsJsx = ext.endsWith('x');
    return isJsx === wantsJsx ? fileName : fileName + ext;
  }
  return fileName + ext;
}
