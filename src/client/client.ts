// The extension's side of the language server (src/server): vscode-languageclient starts dist/server.js in its
// own process over IPC, as vscode-eslint does, and turns its diagnostics, quick fixes, `source.fixAll.mup`,
// hovers and CodeLenses into VS Code's. Entry of dist/languageClient.js: the client library (~0.8 MB of
// JavaScript) is loaded right after activation (./index.ts), not inside it. Settings `mupLens.*` reach the
// server through workspace/configuration. What stays here is what only the host knows: workspace trust and
// `mupLens.codeLens` decide whether CodeLenses show, and hovers may use theme icons.
import * as vscode from 'vscode';
import { CodeLensRequest, LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ANALYSIS_REQUEST, type AnalysisParams, type DocumentAnalysis, type InitializationOptions } from '../protocol/lsp';
import { LANGUAGES, SCHEMES } from '../languageService/documents';

export interface StartOptions {
  /** dist/server.js */
  serverModule: string;
  /** Where the server keeps V8's compiled code of the analyzer (the extension's global storage). */
  codeCacheDir?: string;
  /** Base of the rule docs links: the installed docs/rules.md when the extension ships it. */
  docsUrl?: string;
}

export interface MupLanguageClient {
  /** The server's analysis of the document's current version (null when it has none, e.g. not a JS/TS file). */
  analysis(document: vscode.TextDocument): Promise<DocumentAnalysis | null>;
  stop(): Promise<void>;
}

function codeLensesShown(): boolean {
  return vscode.workspace.isTrusted && vscode.workspace.getConfiguration('mupLens').get('codeLens') !== false;
}

export async function startClient(log: vscode.LogOutputChannel, options: StartOptions): Promise<MupLanguageClient> {
  const serverOptions: ServerOptions = {
    run: { module: options.serverModule, transport: TransportKind.ipc },
    debug: { module: options.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const initializationOptions: InitializationOptions = {
    codeLens: true,
    themeIcons: true,
    codeCacheDir: options.codeCacheDir,
    docsUrl: options.docsUrl,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => SCHEMES.map((scheme) => ({ language, scheme }))),
    diagnosticCollectionName: 'muP',
    outputChannel: log,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions,
    middleware: {
      // "Coordinate check | LR sweep" run the user's code: only in a trusted workspace, unless turned off.
      provideCodeLenses: (document, token, next) => (codeLensesShown() ? next(document, token) : []),
      provideHover: async (document, position, token, next) => {
        const hover = await next(document, position, token);
        for (const c of hover?.contents ?? []) if (c instanceof vscode.MarkdownString) c.supportThemeIcons = true;
        return hover;
      },
    },
  };
  const client = new LanguageClient('mupLens', 'muP language server', serverOptions, clientOptions);
  await client.start();

  const refreshLenses = () => {
    const feature = client.getFeature(CodeLensRequest.method);
    const fired = new Set<unknown>();
    for (const doc of vscode.workspace.textDocuments) {
      const provider = feature.getProvider(doc);
      if (provider && !fired.has(provider)) {
        fired.add(provider);
        provider.onDidChangeCodeLensEmitter.fire();
      }
    }
  };
  const subscriptions = [
    vscode.workspace.onDidGrantWorkspaceTrust(refreshLenses),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mupLens.codeLens')) refreshLenses();
    }),
  ];

  return {
    async analysis(document) {
      const uri = client.code2ProtocolConverter.asUri(document.uri);
      const params: AnalysisParams = { textDocument: { uri } };
      const open = await client.sendRequest<DocumentAnalysis | null>(ANALYSIS_REQUEST, params);
      if (open) return open;
      // Not (yet) synced to the server: send the text.
      return client.sendRequest<DocumentAnalysis | null>(ANALYSIS_REQUEST, { ...params, text: document.getText(), languageId: document.languageId });
    },
    async stop() {
      for (const s of subscriptions) s.dispose();
      await client.stop();
    },
  };
}
