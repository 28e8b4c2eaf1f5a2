import type { CliIO } from './io';

// Placeholder until this command lands; replaced by its own issue's work.
export async function main(_argv: string[], io: CliIO): Promise<number> {
  io.stderr('mup-lens lint: not available yet\n');
  return 2;
}
