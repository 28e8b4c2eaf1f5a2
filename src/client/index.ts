// The language features of mup-lens (diagnostics, quick fixes, fix all, hovers, CodeLenses) come from the
// language server (src/server), in its own process: the extension host never loads the analyzer (the
// TypeScript compiler) for them. Activation only schedules the start: the client library is loaded from its
// own bundle (dist/languageClient.js, ./client.ts) right after activate() returns, through a V8 code cache.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DocumentAnalysis } from '../protocol/lsp';
import type { MupLanguageClient, StartOptions } from './client';
import { requireWithCodeCache } from '../languageService/codeCache';

export type { DocumentAnalysis } from '../protocol/lsp';

/** What other features (the coordinate-check and sweep commands, tests) can use. */
export interface LanguageFeatures {
  /** The language server's analysis of the document's current version (see documentAnalysis()). */
  analysisOf(document: vscode.TextDocument): Promise<DocumentAnalysis>;
}

let client: Promise<MupLanguageClient> | undefined;

/**
 * The language server's analysis of a document: its current version, the one its diagnostics show, with the
 * model factories, the layers (with their source lines) and the findings as shown (settings applied). For a
 * document the server was not sent (not open, or not a JS/TS language), the text is analysed as sent.
 * Rejects with a one-line reason when the server is not running (the muP output says why it did not start).
 */
export async function documentAnalysis(document: vscode.TextDocument): Promise<DocumentAnalysis> {
  const running = client;
  if (!running) throw new Error('the muP language server is not running');
  let c: MupLanguageClient;
  try {
    c = await running;
  } catch (err) {
    throw new Error(`the muP language server did not start (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const analysis = await c.analysis(document);
  if (!analysis) throw new Error(`the muP language server has no analysis of ${document.uri.toString()}`);
  return analysis;
}

function loadClientBundle(log: vscode.LogOutputChannel, cacheDir: string | undefined): typeof import('./client') {
  // A computed path: esbuild leaves it alone, so vscode-languageclient stays out of dist/extension.js.
  const bundle = path.join(__dirname, 'languageClient.js');
  if (existsSync(bundle)) {
    const started = performance.now();
    const loaded = requireWithCodeCache(bundle, cacheDir, { onProblem: (m) => log.info(m) });
    log.info(`language client loaded in ${(performance.now() - started).toFixed(0)} ms (code cache: ${loaded.cache})`);
    return loaded.exports as typeof import('./client');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, 'client')) as typeof import('./client');
}

export function registerLanguageFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageFeatures {
  // V8's compiled code of the client and analyzer bundles, kept between sessions (see ./codeCache.ts).
  // A per-user folder only (a shared one would let another user plant compiled code); globalStorageUri is not a
  // file: URI in every host, the older globalStoragePath always is a path.
  const storage = context.globalStorageUri?.scheme === 'file' ? context.globalStorageUri.fsPath : context.globalStoragePath;
  const cacheDir = storage ? path.join(storage, 'v8-cache') : undefined;
  const localDocs = path.join(context.extensionPath, 'docs', 'rules.md');
  const options: StartOptions = {
    serverModule: path.join(context.extensionPath, 'dist', 'server.js'),
    codeCacheDir: cacheDir,
    docsUrl: existsSync(localDocs) ? vscode.Uri.file(localDocs).toString() : undefined,
  };
  let stopped = false;
  let started: Promise<MupLanguageClient>;
  const start = (): void => {
    const now = new Promise<MupLanguageClient>((resolve, reject) => {
      setTimeout(() => {
        if (stopped) return reject(new Error('the extension was deactivated'));
        try {
          loadClientBundle(log, cacheDir).startClient(log, options).then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      }, 0);
    });
    now.catch((err: unknown) => {
      if (stopped) return;
      const message = err instanceof Error ? err.message : String(err);
      log.error(`the muP language server did not start: ${err instanceof Error ? (err.stack ?? message) : message}`);
      void vscode.window.showErrorMessage(`muP: the language server did not start (${message}); see the muP output.`);
    });
    started = now;
    client = now;
  };
  start();
  const stop = (): Promise<void> => {
    stopped = true;
    if (client === started) client = undefined;
    return started.then((c) => c.stop()).catch(() => {});
  };
  stopClient = stop;
  // "muP: Restart Language Server": stop this server (shutdown/exit) and start a fresh one, as other language
  // extensions' "Restart Server" commands do.
  restartClient = async () => {
    const old = started;
    await old.then((c) => c.stop()).catch(() => {});
    if (stopped) return;
    log.info('restarting the muP language server');
    start();
    await started;
  };
  context.subscriptions.push({ dispose: () => void stop() });
  return { analysisOf: documentAnalysis };
}

let stopClient: (() => Promise<void>) | undefined;
let restartClient: (() => Promise<void>) | undefined;

/** Restarts the language server (the command "muP: Restart Language Server"). */
export function restartLanguageFeatures(): Promise<void> {
  return restartClient?.() ?? Promise.reject(new Error('the muP language server was never started'));
}

/** For deactivate(): stops the language server (VS Code waits for the promise). */
export function stopLanguageFeatures(): Promise<void> {
  return stopClient?.() ?? Promise.resolve();
}
