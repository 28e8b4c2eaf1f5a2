// Comment directives: `// mup-ignore-next-line [rule ...]`, `// mup-ignore-file [rule ...]`,
// `// @mup width=<name>` (marks a width knob), `// @mup base=<n>` (base width for this file).
// A directive without rules hides every muP rule, but not mup/analysis-incomplete: that says the other
// rules did not see the whole file, which a blanket suppression was not written for. It is hidden only
// where a directive names it.
import type * as ts from 'typescript';
import { INCOMPLETE } from './incomplete';
import { lineAt, lineStartsOf } from './source';
import type { Finding } from './types';

export interface Directives {
  /** line (1-based) of the code a directive applies to -> rules (empty set: all rules) */
  nextLine: Map<number, Set<string>>;
  /** null: no file directive; empty set: all rules */
  file: Set<string> | null;
  widthNames: Set<string>;
  base?: number;
  /** Where mup/analysis-incomplete is named (the only way to hide it): the whole file, next lines. */
  incomplete: { file: boolean; lines: Set<number> };
}

const DIRECTIVE = /(?:\/\/|\/\*+|^\s*\*)[ \t]*(mup-ignore-next-line|mup-ignore-file|@mup\b)([^\n]*)/gm;

function ruleList(rest: string): Set<string> {
  const body = rest.replace(/\*\/.*$/, '').split(/\s--\s/)[0];
  return new Set(body.split(/[\s,]+/).filter((r) => /^mup\/[a-z-]+$/.test(r)));
}

/** The directives of a parsed file, or of a text (when it could not be parsed). */
export function readDirectives(sf: ts.SourceFile | string): Directives {
  const d: Directives = { nextLine: new Map(), file: null, widthNames: new Set(), incomplete: { file: false, lines: new Set() } };
  const text = typeof sf === 'string' ? sf : sf.text;
  let starts: readonly number[] | undefined;
  // Cheap pre-check: most files have none.
  if (!text.includes('mup-ignore') && !text.includes('@mup')) return d;
  DIRECTIVE.lastIndex = 0;
  for (let m = DIRECTIVE.exec(text); m; m = DIRECTIVE.exec(text)) {
    const [, kind, rest] = m;
    if (kind === 'mup-ignore-file') {
      const rules = ruleList(rest);
      if (rules.has(INCOMPLETE)) d.incomplete.file = true;
      if (rules.size === 0) d.file = new Set();
      else if (d.file === null) d.file = rules;
      else if (d.file.size > 0) for (const r of rules) d.file.add(r);
    } else if (kind === 'mup-ignore-next-line') {
      starts ??= typeof sf === 'string' ? lineStartsOf(sf) : sf.getLineStarts();
      const line = lineAt(starts, m.index).line + 2;
      const rules = ruleList(rest);
      if (rules.has(INCOMPLETE)) d.incomplete.lines.add(line);
      const prev = d.nextLine.get(line);
      if (prev && prev.size > 0 && rules.size > 0) for (const r of rules) prev.add(r);
      else d.nextLine.set(line, prev && rules.size > 0 ? prev : rules);
    } else {
      const w = /\bwidth\s*=\s*([A-Za-z_$][\w$.]*)/.exec(rest);
      if (w) d.widthNames.add(w[1].split('.').pop()!);
      const b = /\bbase\s*=\s*(\d+(?:\.\d+)?)/.exec(rest);
      if (b && Number(b[1]) > 0) d.base = Number(b[1]);
    }
  }
  return d;
}

export function isSuppressed(f: Finding, d: Directives): boolean {
  if (f.rule === INCOMPLETE) return d.incomplete.file || d.incomplete.lines.has(f.line);
  if (d.file && (d.file.size === 0 || d.file.has(f.rule))) return true;
  const rules = d.nextLine.get(f.line);
  return !!rules && (rules.size === 0 || rules.has(f.rule));
}
