// The language server's own bundle (dist/server.js): starts the server on the transport of its command line.
// Kept apart from ./main.ts, which the CLI bundle imports for `mup-lens lsp`: in a bundle, `require.main ===
// module` is true for every module bundled into the entry that node ran, so a check in ./main.ts started a second
// server on the same stdio when `mup-lens lsp --stdio` ran (issue 20 item 3).
import { hasTransport, runServer, TRANSPORT_FLAGS } from './main';

if (!hasTransport(process.argv.slice(2))) {
  process.stderr.write(`mup-lens language server: give a transport: ${TRANSPORT_FLAGS.join(', ')}\n`);
  process.exit(2);
}
runServer();
