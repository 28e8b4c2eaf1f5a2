// Issue 20 items 3 and 8 (the language server): `mup-lens lsp --stdio` started exactly as an editor starts it
// (`node dist/cli.js lsp --stdio`), spoken to in raw LSP frames, every response counted per request id: one server
// answers once; after `shutdown` a request gets InvalidRequest; a header without Content-Length does not wedge
// it; a document over the size limit gets one diagnostic saying it was not checked.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
const built = existsSync(cli) && existsSync(join(root, 'dist', 'analysisWorker.js'));

interface Msg {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

class RawClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly received: Msg[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  constructor() {
    this.proc = spawn(process.execPath, [cli, 'lsp', '--stdio'], { cwd: root, stdio: 'pipe' });
    this.proc.stderr.resume();
    this.proc.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString())![1]);
        if (this.buf.length < end + 4 + len) break;
        const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString()) as Msg;
        this.buf = this.buf.subarray(end + 4 + len);
        // answer the server's own requests (configuration, registrations) so it goes on
        if (msg.method && msg.id !== undefined) this.send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? [{}] : null });
        this.received.push(msg);
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }
  raw(text: string): void {
    this.proc.stdin.write(text);
  }
  send(msg: object): void {
    const body = JSON.stringify(msg);
    this.raw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  async until(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.map((m) => m.id ?? m.method))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  responses(id: number): Msg[] {
    return this.received.filter((m) => m.id === id && m.method === undefined);
  }
  async initialize(id = 1): Promise<void> {
    this.send({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    await this.until(() => this.responses(id).length > 0, 'initialize');
    this.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  }
  close(): void {
    this.proc.kill();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('mup-lens lsp --stdio, raw, as an editor starts it', { skip: built ? false : 'dist/cli.js not built (npm run build)' }, () => {
  it('one server: every request is answered exactly once; after shutdown, InvalidRequest; exit code 0', async () => {
    const c = new RawClient();
    try {
      await c.initialize(1);
      c.send({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///nowhere/x.ts' }, position: { line: 0, character: 0 } } });
      await c.until(() => c.responses(2).length > 0, 'hover');
      c.send({ jsonrpc: '2.0', id: 3, method: 'shutdown' });
      await c.until(() => c.responses(3).length > 0, 'shutdown');
      c.send({ jsonrpc: '2.0', id: 4, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///nowhere/x.ts' }, position: { line: 0, character: 0 } } });
      await c.until(() => c.responses(4).length > 0, 'the request after shutdown');
      await settle(); // a second server would have answered by now
      for (const id of [1, 2, 3, 4]) assert.equal(c.responses(id).length, 1, `responses to request ${id}: ${JSON.stringify(c.responses(id))}`);
      assert.equal(c.responses(4)[0]!.error?.code, -32600, JSON.stringify(c.responses(4)[0]));
      const exited = new Promise<number | null>((r) => c.proc.on('exit', (code) => r(code)));
      c.send({ jsonrpc: '2.0', method: 'exit' });
      assert.equal(await exited, 0);
    } finally {
      c.close();
    }
  });

  it('a header without Content-Length is skipped: the next request is answered', async () => {
    const c = new RawClient();
    try {
      c.raw('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"shutdown"}');
      await c.initialize(1);
      c.send({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///nowhere/x.ts' }, position: { line: 0, character: 0 } } });
      await c.until(() => c.responses(2).length > 0, 'hover after the broken header');
      assert.equal(c.responses(99).length, 0);
      assert.equal(c.responses(1).length, 1);
    } finally {
      c.close();
    }
  });

  it('a document over the size limit gets one diagnostic saying it was not checked (not an empty list)', async () => {
    const c = new RawClient();
    try {
      await c.initialize(1);
      const uri = 'file:///work/models/huge.ts';
      const text = "import * as tf from '@tensorflow/tfjs';\n" + '// filler\n'.repeat(110_000);
      c.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'typescript', version: 1, text } } });
      const published = () => c.received.filter((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri);
      await c.until(() => published().length > 0, 'publishDiagnostics');
      const diagnostics = (published()[0]!.params as { diagnostics: { message: string; severity: number }[] }).diagnostics;
      assert.equal(diagnostics.length, 1);
      assert.match(diagnostics[0]!.message, /^not checked for muP: 1100040 characters is more than the 1000000 analysed as you type; run `mup-lens lint` on it$/);
      assert.equal(diagnostics[0]!.severity, 3);
    } finally {
      c.close();
    }
  });
});
