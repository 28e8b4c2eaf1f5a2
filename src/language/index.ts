// The language features of mup-lens: diagnostics, quick fixes, hovers and CodeLenses for JS/TS documents.
// Registration only: nothing here parses anything; the analyzer loads on the first document that needs it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisResult } from '../analyzer/types';
import { MupCodeActionProvider } from './codeActions';
import { MupCodeLensProvider } from './codeLens';
import { DiagnosticsController } from './diagnostics';
import { MupHoverProvider } from './hover';
import { DOCUMENT_SELECTOR, LanguageService, setAnalyzerCodeCache } from './service';

export { loadAnalyzer } from './service';

/** What other features (and the extension's exported API, for integration tests) can use. */
export interface LanguageFeatures {
  /** Fires after a document's muP diagnostics were set, with their count (0 included). */
  readonly onDidLint: vscode.Event<{ uri: vscode.Uri; version: number; count: number }>;
  /** The analysis of this version of a document (cached per version, never throws). */
  analysisFor(document: vscode.TextDocument): AnalysisResult;
}

export function registerLanguageFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageFeatures {
  // V8's compiled code of the analyzer bundle, kept between sessions (see ./codeCache.ts).
  // A per-user folder only (a shared one would let another user plant compiled code); globalStorageUri is not a
  // file: URI in every host, the older globalStoragePath always is a path.
  const storage = context.globalStorageUri?.scheme === 'file' ? context.globalStorageUri.fsPath : context.globalStoragePath;
  setAnalyzerCodeCache(storage ? path.join(storage, 'v8-cache') : undefined, (m) => log.info(m));
  const service = new LanguageService(log, context.extensionPath);
  const diagnostics = new DiagnosticsController(service, log);
  const lenses = new MupCodeLensProvider(service, log);
  context.subscriptions.push(
    service,
    diagnostics,
    lenses,
    vscode.languages.registerCodeActionsProvider(DOCUMENT_SELECTOR, new MupCodeActionProvider(service, log), MupCodeActionProvider.metadata),
    vscode.languages.registerHoverProvider(DOCUMENT_SELECTOR, new MupHoverProvider(service, log)),
    vscode.languages.registerCodeLensProvider(DOCUMENT_SELECTOR, lenses),
  );
  return { onDidLint: diagnostics.onDidLint, analysisFor: (doc) => service.resultFor(doc) };
}
