// The language features' shared state on the extension host: settings, the per-version analysis cache, and the
// lazily loaded analyzer. The analyzer bundle (dist/analyzer.js, TypeScript compiler inside) is required on the
// first document that needs it, not at activation.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisResult, RuleId } from '../analyzer/types';
import type { AnalyzerApi } from './analyzerApi';
import { AnalysisCache, EMPTY_RESULT, type AnalysisOutcome } from './analysisCache';
import { requireWithCodeCache } from './codeCache';
import { analyzeOptions, DEFAULT_SETTINGS, parseLintSettings, type LintSettings } from './config';
import { isLintableDocument, LANGUAGES, SCHEMES } from './documents';
import { defaultRuleDocUrl } from './mapping';

export const DOCUMENT_SELECTOR: vscode.DocumentFilter[] = LANGUAGES.flatMap((language) =>
  SCHEMES.map((scheme) => ({ language, scheme })),
);

export function isLintable(doc: vscode.TextDocument): boolean {
  return isLintableDocument({ languageId: doc.languageId, scheme: doc.uri.scheme, path: doc.uri.path });
}

/** Where V8's compiled code of dist/analyzer.js is kept (the extension's global storage); unset: no cache. */
let codeCacheDir: string | undefined;
let codeCacheLog: ((message: string) => void) | undefined;

export function setAnalyzerCodeCache(dir: string | undefined, log?: (message: string) => void): void {
  codeCacheDir = dir;
  codeCacheLog = log;
}

/**
 * The analyzer bundle sits beside the extension bundle (dist/analyzer.js) and is compiled through a V8 code
 * cache. Run from source (unit tests under tsx) there is no bundle: the source module is used instead.
 */
export function loadAnalyzerBundle(): AnalyzerApi {
  // Computed paths: esbuild leaves them alone, so the TypeScript compiler stays out of dist/extension.js.
  const bundle = path.join(__dirname, 'analyzer.js');
  let mod: Partial<AnalyzerApi>;
  let target = bundle;
  if (existsSync(bundle)) {
    const started = performance.now();
    const loaded = requireWithCodeCache(bundle, codeCacheDir, { onProblem: codeCacheLog });
    mod = loaded.exports as Partial<AnalyzerApi>;
    codeCacheLog?.(`analyzer bundle compiled and run in ${(performance.now() - started).toFixed(0)} ms (code cache: ${loaded.cache})`);
  } else {
    target = path.join(__dirname, 'analyzerBundle');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(target) as Partial<AnalyzerApi>;
  }
  if (typeof mod.analyze !== 'function') throw new Error(`${target} exports no analyze()`);
  return mod as AnalyzerApi;
}

let shared: AnalyzerApi | undefined;

/**
 * The analyzer for any code on the extension host (commands listing a file's model factories, ...), loaded on
 * first use and shared with the language features. Import this instead of `../analyzer`: a static import puts
 * the TypeScript compiler (~10 MB) into dist/extension.js and into every activation.
 */
export function loadAnalyzer(): AnalyzerApi {
  shared ??= loadAnalyzerBundle();
  return shared;
}

export class LanguageService implements vscode.Disposable {
  readonly cache: AnalysisCache;
  settings: LintSettings = DEFAULT_SETTINGS;
  private analyzer: AnalyzerApi | undefined;
  private analyzerError: Error | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires after settings changed (every cached analysis is stale then). */
  readonly onDidChangeSettings = this.changeEmitter.event;
  private lastProblems = '';
  private docsBase: string | undefined | null = null;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionPath: string,
    private readonly load: () => AnalyzerApi = loadAnalyzer,
  ) {
    this.cache = new AnalysisCache(() => this.getAnalyzer(), log);
    this.readSettings();
  }

  /** Loads the analyzer once; a failure is logged and shown once, and retried on the next settings change. */
  getAnalyzer(): AnalyzerApi {
    if (this.analyzer) return this.analyzer;
    if (this.analyzerError) throw this.analyzerError;
    const started = performance.now();
    try {
      this.analyzer = this.load();
      this.log.info(`analyzer loaded in ${(performance.now() - started).toFixed(0)} ms`);
      return this.analyzer;
    } catch (err) {
      this.analyzerError = err instanceof Error ? err : new Error(String(err));
      this.log.error(`could not load the muP analyzer: ${this.analyzerError.message}`);
      void vscode.window.showErrorMessage(`muP: could not load the analyzer (${this.analyzerError.message}); see the muP output.`);
      throw this.analyzerError;
    }
  }

  readSettings(): void {
    const cfg = vscode.workspace.getConfiguration('mupLens');
    const { settings, problems } = parseLintSettings({
      baseWidth: cfg.get('baseWidth'),
      rules: cfg.get('rules'),
      lintDelayMs: cfg.get('lintDelayMs'),
    });
    this.settings = settings;
    this.cache.setOptions(analyzeOptions(settings));
    const joined = problems.join('\n');
    if (joined && joined !== this.lastProblems) {
      for (const p of problems) this.log.warn(p);
      void vscode.window.showWarningMessage(`muP settings: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, see the muP output)` : ''}`);
    }
    this.lastProblems = joined;
  }

  /** Called on a configuration change that affects `mupLens`. */
  reloadSettings(): void {
    this.analyzerError = undefined;
    this.readSettings();
    this.changeEmitter.fire();
  }

  /** The analysis of this version of the document (cached per version; empty for excluded documents). Never throws. */
  analysisFor(doc: vscode.TextDocument): AnalysisOutcome {
    if (!isLintable(doc)) return { version: doc.version, result: EMPTY_RESULT, skipped: 'excluded' };
    return this.cache.get({
      uri: doc.uri.toString(),
      version: doc.version,
      fileName: doc.fileName,
      languageId: doc.languageId,
      getText: () => doc.getText(),
    });
  }

  resultFor(doc: vscode.TextDocument): AnalysisResult {
    return this.analysisFor(doc).result;
  }

  /**
   * The rule's section in the docs: the extension's own docs/rules.md when it ships one (works offline, opens in
   * the editor), else the repository's page on the web.
   */
  ruleDocUrl(rule: RuleId): string {
    if (this.docsBase === null) {
      const local = path.join(this.extensionPath, 'docs', 'rules.md');
      this.docsBase = existsSync(local) ? vscode.Uri.file(local).toString() : undefined;
    }
    let url = defaultRuleDocUrl(rule);
    try {
      if (this.analyzer) url = this.analyzer.ruleDocUrl(rule, this.docsBase);
    } catch {
      // keep the default
    }
    return url;
  }

  forget(doc: vscode.TextDocument): void {
    this.cache.delete(doc.uri.toString());
  }

  dispose(): void {
    this.changeEmitter.dispose();
    this.cache.clear();
  }
}
