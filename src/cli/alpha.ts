// `--alpha`, the depth scheme a model implements (issue 22; docs/mup.md "Depth"), as `transfer` and `sweep` read it:
// one parser, so both take the same values and say the same thing about a wrong one.
import { UsageError } from './io';

/** `--alpha`: completep (1), depth-mup (0.5), sp (0) or a number in [0, 1]; undefined when the flag is absent. */
export function alphaFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const named: Record<string, number> = { completep: 1, 'depth-mup': 0.5, sp: 0 };
  const a = v in named ? named[v]! : Number(v);
  if (!(a >= 0 && a <= 1) || v.trim() === '') throw new UsageError(`--alpha: expected completep, depth-mup, sp or a number in [0, 1], got '${v}'`);
  return a;
}
