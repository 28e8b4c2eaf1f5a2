// mup/analysis-incomplete: a file the analyzer could not analyse whole says so, instead of coming out clean.
// Three causes: TypeScript's parser gives up (it recurses per level of nesting and runs out of stack at a
// few hundred to a thousand levels), a bound of the analyzer's own is hit (a chain of layers too long to
// follow), or an internal error is caught by the never-throw guard. What is recorded here becomes one finding
// per file, at the place where it happened when that is known (else the first line).
import ts = require('typescript');
import { RULES } from './rules/meta';
import { lineStartsOf, lineAt } from './source';
import type { Finding, RuleId } from './types';

export const INCOMPLETE: RuleId = 'mup/analysis-incomplete';

export interface Gap {
  /** What happened, as the finding says it (one sentence, no trailing period). */
  message: string;
  /** Offset in the text where it happened, when known. */
  pos?: number;
}

const IN_PART = 'this file was analysed in part (findings may be missing)';

/** The gaps of one analysis: the first one is reported, the others counted. */
export class Gaps {
  readonly list: Gap[] = [];

  private add(message: string, pos?: number): void {
    // one of each: a bound hit once per layer of a long chain is one problem
    if (this.list.length < 16 && !this.list.some((g) => g.message === message)) this.list.push({ message, pos });
  }

  /** A bound of the analyzer's own was hit at `pos`: `what` was not followed to its end. */
  bound(what: string, pos?: number): void {
    this.add(`${IN_PART}: ${what}`, pos);
  }

  /** An exception caught by the never-throw guard while doing `what`. */
  internal(what: string, err: unknown): void {
    const e = err as { name?: unknown; message?: unknown } | undefined;
    const text = e && typeof e.message === 'string' ? `${typeof e.name === 'string' ? e.name : 'Error'}: ${e.message}` : String(err);
    this.add(`${IN_PART}: an internal error in ${what} (${text.split('\n')[0].slice(0, 200)}); please report it`);
  }

  /** TypeScript's parser threw (it recurses per level of nesting; deep input overflows the stack). */
  parser(text: string, fileName: string, err: unknown): void {
    const deep = deepestNesting(text, fileName);
    const cause =
      err instanceof RangeError
        ? `TypeScript's parser ran out of stack${deep ? ` on nesting ${deep.depth} brackets deep (here)` : ''}`
        : `TypeScript's parser failed (${String((err as Error | undefined)?.message ?? err).split('\n')[0].slice(0, 200)})`;
    this.add(`this file could not be analysed: ${cause}, so no rule checked it; split the nested code up (e.g. into named constants)`, deep?.pos);
  }
}

/** The first token at the deepest level of ( [ { nesting, by the scanner (which does not recurse). */
export function deepestNesting(text: string, fileName: string): { depth: number; pos: number } | undefined {
  const variant = /\.[jt]sx$/i.test(fileName) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, variant, text);
  let depth = 0;
  let best: { depth: number; pos: number } | undefined;
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.OpenParenToken || k === ts.SyntaxKind.OpenBracketToken || k === ts.SyntaxKind.OpenBraceToken || k === ts.SyntaxKind.TemplateHead) {
      depth++;
      if (!best || depth > best.depth) best = { depth, pos: scanner.getTokenStart() };
    } else if (k === ts.SyntaxKind.CloseParenToken || k === ts.SyntaxKind.CloseBracketToken || k === ts.SyntaxKind.CloseBraceToken) depth = Math.max(0, depth - 1);
  }
  return best;
}

/** The finding for the first gap (its line, or the first line of the file), naming how many more there were. */
export function gapFinding(fileName: string, text: string, gaps: Gaps, sf?: ts.SourceFile): Finding | undefined {
  const first = gaps.list[0];
  if (!first) return undefined;
  const starts = sf ? sf.getLineStarts() : lineStartsOf(text);
  const at = lineAt(starts, Math.min(first.pos ?? 0, text.length));
  const lineStart = starts[at.line];
  const lineEnd = at.line + 1 < starts.length ? starts[at.line + 1] : text.length;
  const lineText = text.slice(lineStart, lineEnd).replace(/\r?\n$/, '');
  // the token where it happened, or the whole first line
  const column = first.pos === undefined ? 1 : at.character + 1;
  const endColumn = first.pos === undefined ? Math.max(2, lineText.length + 1) : column + 1;
  const more = gaps.list.length > 1 ? ` (and ${gaps.list.length - 1} more: ${gaps.list.slice(1).map((g) => g.message.slice(g.message.indexOf(': ') + 2)).join('; ')})` : '';
  return {
    file: fileName,
    line: at.line + 1,
    column,
    endLine: at.line + 1,
    endColumn,
    rule: INCOMPLETE,
    severity: RULES[INCOMPLETE].severity,
    message: first.message + more,
    // (the fronts add "Suppress for this line / file", naming this rule: src/languageService/suppression.ts)
    fixes: [],
  };
}
