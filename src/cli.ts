// `mup-lens lint|coord|sweep|transfer|lsp`: the engine of the extension, headless, for CI and GPU servers.
// Exit codes (docs/contracts.md): 0 ok, 1 the check found problems, 2 usage or input error (one line on stderr).
import { UsageError, type CliIO } from './cli/io';
import { OutputError, outputError } from './host/outputFile';
import { packageVersion } from './cli/version';

const USAGE = `usage: mup-lens <command> [options]

commands:
  lint [paths...]          flag layers that are not muP-scaled (--format text|json|sarif)
  coord <file>#<export>    coordinate check: do activations stay flat as width grows?
  sweep <file>#<export>    LR-vs-width sweep: does the best learning rate (and each --hp) transfer?
  transfer <sweep>         the tuned values of a muP sweep at a target width (--width N [--verify])
  lsp --stdio              the language server, for editors (diagnostics, fixes, hovers)

Run 'mup-lens <command> --help' for a command's options.`;

const commands: Record<string, () => Promise<{ main(argv: string[], io: CliIO): Promise<number> }>> = {
  lint: () => import('./cli/lint'),
  coord: () => import('./cli/coord'),
  sweep: () => import('./cli/sweep'),
  transfer: () => import('./cli/transfer'),
  lsp: () => import('./cli/lsp'),
};

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const load = commands[command];
  if (!load) {
    io.stderr(`mup-lens: unknown command '${command}' (expected lint, coord, sweep, transfer or lsp)\n`);
    return 2;
  }
  try {
    return await (await load()).main(rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof OutputError) {
      io.stderr(`mup-lens ${command}: ${err.message}\n`);
      return 2;
    }
    // A file system error on a path (a full disk, a read-only folder) is the user's to fix: one line, not a stack.
    const fsErr = err as NodeJS.ErrnoException;
    if (fsErr?.code && typeof fsErr.path === 'string' && /^E[A-Z]+$/.test(fsErr.code)) {
      io.stderr(`mup-lens ${command}: ${outputError(fsErr.path, err).message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  const io: CliIO = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`mup-lens: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
