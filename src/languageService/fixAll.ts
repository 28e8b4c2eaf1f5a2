// "Fix all": the preferred fix of every finding, applied in rounds until none applies. Used by the language
// server's `source.fixAll.mup` action and by `mup-lens lint --fix`. A round applies the fixes that do not
// overlap one already taken, exactly as ESLint's fixer does (each fix spans from its first edit's start to its
// last edit's end; fixes sorted by that span; a fix starting at or before the previous one's end waits), then
// the text is analysed again: the findings a round left (and new ones a fix uncovered) get fixes computed on
// the new text. So `eslint --fix` with the plugin and `mup-lens lint --fix` write the same file. Pure: the
// analysis is passed in.
import type { Finding, Fix, TextEdit } from '../analyzer/types';
import { preferredFix } from './fixes';

/** As ESLint's MAX_AUTOFIX_PASSES: a fix that keeps producing a new finding cannot loop forever. */
export const MAX_FIX_ROUNDS = 10;

export interface FixAllResult {
  text: string;
  /** Fixes applied over all rounds. */
  applied: number;
  /** Rounds that applied at least one fix. */
  rounds: number;
}

/**
 * Offsets of the first character of each line, as the analyzer (TypeScript's scanner) and ESLint count lines:
 * CRLF, CR, LF, and the Unicode line and paragraph separators.
 */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */ || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

/** Offset of a 1-based line and column (clamped into the text). */
export function offsetOf(starts: readonly number[], textLength: number, line: number, column: number): number {
  const lineStart = starts[Math.min(Math.max(0, line - 1), starts.length - 1)] ?? 0;
  return Math.min(textLength, Math.max(0, lineStart + column - 1));
}

interface Span {
  start: number;
  end: number;
  edits: { start: number; end: number; newText: string }[];
}

function spanOf(fix: Fix, starts: readonly number[], length: number): Span | null {
  const edits = fix.edits
    .map((e: TextEdit) => ({ start: offsetOf(starts, length, e.line, e.column), end: offsetOf(starts, length, e.endLine, e.endColumn), newText: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  if (edits.length === 0 || edits.some((e) => e.start > e.end)) return null;
  // The edits of one fix must not overlap each other (they could not all apply).
  for (let i = 1; i < edits.length; i++) if (edits[i].start < edits[i - 1].end) return null;
  return { start: edits[0].start, end: Math.max(...edits.map((e) => e.end)), edits };
}

/** One round: the non-overlapping preferred fixes of `findings` applied to `text` (findings of that text). */
export function applyPreferredFixes(text: string, findings: readonly Finding[]): { text: string; applied: number } {
  const starts = lineStarts(text);
  const spans: Span[] = [];
  for (const f of findings) {
    const fix = preferredFix(f, text);
    const span = fix && spanOf(fix, starts, text.length);
    if (span) spans.push(span);
  }
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let lastPos = Number.NEGATIVE_INFINITY;
  let applied = 0;
  for (const s of spans) {
    if (lastPos >= s.start) continue; // overlaps (or touches) the previous fix: next round
    let at = Math.max(0, lastPos);
    for (const e of s.edits) {
      out += text.slice(at, e.start) + e.newText;
      at = e.end;
    }
    lastPos = s.end;
    applied += 1;
  }
  if (applied === 0) return { text, applied: 0 };
  return { text: out + text.slice(Math.max(0, lastPos)), applied };
}

/**
 * The preferred fixes applied in rounds: analyse, apply the fixes that do not overlap, analyse the result
 * again, until a round applies nothing (or MAX_FIX_ROUNDS). `analyze` gives the findings of a text, as the
 * caller reports them (rules turned off left out).
 */
export async function fixAll(
  text: string,
  analyze: (text: string) => readonly Finding[] | Promise<readonly Finding[]>,
  maxRounds = MAX_FIX_ROUNDS,
): Promise<FixAllResult> {
  let current = text;
  let applied = 0;
  let rounds = 0;
  for (let i = 0; i < maxRounds; i++) {
    const round = applyPreferredFixes(current, await analyze(current));
    if (round.applied === 0 || round.text === current) break;
    current = round.text;
    applied += round.applied;
    rounds += 1;
  }
  return { text: current, applied, rounds };
}

/** The same, for a synchronous analysis (the CLI). */
export function fixAllSync(text: string, analyze: (text: string) => readonly Finding[], maxRounds = MAX_FIX_ROUNDS): FixAllResult {
  let current = text;
  let applied = 0;
  let rounds = 0;
  for (let i = 0; i < maxRounds; i++) {
    const round = applyPreferredFixes(current, analyze(current));
    if (round.applied === 0 || round.text === current) break;
    current = round.text;
    applied += round.applied;
    rounds += 1;
  }
  return { text: current, applied, rounds };
}
