// `mup-lens lsp --stdio`: the language server (src/server) for any LSP editor (Neovim, Helix, ...; the README
// shows their configurations). Runs until the editor sends `exit` or closes the stream.
import { parseArgs } from 'node:util';
import { parseArgsMessage, UsageError, type CliIO } from './io';

const HELP = `usage: mup-lens lsp --stdio

Starts the mup-lens language server: diagnostics, quick fixes, source.fixAll.mup and hovers for
TypeScript/JavaScript files, as \`mup-lens lint\` finds them. Settings through workspace/configuration,
section "mupLens" (rules, baseWidth, lintDelayMs).

options:
  --stdio            talk LSP over stdin/stdout (what editors use)
  --node-ipc         over a Node IPC channel (when forked by a Node client)
  --socket=PORT      over a TCP socket on 127.0.0.1
  -h, --help         this help`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stdio: { type: 'boolean' },
        'node-ipc': { type: 'boolean' },
        socket: { type: 'string' },
        // vscode-languageclient adds it when it forks a server; the server watches that process itself.
        clientProcessId: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${parseArgsMessage(err)} (see mup-lens lsp --help)`);
  }
  if (values.help) {
    io.stdout(HELP + '\n');
    return 0;
  }
  const transports = [values.stdio, values['node-ipc'], values.socket !== undefined].filter(Boolean).length;
  if (transports !== 1) throw new UsageError('give exactly one transport: --stdio, --node-ipc or --socket=PORT');
  if (values.socket !== undefined && !/^\d+$/.test(values.socket)) throw new UsageError(`--socket must be a port number, got '${values.socket}'`);
  const { runServer } = await import('../server/main');
  runServer();
  // The server ends the process itself (on `exit`, or when its input closes).
  return new Promise<number>(() => {});
}
