// Errors that carry what the user should see: a kind, one line, and their own file:line when there is one.
// Worker side: thrown by the job handlers, turned into a WorkerError message by src/worker/main.ts.
import type { WorkerError } from '../protocol/worker';

/** A failure the user can act on, with the place in their code it points at. */
export class UserCodeError extends Error {
  constructor(readonly info: WorkerError) {
    super(info.message);
  }
}

/** The first stack frame in a user file (not node internals, not node_modules, not mup-lens itself). */
export function userFrame(stack: string | undefined): { file: string; line: number } | undefined {
  if (!stack) return undefined;
  for (const raw of stack.split('\n').slice(1)) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)?\s*$/.exec(raw.trim());
    if (!m) continue;
    const file = m[1].replace(/^at\s+/, '');
    if (file.startsWith('node:') || file.includes('node_modules') || file.endsWith('.mup-bundle.js')) continue;
    if (/[\\/](dist[\\/](worker|cli|extension)\.js|src[\\/](worker|job|kernels|backend|mup)[\\/])/.test(file)) continue;
    return { file, line: Number(m[2]) };
  }
  return undefined;
}

export function userError(err: unknown, context: string): UserCodeError {
  if (err instanceof UserCodeError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const where = userFrame(e.stack);
  return new UserCodeError({
    kind: 'user-code',
    message: `${context}: ${e.message.split('\n')[0]}`,
    file: where?.file,
    line: where?.line,
    stack: e.stack,
  });
}

/** A mistake in the user's files that the user must fix (bad export, bad data): reported as a usage error. */
export function usageError(message: string): UserCodeError {
  return new UserCodeError({ kind: 'usage', message });
}
