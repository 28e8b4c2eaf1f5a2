// `--format text`: like ESLint's default "stylish" formatter: one block per file, aligned columns,
// a summary line; nothing at all when there are no findings.
import type { Finding } from '../../analyzer/types';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatText(findings: Finding[]): string {
  if (findings.length === 0) return '';
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const lines: string[] = [];
  for (const [file, fs] of byFile) {
    lines.push(file);
    const pos = fs.map((f) => `${f.line}:${f.column}`);
    const pw = Math.max(...pos.map((p) => p.length));
    const sw = Math.max(...fs.map((f) => f.severity.length));
    const mw = Math.max(...fs.map((f) => f.message.length));
    fs.forEach((f, i) => lines.push(`  ${pos[i].padEnd(pw)}  ${f.severity.padEnd(sw)}  ${f.message.padEnd(mw)}  ${f.rule}`));
    lines.push('');
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const infos = findings.length - errors - warnings;
  const parts = [plural(errors, 'error'), plural(warnings, 'warning'), ...(infos ? [`${infos} info`] : [])];
  lines.push(`\u2716 ${plural(findings.length, 'problem')} (${parts.join(', ')})`);
  return lines.join('\n') + '\n';
}
