// What the language server (src/server) and its clients (the VS Code extension's src/client/client.ts, other
// editors) agree on beyond standard LSP: the `mup/analysis` request, the initialization options, the settings
// as they travel. Types and method names only: both sides import this module, and the extension's eagerly
// loaded code must not pull the protocol library in.
import type { Finding, LayerInfo, ModelFactory } from '../analyzer/types';

/** The raw values of `mupLens.baseWidth`, `mupLens.rules`, `mupLens.lintDelayMs` (undefined when unset). */
export interface RawLintSettings {
  baseWidth?: unknown;
  rules?: unknown;
  lintDelayMs?: unknown;
}

/**
 * `mup/analysis`: the analysis of a document as the server holds it (its current version, the one its
 * diagnostics show), for features that need more than diagnostics: the coordinate-check and sweep commands
 * (model factories, layers with their source lines). Findings carry the severities of the settings (rules
 * turned off are left out). A document the server was not sent (`didOpen`) is analysed from `text` when
 * given, else the answer is null.
 */
export const ANALYSIS_REQUEST = 'mup/analysis';

export interface AnalysisParams {
  textDocument: { uri: string };
  /** The document's text, for a document the server has not been sent. */
  text?: string;
  /** Its language id (typescript, typescriptreact, javascript, javascriptreact); default from the file name. */
  languageId?: string;
}

export type SkipReason = 'too-large' | 'analyzer-failed' | 'excluded';

export interface DocumentAnalysis {
  uri: string;
  /** The document version analysed; null for text sent with the request. */
  version: number | null;
  findings: Finding[];
  layers: LayerInfo[];
  factories: ModelFactory[];
  /** Why there is nothing: the file is over the size limit, the analyzer failed, or it is not a lintable document. */
  skipped?: SkipReason;
}

/** `initializationOptions` of the `initialize` request; all optional. */
export interface InitializationOptions {
  /** Answer textDocument/codeLens with the "Coordinate check | LR sweep" lenses (commands of the VS Code extension). */
  codeLens?: boolean;
  /** Hover markdown may use VS Code theme icons (`$(warning)`); otherwise plain text is used. */
  themeIcons?: boolean;
  /** A folder for V8's compiled code of the analyzer (faster start from the second session on). */
  codeCacheDir?: string;
  /** Base of the rule docs links (e.g. a file URI of an installed docs/rules.md); default: the repository on the web. */
  docsUrl?: string;
  /** `mupLens` settings for clients without workspace/configuration (e.g. {rules: {"mup/init-fan-avg": "off"}}). */
  settings?: RawLintSettings;
}

/** The code action kind of "fix all muP problems" (`"editor.codeActionsOnSave": {"source.fixAll.mup": "explicit"}`). */
export const FIX_ALL_KIND = 'source.fixAll.mup';

/** The settings section the server reads through workspace/configuration. */
export const SETTINGS_SECTION = 'mupLens';
