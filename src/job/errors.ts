// Errors that carry what the user should see: a kind, one line, and their own file:line when there is one.
// Worker side: thrown by the job handlers, turned into a WorkerError message by src/worker/main.ts.
import type { WorkerError } from '../protocol/worker';

/** A failure the user can act on, with the place in their code it points at. */
export class UserCodeError extends Error {
  constructor(readonly info: WorkerError) {
    super(info.message);
  }
}

/** The location of one stack frame: `at f (file:line:col)` or `at file:line:col`; null for native/eval frames. */
function frameLocation(raw: string): { file: string; line: number } | null {
  const line = raw.trim();
  if (!line.startsWith('at ')) return null;
  const inParens = /\(([^()]*)\)\s*$/.exec(line);
  const loc = inParens ? inParens[1]! : line.slice(3).trim();
  const m = /^(.+):(\d+):(\d+)$/.exec(loc);
  if (!m) return null;
  return { file: m[1]!.replace(/^file:\/\//, ''), line: Number(m[2]) };
}

/** The first stack frame in a user file (not node internals, not node_modules, not mup-lens itself). */
export function userFrame(stack: string | undefined): { file: string; line: number } | undefined {
  if (!stack) return undefined;
  for (const raw of stack.split('\n').slice(1)) {
    const where = frameLocation(raw);
    if (!where) continue;
    const file = where.file;
    // Node's own modules (`node:internal/...`, and `internal/...` in older stacks) are never the user's code.
    if (/^(node:|internal[\\/])/.test(file) || file.includes('node_modules') || file.endsWith('.mup-bundle.js')) continue;
    if (/[\\/](dist[\\/](worker|cli|extension)\.js|src[\\/](worker|job|kernels|backend|mup)[\\/])/.test(file)) continue;
    return { file, line: where.line };
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
