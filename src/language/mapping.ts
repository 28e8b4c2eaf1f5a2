// Analyzer data (1-based ranges, plain findings, fixes, factories) -> the plain shapes the VS Code adapters turn
// into Diagnostics, CodeActions and CodeLenses one to one. Pure: no `vscode` import, so every decision a user
// sees (which range, which severity, which edit, which lens) is unit-tested with node:test.
import type { Finding, ModelFactory, Range, RuleId, Severity } from '../analyzer/types';
// The analyzer's own doc links, from a module with no dependencies: importing the analyzer itself here would
// put it (and typescript) into dist/extension.js; it is loaded lazily (loadAnalyzer()).
import { ruleDocUrl } from '../analyzer/ruleDocs';
import { effectiveSeverity, isRuleId, type LintSettings } from './config';

/** 0-based, like vscode.Position. */
export interface Position0 {
  line: number;
  character: number;
}

export interface Range0 {
  start: Position0;
  end: Position0;
}

export const DIAGNOSTIC_SOURCE = 'muP';

export function toRange0(r: Range): Range0 {
  return {
    start: { line: Math.max(0, r.line - 1), character: Math.max(0, r.column - 1) },
    end: { line: Math.max(0, r.endLine - 1), character: Math.max(0, r.endColumn - 1) },
  };
}

export function sameRange0(a: Range0, b: Range0): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

export interface PlainDiagnostic {
  range: Range0;
  message: string;
  severity: Severity;
  source: typeof DIAGNOSTIC_SOURCE;
  rule: RuleId;
  /** Where the rule is documented; the diagnostic's code links there. */
  docUrl: string;
}

/** Fallback when the analyzer is not loaded: the repository's rule docs, the analyzer's URL and anchors. */
export function defaultRuleDocUrl(rule: RuleId): string {
  return ruleDocUrl(rule);
}

export function toDiagnostics(
  findings: readonly Finding[],
  settings: LintSettings,
  docUrl: (rule: RuleId) => string = defaultRuleDocUrl,
): PlainDiagnostic[] {
  const out: PlainDiagnostic[] = [];
  for (const f of findings) {
    const severity = effectiveSeverity(f.rule, f.severity, settings);
    if (severity === null) continue;
    out.push({ range: toRange0(f), message: f.message, severity, source: DIAGNOSTIC_SOURCE, rule: f.rule, docUrl: docUrl(f.rule) });
  }
  return out;
}

/** The finding a diagnostic (ours: same rule, same range) was made from, in a result of the same version. */
export function findingForDiagnostic(findings: readonly Finding[], rule: unknown, range: Range0): Finding | undefined {
  if (!isRuleId(rule)) return undefined;
  return findings.find((f) => f.rule === rule && sameRange0(toRange0(f), range));
}

export interface PlainEdit {
  range: Range0;
  newText: string;
}

export interface PlainCodeAction {
  title: string;
  kind: 'fix' | 'suppress';
  isPreferred: boolean;
  edits: PlainEdit[];
  rule: RuleId;
}

const SUPPRESS_DIRECTIVE = 'mup-ignore-next-line';

function providesSuppression(f: Finding): boolean {
  return f.fixes.some((fix) => fix.edits.some((e) => e.newText.includes(SUPPRESS_DIRECTIVE)));
}

/**
 * The quick fixes of one finding: the analyzer's fixes in its order (at most one preferred: the first it marks),
 * then "Suppress <rule> for this line" unless the analyzer already offers a suppression, then "... for this file".
 */
export function codeActionsForFinding(f: Finding, documentText: string): PlainCodeAction[] {
  const actions: PlainCodeAction[] = [];
  let preferredTaken = false;
  for (const fix of f.fixes) {
    if (fix.edits.length === 0) continue;
    const isSuppression = fix.edits.some((e) => e.newText.includes(SUPPRESS_DIRECTIVE));
    const isPreferred: boolean = !!fix.isPreferred && !preferredTaken && !isSuppression;
    preferredTaken ||= isPreferred;
    actions.push({
      title: fix.title,
      kind: isSuppression ? 'suppress' : 'fix',
      isPreferred,
      edits: fix.edits.map((e) => ({ range: toRange0(e), newText: e.newText })),
      rule: f.rule,
    });
  }
  if (!providesSuppression(f)) actions.push(suppressionAction(f, documentText));
  actions.push(fileSuppressionAction(f, documentText));
  return actions;
}

/**
 * `// mup-ignore-file <rule>` at the top of the file (below a shebang); when the file already has such a
 * directive for other rules, the rule is added to it instead.
 */
export function fileSuppressionAction(f: Finding, documentText: string): PlainCodeAction {
  const eol = documentText.includes('\r\n') ? '\r\n' : '\n';
  const lines = documentText.split(/\r?\n/);
  const title = `Suppress ${f.rule} for this file`;
  for (let i = 0; i < lines.length; i++) {
    const existing = /^(\s*\/\/\s*mup-ignore-file\b)(.*?)\s*$/.exec(lines[i]);
    const into = existing ? addToDirective(existing, f.rule) : null;
    if (into) {
      const at = { line: i, character: into.character };
      return { title, kind: 'suppress', isPreferred: false, edits: [{ range: { start: at, end: at }, newText: into.newText }], rule: f.rule };
    }
  }
  const at = { line: lines[0]?.startsWith('#!') ? 1 : 0, character: 0 };
  return {
    title,
    kind: 'suppress',
    isPreferred: false,
    edits: [{ range: { start: at, end: at }, newText: `// mup-ignore-file ${f.rule}${eol}` }],
    rule: f.rule,
  };
}

/**
 * Where and what to insert to add a rule to a directive that already lists rules (a bare directive covers all rules):
 * after its last rule, before a ` -- reason`. Null when the directive lists no rule or already this one.
 */
function addToDirective(m: RegExpExecArray, rule: RuleId): { character: number; newText: string } | null {
  const rest = m[2];
  const reasonAt = rest.indexOf(' -- ');
  const rules = reasonAt >= 0 ? rest.slice(0, reasonAt) : rest;
  const listed = rules.split(/[\s,]+/).filter((r) => /^mup\/[a-z-]+$/.test(r));
  if (listed.length === 0 || listed.includes(rule)) return null;
  const character = m[1].length + rules.trimEnd().length;
  return { character, newText: `${rules.includes(',') ? ', ' : ' '}${rule}` };
}

/**
 * `// mup-ignore-next-line <rule>` on its own line above the finding's first line, indented like it; when the
 * line above already is such a directive for other rules, the rule is added to it instead.
 */
export function suppressionAction(f: Finding, documentText: string): PlainCodeAction {
  const eol = documentText.includes('\r\n') ? '\r\n' : '\n';
  const lines = documentText.split(/\r?\n/);
  const line0 = Math.min(Math.max(0, f.line - 1), Math.max(0, lines.length - 1));
  const title = `Suppress ${f.rule} for this line`;
  const previous = line0 > 0 ? lines[line0 - 1] : undefined;
  const existing = previous === undefined ? null : /^(\s*\/\/\s*mup-ignore-next-line\b)(.*?)\s*$/.exec(previous);
  const into = existing ? addToDirective(existing, f.rule) : null;
  if (into) {
    const at = { line: line0 - 1, character: into.character };
    return { title, kind: 'suppress', isPreferred: false, edits: [{ range: { start: at, end: at }, newText: into.newText }], rule: f.rule };
  }
  const indent = /^\s*/.exec(lines[line0] ?? '')![0];
  const at = { line: line0, character: 0 };
  return {
    title,
    kind: 'suppress',
    isPreferred: false,
    edits: [{ range: { start: at, end: at }, newText: `${indent}// ${SUPPRESS_DIRECTIVE} ${f.rule}${eol}` }],
    rule: f.rule,
  };
}

/** Applies plain edits to a text (for tests and previews): the edits must not overlap. */
export function applyEdits(text: string, edits: readonly PlainEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Position0) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

export const COORD_CHECK_COMMAND = 'mupLens.runCoordinateCheck';
export const SWEEP_COMMAND = 'mupLens.runSweep';

/** The one argument both commands take. */
export interface FactoryTarget {
  uri: string;
  exportName: string;
}

export interface PlainCodeLens {
  range: Range0;
  title: string;
  command: string;
  arguments: [FactoryTarget];
}

/**
 * "Coordinate check" and "LR sweep" above each exported model factory. Local factories get none: the worker
 * loads the file as a module and can only reach its exports.
 */
export function codeLensesForFactories(factories: readonly ModelFactory[], uri: string): PlainCodeLens[] {
  const out: PlainCodeLens[] = [];
  const seen = new Set<string>();
  for (const f of factories) {
    if (!f.exported || seen.has(f.name)) continue;
    seen.add(f.name);
    const start = toRange0(f).start;
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const target: FactoryTarget = { uri, exportName: f.name };
    out.push({ range, title: '$(beaker) Coordinate check', command: COORD_CHECK_COMMAND, arguments: [target] });
    out.push({ range, title: 'LR sweep', command: SWEEP_COMMAND, arguments: [{ ...target }] });
  }
  return out;
}
