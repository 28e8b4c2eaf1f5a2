// A minimal LSP client, as an editor (Neovim, Helix) is one: it spawns `mup-lens lsp --stdio` (or talks to a
// server over in-memory streams), answers workspace/configuration from its settings, keeps the text of the
// documents it opened, applies edits, and lets a test wait for publishDiagnostics of a given version.
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface ClientOptions {
  /** What workspace/configuration answers for section `mupLens`. */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** Advertise workspace/configuration (default true). */
  configuration?: boolean;
  /** The `processId` sent (the server watches it and exits when it is gone); null: none. Default: this process. */
  processId?: number | null;
}

export class LspClient {
  readonly conn: ProtocolConnection;
  settings: Record<string, unknown>;
  readonly docs = new Map<string, TextDocument>();
  readonly published = new Map<string, PublishDiagnosticsParams>();
  /** Every window/logMessage and window/showMessage text, in order. */
  readonly messages: string[] = [];
  /** Every publishDiagnostics, with the time it arrived (performance.now()). */
  readonly publishLog: { params: PublishDiagnosticsParams; at: number }[] = [];
  private waiters: (() => void)[] = [];
  exited: Promise<number | null>;

  constructor(reader: NodeJS.ReadableStream, writer: NodeJS.WritableStream, private readonly options: ClientOptions, exited: Promise<number | null>) {
    this.settings = options.settings ?? {};
    this.exited = exited;
    this.conn = createProtocolConnection(new StreamMessageReader(reader), new StreamMessageWriter(writer));
    this.conn.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((i) => (i.section === 'mupLens' ? this.settings : null)),
    );
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onNotification('window/logMessage', (p: { message: string }) => this.messages.push(p.message));
    this.conn.onNotification('window/showMessage', (p: { message: string }) => this.messages.push(p.message));
    this.conn.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.messages.push(p.message);
      return null;
    });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.set(p.uri, p);
      this.publishLog.push({ params: p, at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.listen();
  }

  /** `mup-lens lsp --stdio` from the built CLI, as an editor starts it. */
  static spawnCli(cli: string, options: ClientOptions = {}, cwd?: string): { client: LspClient; child: ChildProcess; stderr: () => string } {
    const child = spawn(process.execPath, [cli, 'lsp', '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { client: new LspClient(child.stdout!, child.stdin!, options, exited), child, stderr: () => err };
  }

  /** `node dist/server.js --stdio`: the server bundle the extension forks, here over stdio. */
  static spawnServer(serverJs: string, options: ClientOptions = {}): { client: LspClient; child: ChildProcess } {
    const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { client: new LspClient(child.stdout!, child.stdin!, options, exited), child };
  }

  /** A client and a server in this process, over in-memory streams: `start(reader, writer)` starts the server. */
  static inMemory(start: (input: NodeJS.ReadableStream, output: NodeJS.WritableStream) => { dispose(): void }, options: ClientOptions = {}): LspClient {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = start(toServer, toClient);
    const client = new LspClient(toClient, toServer, { processId: null, ...options }, new Promise(() => {}));
    client.stopServer = () => {
      server.dispose();
      toServer.end();
      toClient.end();
    };
    return client;
  }

  /** In memory: stops the server too. */
  private stopServer: () => void = () => {};

  /** Closes the connection (and an in-memory server). */
  dispose(): void {
    this.conn.dispose();
    this.stopServer();
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const configuration = this.options.configuration !== false;
    const result = await this.conn.sendRequest('initialize', {
      processId: this.options.processId === undefined ? process.pid : this.options.processId,
      rootUri: null,
      initializationOptions: this.options.initializationOptions,
      capabilities: {
        workspace: { configuration, didChangeConfiguration: { dynamicRegistration: configuration }, workspaceEdit: { documentChanges: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    await this.conn.sendNotification('initialized', {});
    return result as { capabilities: Record<string, unknown> };
  }

  async open(uri: string, languageId: string, text: string): Promise<void> {
    this.docs.set(uri, TextDocument.create(uri, languageId, 1, text));
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Applies edits to the document as an editor does and sends them as incremental changes. */
  async edit(uri: string, edits: TextEdit[]): Promise<number> {
    const doc = this.docs.get(uri)!;
    // Each change is applied to the result of the previous one: send them from the end of the document back.
    const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
    const next = TextDocument.update(doc, sorted.map((e) => ({ range: e.range, text: e.newText })), doc.version + 1);
    this.docs.set(uri, next);
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: next.version },
      contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
    });
    return next.version;
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Resolves with the diagnostics of `uri` once some were published for `version` (any, when unset). */
  async diagnostics(uri: string, version?: number, timeoutMs = 30_000): Promise<Diagnostic[]> {
    const matches = () => {
      const p = this.published.get(uri);
      return p && (version === undefined || p.version === version) ? p.diagnostics : undefined;
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = matches();
      if (got) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${uri} version ${version} within ${timeoutMs} ms; last: ${JSON.stringify(this.published.get(uri)?.version)}; log: ${this.messages.slice(-5).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async shutdown(): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await this.exited;
    this.conn.dispose();
    return code;
  }
}

/** `rule@line` (1-based) of each diagnostic, sorted: the form the expectations are written in. */
export function summary(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${String(d.code)}@${d.range.start.line + 1}`).sort();
}
