// Text rendering of a coordinate check for terminals and output channels. Pure.
import { relative } from 'node:path';
import { FAIL_FROM, PASS_BELOW } from './summarize';
import type { CoordResult } from './types';

function fmt(v: number | null): string {
  if (v === null) return 'n/a';
  return (v >= 0 ? '+' : '') + v.toFixed(2);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function sourceOf(result: CoordResult, layer: string, cwd: string): string {
  const src = result.layers.find((l) => l.name === layer)?.source;
  return src ? `${relative(cwd, src.file) || src.file}:${src.line}` : '';
}

/** One line: the verdict, the worst layer and where it is. */
export function verdictLine(result: CoordResult, cwd: string): string {
  const v = result.verdict;
  const level = (v.level ?? (v.pass ? 'pass' : 'fail')).toUpperCase();
  if (v.problems?.length) return `${level}: ${v.problems[0]}`;
  if (!v.worst) return `${level}: no slope could be fitted`;
  const where = sourceOf(result, v.worst.layer, cwd);
  const bounds = `pass < ${PASS_BELOW}, fail >= ${FAIL_FROM}`;
  const ws = result.slopes.find((s) => s.layer === v.worst!.layer && s.t === v.worst!.t && (v.worst!.width === undefined || s.width === v.worst!.width));
  const pm = ws && ws.se != null && ws.high != null && ws.slope !== null ? `; slope ${fmt(ws.slope)} +- ${(ws.high - ws.slope).toFixed(2)} (95%, ${result.seeds} seeds)` : '';
  const settle = v.settle ? `; ${v.settle}` : '';
  if (result.axis === 'depth') {
    // Across depth (issue 22): the signed slope against depth, the width it was fitted at, and the fix.
    const w = v.worst.width !== undefined ? `, width ${v.worst.width}` : '';
    return `${level}: '${v.worst.layer}' slope ${fmt(v.worst.slope)} against log depth at t = ${v.worst.t}${w} (${bounds})${where ? ` at ${where}` : ''}${pm}${settle}${v.fix ? `; fix: ${v.fix}` : ''}`;
  }
  return `${level}: largest |slope| ${Math.abs(v.worst.slope).toFixed(2)} at layer '${v.worst.layer}', t = ${v.worst.t} (${bounds})${where ? ` at ${where}` : ''}${pm}${settle}`;
}

export function formatText(result: CoordResult, header: string, cwd: string): string {
  const steps = Array.from({ length: result.steps }, (_, i) => i + 1);
  const nameW = Math.max(5, ...result.layers.map((l) => l.name.length)) + 2;
  const roleW = Math.max(4, ...result.layers.map((l) => l.role.length)) + 2;
  const byDepth = result.axis === 'depth';
  const lines = [header];
  // A check across depth has one table per width (the slice the depth slopes are fitted at); a width check one.
  const slices: (number | undefined)[] = byDepth ? result.widths : [undefined];
  if (byDepth && slices.length === 0) lines.push('no width finished two depths, so no slope was fitted');
  if (!byDepth) {
    lines.push(
      result.widths.length > 0
        ? `slope of log l1 against log width, widths ${result.widths.join(',')} (t = 1 is at init; judged over t >= 2)`
        : 'no width finished its runs, so no slope was fitted',
    );
  }
  for (const w of slices) {
    if (byDepth) lines.push(`slope of log l1 against log depth, depths ${(result.depths ?? []).join(',')} at width ${w} (t = 1 is at init; judged over t >= 2)`);
    lines.push(pad('layer', nameW) + pad('role', roleW) + steps.map((t) => pad(`t=${t}`, 7, true)).join(' ') + '  source');
    for (const layer of result.layers) {
      const row = steps.map((t) => {
        const s = result.slopes.find((x) => x.layer === layer.name && x.t === t && (w === undefined || x.width === w));
        return pad(fmt(s?.slope ?? null) + (t >= 2 && s?.status === 'inconclusive' ? '?' : ''), 7, true);
      });
      lines.push(pad(layer.name, nameW) + pad(layer.role, roleW) + row.join(' ') + '  ' + sourceOf(result, layer.name, cwd));
    }
  }
  if (result.slopes.some((s) => s.t >= 2 && s.status === 'inconclusive')) lines.push(`?: the slope's 95% interval across seeds crosses ${PASS_BELOW} or ${FAIL_FROM}`);
  lines.push(verdictLine(result, cwd));
  return lines.join('\n') + '\n';
}
