// Shared by the analyzer tests: run the analyzer strictly (internal errors throw) and apply fixes.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyze } from '../../../src/analyzer';
import type { AnalysisResult, AnalyzeOptions, Finding, Fix, RuleId, TextEdit } from '../../../src/analyzer/types';

export function lint(text: string, fileName = 'model.ts', options: AnalyzeOptions = {}): AnalysisResult {
  return analyze(text, fileName, { ...options, debug: true, incremental: false });
}

export function rulesOf(r: AnalysisResult): string[] {
  return r.findings.map((f) => `${f.line}:${f.rule}`);
}

export function only(r: AnalysisResult, rule: RuleId): Finding[] {
  return r.findings.filter((f) => f.rule === rule);
}

/** Line (1-based) of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`not in text: ${needle}`);
  return i + 1;
}

function offset(lines: string[], line: number, column: number): number {
  let o = 0;
  for (let i = 0; i < line - 1; i++) o += lines[i].length + 1;
  return o + column - 1;
}

export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const spans = edits
    .map((e) => ({ start: offset(lines, e.line, e.column), end: offset(lines, e.endLine, e.endColumn), text: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

export function applyFix(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits);
}

export function preferred(f: Finding): Fix {
  const p = f.fixes.filter((x) => x.isPreferred);
  if (p.length !== 1) throw new Error(`expected one preferred fix, got ${p.length}: ${f.fixes.map((x) => x.title).join('; ')}`);
  return p[0];
}

/** Syntax errors of a text (for "the text after a fix parses"). */
export function syntaxErrors(text: string, fileName = 'model.ts'): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** The model source files under `dir` (.ts .tsx .js .jsx .mjs .cjs, node_modules skipped), as paths. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') out.push(...sourceFiles(p));
    } else if (/\.(ts|tsx|js|mjs|cjs|jsx)$/.test(name)) out.push(p);
  }
  return out;
}
