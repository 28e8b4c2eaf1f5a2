// The fixes a user gets for a finding, the same in every front (language server, `mup-lens lint`, the ESLint
// plugin): the analyzer's own fixes in its order, written in the document's line ending (the analyzer writes
// LF), then the suppressions of ./suppression.ts. Pure.
import type { Finding, Fix } from '../analyzer/types';
import { eolOf, fileSuppressionFix, isSuppressionFix, lineSuppressionFix } from './suppression';

/** The fix with every line break of its inserted text in the document's line ending. */
export function inDocumentEol(fix: Fix, eol: '\r\n' | '\n'): Fix {
  if (eol === '\n') return fix;
  return { ...fix, edits: fix.edits.map((e) => ({ ...e, newText: e.newText.replace(/\r?\n/g, eol) })) };
}

/**
 * The analyzer's fixes of a finding (suppressions excluded: they come from ./suppression.ts), in the document's
 * line ending. At most one is marked preferred: the first the analyzer marks.
 */
export function analyzerFixes(f: Finding, text: string): Fix[] {
  const eol = eolOf(text);
  let preferredTaken = false;
  const out: Fix[] = [];
  for (const fix of f.fixes) {
    if (fix.edits.length === 0 || isSuppressionFix(fix)) continue;
    const isPreferred: boolean = !!fix.isPreferred && !preferredTaken;
    preferredTaken ||= isPreferred;
    const adapted = inDocumentEol(fix, eol);
    out.push(isPreferred ? { ...adapted, isPreferred: true } : { title: adapted.title, edits: adapted.edits });
  }
  return out;
}

/** The preferred fix of a finding, as `--fix` and "fix all" apply it; undefined when it has none. */
export function preferredFix(f: Finding, text: string): Fix | undefined {
  return analyzerFixes(f, text).find((x) => x.isPreferred);
}

/** The fixes of the `lint` JSON: the analyzer's, then "Suppress <rule> for this line". */
export function lintFixes(f: Finding, text: string): Fix[] {
  return [...analyzerFixes(f, text), lineSuppressionFix(f, text)];
}

/** The quick fixes an editor offers: the analyzer's, then the suppressions for this line and this file. */
export function quickFixes(f: Finding, text: string): Fix[] {
  return [...analyzerFixes(f, text), lineSuppressionFix(f, text), fileSuppressionFix(f, text)];
}
