// `--format json`: exactly the finding objects of docs/contracts.md (isPreferred, an editor hint, left out).
import type { Finding } from '../../analyzer/types';

export function formatJson(findings: Finding[]): string {
  const plain = findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    fixes: f.fixes.map((x) => ({ title: x.title, edits: x.edits.map((e) => ({ line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn, newText: e.newText })) })),
  }));
  return JSON.stringify(plain, null, 2);
}
