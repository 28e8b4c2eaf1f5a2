// One analysis per document version: diagnostics, quick fixes, hovers and CodeLenses of the same version all
// read the same result instead of re-parsing. The analyzer is guarded here, so that a bug in it (or a file
// too large to analyse on the extension host) costs the user its findings, never the host. Pure: no `vscode`.
import type { AnalysisResult, AnalyzeOptions } from '../analyzer/types';
import type { AnalyzerApi } from './analyzerApi';

/** The parts of a vscode.TextDocument the analysis needs. */
export interface DocumentSnapshot {
  uri: string;
  version: number;
  fileName: string;
  languageId: string;
  getText(): string;
}

export interface AnalysisOutcome {
  version: number;
  result: AnalysisResult;
  /** Why the document was not analysed, or what went wrong (already logged). */
  skipped?: 'too-large' | 'analyzer-failed' | 'excluded';
  detail?: string;
}

export interface CacheLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** 1 MB of text is ~25k lines: far more than a model file; past it the analysis would block the host. */
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

export class AnalysisCache {
  private readonly entries = new Map<string, AnalysisOutcome>();
  private options: AnalyzeOptions = {};
  private readonly reportedTooLarge = new Set<string>();
  /** The last failure logged per document: the same failure is not logged again at every keystroke. */
  private readonly reportedFailure = new Map<string, string>();
  /** How many times the analyzer ran (for tests: hovers and code actions must not re-analyse). */
  analyses = 0;

  constructor(
    private readonly loadAnalyzer: () => Pick<AnalyzerApi, 'analyze'>,
    private readonly log: CacheLog,
    private readonly maxChars = DEFAULT_MAX_CHARS,
  ) {}

  /** New options invalidate every cached result. */
  setOptions(options: AnalyzeOptions): void {
    this.options = options;
    this.entries.clear();
  }

  getOptions(): AnalyzeOptions {
    return this.options;
  }

  /** The cached result for this exact version, if any. */
  peek(uri: string, version: number): AnalysisOutcome | undefined {
    const e = this.entries.get(uri);
    return e && e.version === version ? e : undefined;
  }

  get(doc: DocumentSnapshot): AnalysisOutcome {
    const cached = this.peek(doc.uri, doc.version);
    if (cached) return cached;
    const outcome = this.analyze(doc);
    this.entries.set(doc.uri, outcome);
    return outcome;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.reportedTooLarge.delete(uri);
    this.reportedFailure.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }

  private analyze(doc: DocumentSnapshot): AnalysisOutcome {
    const text = doc.getText();
    if (text.length > this.maxChars) {
      if (!this.reportedTooLarge.has(doc.uri)) {
        this.reportedTooLarge.add(doc.uri);
        this.log.info(
          `skipped ${doc.uri}: ${text.length} characters is more than the ${this.maxChars} analysed on the editor's host; run \`mup-lens lint\` on it instead`,
        );
      }
      return { version: doc.version, result: EMPTY_RESULT, skipped: 'too-large' };
    }
    this.reportedTooLarge.delete(doc.uri);
    try {
      const analyzer = this.loadAnalyzer();
      this.analyses += 1;
      const result = analyzer.analyze(text, analyzerFileName(doc.fileName, doc.languageId), this.options);
      if (!result || !Array.isArray(result.findings)) throw new Error('the analyzer returned no result');
      this.reportedFailure.delete(doc.uri);
      return {
        version: doc.version,
        result: { findings: result.findings, layers: result.layers ?? [], factories: result.factories ?? [] },
      };
    } catch (err) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (this.reportedFailure.get(doc.uri) !== detail) {
        this.reportedFailure.set(doc.uri, detail);
        this.log.error(`analysis of ${doc.uri} (version ${doc.version}) failed: ${detail}`);
      }
      return { version: doc.version, result: EMPTY_RESULT, skipped: 'analyzer-failed', detail };
    }
  }
}
