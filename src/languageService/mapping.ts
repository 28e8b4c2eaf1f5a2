// Analyzer data (1-based ranges, plain findings, fixes, factories) -> the plain, 0-based shapes the language
// server sends as LSP diagnostics, code actions and CodeLenses one to one. Pure: no `vscode` import, so every
// decision a user sees (which range, which severity, which edit, which lens) is unit-tested with node:test.
import type { Finding, Fix, ModelFactory, Range, RuleId, Severity } from '../analyzer/types';
// The analyzer's own doc links, from a module with no dependencies: importing the analyzer itself here would
// put it (and typescript) into the server's main bundle; only its analysis threads load it.
import { ruleDocUrl } from '../analyzer/ruleDocs';
import { effectiveSeverity, isRuleId, type LintSettings } from '../settings/lint';
import { analyzerFixes } from './fixes';
import { fileSuppressionFix, lineSuppressionFix } from './suppression';
import { describeBlockers, muPBlockers } from './parametrization';

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

/** The repository's rule docs, the analyzer's URL and anchors. */
export function defaultRuleDocUrl(rule: RuleId): string {
  return ruleDocUrl(rule);
}

/**
 * The Problems line of a finding: what is wrong, and what muP wants, without the why (issue 23.8: ~200-character
 * lines are cut off in the Problems view and push the hover's table below the fold). The whole message is in the
 * hover (src/server/server.ts) and the rule's docs behind the code link. Messages of 120 characters or fewer stay.
 */
export function problemsMessage(message: string): string {
  if (message.length <= 120) return message;
  const cut = [message.indexOf(': '), message.indexOf('; ')].filter((i) => i > 0);
  if (!cut.length) return message;
  const head = message.slice(0, Math.min(...cut));
  const rest = message.slice(Math.min(...cut) + 2);
  // The remedy: "muP wants X" (up to its first aside), else "... must be ..." (up to ", else").
  const wants = /muP wants (.+?)(?: \(|[:;,]|$)/.exec(rest);
  const must = /(\S+ (?:output|outputs) must be .+?)(?:, else|;|$)/.exec(rest);
  const remedy = wants ? `muP wants ${wants[1]}` : must ? must[1] : null;
  return remedy ? `${head}; ${remedy}` : head;
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
    out.push({ range: toRange0(f), message: problemsMessage(f.message), severity, source: DIAGNOSTIC_SOURCE, rule: f.rule, docUrl: docUrl(f.rule) });
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

function toPlainAction(f: Finding, fix: Fix, kind: PlainCodeAction['kind']): PlainCodeAction {
  return { title: fix.title, kind, isPreferred: kind === 'fix' && !!fix.isPreferred, edits: fix.edits.map((e) => ({ range: toRange0(e), newText: e.newText })), rule: f.rule };
}

/**
 * The quick fixes of one finding (./fixes.ts): the analyzer's fixes in its order (at most one preferred), then
 * "Suppress <rule> for this line" and "... for this file" (./suppression.ts).
 */
export function codeActionsForFinding(f: Finding, documentText: string): PlainCodeAction[] {
  return [
    ...analyzerFixes(f, documentText).map((fix) => toPlainAction(f, fix, 'fix')),
    toPlainAction(f, lineSuppressionFix(f, documentText), 'suppress'),
    toPlainAction(f, fileSuppressionFix(f, documentText), 'suppress'),
  ];
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
  /** What the run will train, when the file decides it (issue 23.1): shown on hovering the lens. */
  tooltip?: string;
}

/**
 * "Coordinate check" and "LR sweep" above each exported model factory. Local factories get none: the worker
 * loads the file as a module and can only reach its exports.
 */
export function codeLensesForFactories(factories: readonly ModelFactory[], uri: string, findings?: readonly Finding[]): PlainCodeLens[] {
  const out: PlainCodeLens[] = [];
  // With the editor's default `parametrization: auto`, a file with muP errors is run in SP: the lens says so.
  const blockers = findings ? muPBlockers(findings) : [];
  const tooltip = blockers.length
    ? `Runs in SP (parametrization auto): the file has ${blockers.length} muP error${blockers.length === 1 ? '' : 's'} (${describeBlockers(blockers)}). Fix them to run it in muP.`
    : findings
      ? 'Runs in muP (parametrization auto): the file has no muP errors.'
      : undefined;
  const seen = new Set<string>();
  for (const f of factories) {
    if (!f.exported || seen.has(f.name)) continue;
    seen.add(f.name);
    const start = toRange0(f).start;
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const target: FactoryTarget = { uri, exportName: f.name };
    out.push({ range, title: '$(beaker) Coordinate check', command: COORD_CHECK_COMMAND, arguments: [target], ...(tooltip ? { tooltip } : {}) });
    out.push({ range, title: 'LR sweep', command: SWEEP_COMMAND, arguments: [{ ...target }], ...(tooltip ? { tooltip } : {}) });
  }
  return out;
}
