// The `--stdio` transport as editors use it (`mup-lens lsp --stdio`), with two repairs to what the library does on
// its own: a header without a Content-Length is skipped (vscode-jsonrpc's reader reports it and then reads the next
// message's header as part of the broken one, answering nothing ever again), and a request after `shutdown` is
// answered with InvalidRequest, as the LSP specification asks (the library runs it).
import { Transform, type TransformCallback } from 'node:stream';
import { format } from 'node:util';
import { createConnection, type Connection } from 'vscode-languageserver/node';
import { ErrorCodes, StreamMessageReader, StreamMessageWriter, type DataCallback, type Message, type MessageReader } from 'vscode-languageserver/node';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^content-length:\s*(\d+)\s*$/im;

/** Passes whole `Content-Length` framed messages through; a header block without one is dropped with what follows
 *  it up to the next `Content-Length:` header. */
export class FramingFilter extends Transform {
  private buf = Buffer.alloc(0);
  private skipping = false;
  constructor(private readonly onSkip: (message: string) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.skipping) {
        const at = this.buf.toString('latin1').search(/content-length:/i);
        if (at < 0) {
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - 15));
          break;
        }
        this.buf = this.buf.subarray(at);
        this.skipping = false;
      }
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) break;
      const header = this.buf.subarray(0, end).toString('ascii');
      const m = CONTENT_LENGTH.exec(header);
      if (!m) {
        this.onSkip(`skipped a message whose header has no Content-Length: ${JSON.stringify(header.slice(0, 80))}`);
        this.buf = this.buf.subarray(end + HEADER_END.length);
        this.skipping = true;
        continue;
      }
      const total = end + HEADER_END.length + Number(m[1]);
      if (this.buf.length < total) break;
      this.push(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
    }
    done();
  }
}

export function stdioConnection(): Connection {
  const log = (m: string) => process.stderr.write(`mup-lens lsp: ${m}\n`);
  const writer = new StreamMessageWriter(process.stdout);
  const inner = new StreamMessageReader(process.stdin.pipe(new FramingFilter(log)));
  let shutdown = false;
  const reader: MessageReader = {
    get onError() {
      return inner.onError;
    },
    get onClose() {
      return inner.onClose;
    },
    get onPartialMessage() {
      return inner.onPartialMessage;
    },
    listen(callback: DataCallback) {
      return inner.listen((msg: Message) => {
        const m = msg as { id?: number | string | null; method?: string };
        if (typeof m.method === 'string' && m.id !== undefined) {
          if (shutdown) {
            void writer.write({ jsonrpc: '2.0', id: m.id, error: { code: ErrorCodes.InvalidRequest, message: `'${m.method}' after 'shutdown': the server is shutting down` } } as Message);
            return;
          }
          if (m.method === 'shutdown') shutdown = true;
        }
        callback(msg);
      });
    },
    dispose: () => inner.dispose(),
  };
  // What the library does for its own stdio: end with the input, and keep console output off the protocol stream.
  process.stdin.on('end', () => process.exit(shutdown ? 0 : 1));
  process.stdin.on('close', () => process.exit(shutdown ? 0 : 1));
  for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) console[k] = (...args: unknown[]) => void process.stderr.write(format(...args) + '\n');
  return createConnection(reader, writer);
}
