// The language server's start (dist/server.js through ./entry.ts; also `mup-lens lsp`). Starts nothing on import. The transport comes from the command
// line, as vscode-languageserver reads it: `--stdio` (editors), `--node-ipc` (VS Code forks it so),
// `--socket=PORT`, `--pipe=NAME`.
import { createConnection } from 'vscode-languageserver/node';
import { createRunner } from './runner';
import { startServer } from './server';
import { stdioConnection } from './stdio';

export const TRANSPORT_FLAGS = ['--stdio', '--node-ipc', '--socket', '--pipe'] as const;

export function hasTransport(argv: readonly string[]): boolean {
  return argv.some((a) => TRANSPORT_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
}

export function runServer(): void {
  const connection = process.argv.includes('--stdio') ? stdioConnection() : createConnection();
  startServer(connection, { createRunner: (log, data) => createRunner(log, data) });
}

