// The one implementation of the suppression fixes every front offers (issue 16 item 8): the language server's
// quick fixes, `mup-lens lint --format json` and the fixes of `mup-lens lint --fix` callers. It writes
// `// mup-ignore-next-line <rule>` above the finding (indented like its line) or `// mup-ignore-file <rule>` at
// the top, in the document's own line ending, and when a directive for other rules is already there it adds
// the rule to that directive instead of stacking a second one (the analyzer reads only the comment right above
// a line). Pure: text in, an analyzer-format fix (1-based positions, docs/contracts.md's `lint` JSON) out.
import type { Finding, Fix, RuleId, TextEdit } from '../analyzer/types';

export const LINE_DIRECTIVE = 'mup-ignore-next-line';
export const FILE_DIRECTIVE = 'mup-ignore-file';

/** Line breaks as editors count them (VS Code, LSP, the analyzer's TypeScript parser): CRLF, CR or LF. */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The lines and line ending of a text, worked out once for the findings of one file: every finding asks for them
 * (`mup-lens lint` lists a suppression fix with each finding), and splitting or searching the whole text per finding
 * cost `lint` a quarter of its time on a 60-file corpus (issue 24). Kept for the last text asked about; the lines are
 * never modified.
 */
interface AboutText {
  text: string;
  lines?: readonly string[];
  eol?: '\r\n' | '\n';
}
let last: AboutText | undefined;
function aboutText(text: string): AboutText {
  if (last === undefined || last.text !== text) last = { text };
  return last;
}
function linesOf(text: string): readonly string[] {
  const t = aboutText(text);
  return (t.lines ??= text.split(LINE_BREAK));
}

/** The line ending new lines get: CRLF when the document already uses it, else LF. */
export function eolOf(text: string): '\r\n' | '\n' {
  const t = aboutText(text);
  return (t.eol ??= text.includes('\r\n') ? '\r\n' : '\n');
}

export function lineSuppressionTitle(rule: RuleId): string {
  return `Suppress ${rule} for this line`;
}

export function fileSuppressionTitle(rule: RuleId): string {
  return `Suppress ${rule} for this file`;
}

/** Whether a fix only writes a suppression directive (the analyzer's own, in versions that still make one). */
export function isSuppressionFix(fix: Fix): boolean {
  return fix.edits.length > 0 && fix.edits.every((e) => e.newText.includes(LINE_DIRECTIVE) || e.newText.includes(FILE_DIRECTIVE));
}

function insertion(line0: number, character: number, newText: string): TextEdit {
  return { line: line0 + 1, column: character + 1, endLine: line0 + 1, endColumn: character + 1, newText };
}

/**
 * Where and what to insert to add `rule` to a directive that already lists rules: after its last rule, before
 * a ` -- reason`, with the list's own separator. Null when the directive lists no rule (it covers all of them)
 * or already lists this one.
 */
function addToDirective(head: string, rest: string, rule: RuleId): { character: number; newText: string } | null {
  const reasonAt = rest.indexOf(' -- ');
  const rules = reasonAt >= 0 ? rest.slice(0, reasonAt) : rest;
  const listed = rules.split(/[\s,]+/).filter((r) => /^mup\/[a-z-]+$/.test(r));
  if (listed.length === 0 || listed.includes(rule)) return null;
  return { character: head.length + rules.trimEnd().length, newText: `${rules.includes(',') ? ', ' : ' '}${rule}` };
}

const LINE_DIRECTIVE_LINE = /^(\s*\/\/\s*mup-ignore-next-line\b)(.*?)\s*$/;
const FILE_DIRECTIVE_LINE = /^(\s*\/\/\s*mup-ignore-file\b)(.*?)\s*$/;

/**
 * "Suppress <rule> for this line": `// mup-ignore-next-line <rule>` on its own line above the finding's first
 * line, indented like it; when the line above already is such a directive for other rules, the rule is added
 * to it.
 */
export function lineSuppressionFix(f: Pick<Finding, 'rule' | 'line'>, text: string): Fix {
  const lines = linesOf(text);
  const line0 = Math.min(Math.max(0, f.line - 1), Math.max(0, lines.length - 1));
  const title = lineSuppressionTitle(f.rule);
  const previous = line0 > 0 ? LINE_DIRECTIVE_LINE.exec(lines[line0 - 1]) : null;
  const into = previous ? addToDirective(previous[1], previous[2], f.rule) : null;
  if (into) return { title, edits: [insertion(line0 - 1, into.character, into.newText)] };
  const indent = /^\s*/.exec(lines[line0] ?? '')![0];
  return { title, edits: [insertion(line0, 0, `${indent}// ${LINE_DIRECTIVE} ${f.rule}${eolOf(text)}`)] };
}

/**
 * "Suppress <rule> for this file": `// mup-ignore-file <rule>` at the top of the file (below a shebang); when
 * the file already has such a directive for other rules, the rule is added to it.
 */
export function fileSuppressionFix(f: Pick<Finding, 'rule'>, text: string): Fix {
  const lines = linesOf(text);
  const title = fileSuppressionTitle(f.rule);
  for (let i = 0; i < lines.length; i++) {
    const existing = FILE_DIRECTIVE_LINE.exec(lines[i]);
    const into = existing ? addToDirective(existing[1], existing[2], f.rule) : null;
    if (into) return { title, edits: [insertion(i, into.character, into.newText)] };
  }
  const line0 = lines[0]?.startsWith('#!') && lines.length > 1 ? 1 : 0;
  return { title, edits: [insertion(line0, 0, `// ${FILE_DIRECTIVE} ${f.rule}${eolOf(text)}`)] };
}
