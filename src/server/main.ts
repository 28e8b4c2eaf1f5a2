// Entry of the language server (dist/server.js; also `mup-lens lsp`). The transport comes from the command
// line, as vscode-languageserver reads it: `--stdio` (editors), `--node-ipc` (VS Code forks it so),
// `--socket=PORT`, `--pipe=NAME`.
import { createConnection } from 'vscode-languageserver/node';
import { createRunner } from './runner';
import { startServer } from './server';

export const TRANSPORT_FLAGS = ['--stdio', '--node-ipc', '--socket', '--pipe'] as const;

export function hasTransport(argv: readonly string[]): boolean {
  return argv.some((a) => TRANSPORT_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
}

export function runServer(): void {
  const connection = createConnection();
  startServer(connection, { createRunner: (log, data) => createRunner(log, data) });
}

if (require.main === module) {
  if (!hasTransport(process.argv.slice(2))) {
    process.stderr.write(`mup-lens language server: give a transport: ${TRANSPORT_FLAGS.join(', ')}\n`);
    process.exit(2);
  }
  runServer();
}
