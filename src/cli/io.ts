// What a CLI subcommand may touch, injected so tests can run commands in-process.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

/** A user mistake (bad flag, missing path, model that fails to load): exit 2 with this one-line message. */
export class UsageError extends Error {}
