// Which parametrization a file is written in, from what the language server already says about it (its findings)
// and what it imports: a run from the editor trains the model the way it is written (issue 23.1), and says so
// plainly when the file has muP errors that make a muP run of it meaningless. Pure (no vscode): unit-tested.
import type { Finding, RuleId } from '../analyzer/types';

export type Written = 'mup' | 'sp';

/** Findings that make the model itself not muP (the engine's per-group LRs cannot repair them). */
const STRUCTURAL: readonly RuleId[] = ['mup/readout-not-scaled', 'mup/attention-sqrt-scaling'];
/** Findings the engine's own optimizer makes moot (a check or sweep never uses the file's optimizer). */
const MOOT: readonly RuleId[] = ['mup/optimizer-global-lr', 'mup/analysis-incomplete'];

export interface WrittenIn {
  parametrization: Written;
  /** The findings that make a muP run of this file meaningless (empty when it is written in muP). */
  blockers: Finding[];
  /** The file imports mup-lens/runtime (MuReadout, MuAdam, createMup, ...). */
  usesRuntime: boolean;
  /** One sentence: why this parametrization. */
  reason: string;
}

const RUNTIME_IMPORT = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]mup-lens\/runtime['"]/;

/** The muP blockers of a file: structural findings at any severity, and any other error the engine cannot moot. */
export function muPBlockers(findings: readonly Finding[]): Finding[] {
  return findings
    .filter((f) => f.severity !== 'info' && !MOOT.includes(f.rule) && (STRUCTURAL.includes(f.rule) || f.severity === 'error'))
    .sort((a, b) => a.line - b.line);
}

/** "readout-not-scaled at line 14, attention-sqrt-scaling at line 40 (+1 more)". */
export function describeBlockers(blockers: readonly Finding[], max = 2): string {
  const shown = blockers.slice(0, max).map((f) => `${f.rule.replace(/^mup\//, '')} at line ${f.line}`);
  return shown.join(', ') + (blockers.length > max ? ` (+${blockers.length - max} more)` : '');
}

/**
 * What a file is written in: SP when the analyzer finds muP errors in it (an unscaled readout, 1/sqrt(d)
 * attention), else muP (it passes the linter, or it uses mup-lens/runtime).
 */
export function writtenIn(text: string, findings: readonly Finding[]): WrittenIn {
  const blockers = muPBlockers(findings);
  const usesRuntime = RUNTIME_IMPORT.test(text);
  const n = blockers.length;
  if (n > 0) {
    return {
      parametrization: 'sp',
      blockers,
      usesRuntime,
      reason: `${n} muP error${n === 1 ? '' : 's'} (${describeBlockers(blockers)})${usesRuntime ? ', although it imports mup-lens/runtime' : ''}`,
    };
  }
  return { parametrization: 'mup', blockers, usesRuntime, reason: usesRuntime ? 'it uses mup-lens/runtime and has no muP errors' : 'it has no muP errors' };
}

export type Setting = 'auto' | Written | 'both';

export type Plan =
  /** Run these, and say `note` (null: nothing to say). */
  | { kind: 'run'; parametrizations: Written[]; note: string | null }
  /** The setting asks for a muP run of a file that is not muP: ask first (run SP / muP anyway / cancel). */
  | { kind: 'ask'; question: string; detail: string; asked: Written[] };

const label = (p: Written) => (p === 'mup' ? 'muP' : 'SP');

/**
 * What a run does given the setting (or the caller's explicit choice) and what the file is written in: `auto` runs
 * the file's own parametrization; a muP run asked of a file with muP errors is asked about first, never silent.
 */
export function planRun(setting: Setting, file: string, w: WrittenIn, explicit = false): Plan {
  if (setting === 'auto') {
    return {
      kind: 'run',
      parametrizations: [w.parametrization],
      note: w.parametrization === 'sp' ? `${file} is written in SP (${w.reason}): running it in SP. Fix the errors to run it in muP.` : null,
    };
  }
  const asked: Written[] = setting === 'both' ? ['sp', 'mup'] : [setting];
  if (!asked.includes('mup') || w.parametrization === 'mup') return { kind: 'run', parametrizations: asked, note: null };
  // The caller named the parametrization itself (a test, another extension): do it, but still say it.
  const meaningless = `${file} has ${w.reason}: a muP run of it trains an SP model with muP's learning rates, so its result says nothing about muP.`;
  if (explicit) return { kind: 'run', parametrizations: asked, note: meaningless };
  return {
    kind: 'ask',
    question: `${file} is not written in muP. Run it in ${asked.map(label).join(' and ')} anyway?`,
    detail: `${meaningless} Fix the errors (Fix all muP problems) first, or run it in SP.`,
    asked,
  };
}
