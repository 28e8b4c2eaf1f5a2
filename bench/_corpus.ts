// Scores the analyzer against the hand-labelled real-world corpus (test/fixtures/corpus/: tfjs model files from
// public repositories, and labels.json beside them, labelled from docs/rules.md before the tool was run on
// them; issue 10). A finding counts as a true positive when a label has the same (file, rule, line); every
// other finding is a false positive and every unmatched label a false negative. Per rule: tp/fp/fn,
// precision and recall, and each miss and false alarm with the label's reason or the finding's message.
// Used by bench/realworld.ts; a unit test can pin the same numbers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, RULE_IDS } from '../src/analyzer';
import type { Finding, RuleId } from '../src/analyzer/types';

export const CORPUS_DIR = join(__dirname, '..', 'test', 'fixtures', 'corpus');

export interface CorpusLabel {
  rule: RuleId;
  line: number;
  reason: string;
}

export interface CorpusEntry {
  source: string;
  commit: string | null;
  licence: string;
  paraphrase: boolean;
  repositoryIdentified?: boolean;
  kind: string;
  hard?: string;
  expected: CorpusLabel[];
  notes?: string;
}

export interface CorpusLabels {
  version: 1;
  files: Record<string, CorpusEntry>;
}

export interface RuleScore {
  rule: RuleId;
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); null when the rule reported nothing. */
  precision: number | null;
  /** tp / (tp + fn); null when nothing is labelled for the rule. */
  recall: number | null;
}

export interface Mismatch {
  kind: 'fp' | 'fn';
  file: string;
  line: number;
  rule: RuleId;
  /** The label's reason (a miss) or the finding's message (a false alarm). */
  why: string;
  /** The file's "deliberately hard" note, if it has one. */
  hard?: string;
}

export interface CorpusScore {
  files: number;
  labels: number;
  findings: number;
  perRule: RuleScore[];
  mismatches: Mismatch[];
  /** Files on which the analyzer threw internally (the score then uses what it returned without throwing). */
  errors: { file: string; message: string }[];
}

const SOURCE_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

export function loadLabels(dir = CORPUS_DIR): CorpusLabels {
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as CorpusLabels;
  if (labels.version !== 1) throw new Error(`${dir}/labels.json: unknown version ${String(labels.version)}`);
  const onDisk = readdirSync(dir).filter((f) => SOURCE_EXT.test(f)).sort();
  const labelled = Object.keys(labels.files).sort();
  const unlabelled = onDisk.filter((f) => !labels.files[f]);
  const absent = labelled.filter((f) => !onDisk.includes(f));
  if (unlabelled.length || absent.length) {
    throw new Error(`${dir}: files without labels: [${unlabelled.join(', ')}]; labels without files: [${absent.join(', ')}]`);
  }
  for (const [file, entry] of Object.entries(labels.files)) {
    for (const l of entry.expected) {
      if (!(RULE_IDS as readonly string[]).includes(l.rule)) throw new Error(`${file}: unknown rule ${l.rule}`);
      if (!Number.isInteger(l.line) || l.line < 1) throw new Error(`${file}: bad line ${l.line}`);
    }
  }
  return labels;
}

/** The analyzer's findings for one corpus file, strictly (internal errors reported) where it can. */
function lintFile(text: string, file: string, errors: CorpusScore['errors']): Finding[] {
  try {
    return analyze(text, file, { incremental: false, debug: true }).findings;
  } catch (err) {
    errors.push({ file, message: err instanceof Error ? err.message : String(err) });
    return analyze(text, file, { incremental: false }).findings;
  }
}

const key = (file: string, rule: string, line: number) => `${file}\u0000${rule}\u0000${line}`;

export function scoreCorpus(dir = CORPUS_DIR): CorpusScore {
  const labels = loadLabels(dir);
  const errors: CorpusScore['errors'] = [];
  const counts = new Map<RuleId, { tp: number; fp: number; fn: number }>(RULE_IDS.map((r) => [r, { tp: 0, fp: 0, fn: 0 }]));
  const mismatches: Mismatch[] = [];
  let nLabels = 0;
  let nFindings = 0;
  for (const [file, entry] of Object.entries(labels.files).sort(([a], [b]) => a.localeCompare(b))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const findings = lintFile(text, file, errors);
    nFindings += findings.length;
    nLabels += entry.expected.length;
    // Multisets by (file, rule, line): a second finding on a labelled line is a false alarm.
    const wanted = new Map<string, CorpusLabel[]>();
    for (const l of entry.expected) {
      const k = key(file, l.rule, l.line);
      wanted.set(k, [...(wanted.get(k) ?? []), l]);
    }
    for (const f of findings) {
      const c = counts.get(f.rule)!;
      const k = key(file, f.rule, f.line);
      const pending = wanted.get(k);
      if (pending && pending.length > 0) {
        pending.shift();
        c.tp++;
      } else {
        c.fp++;
        mismatches.push({ kind: 'fp', file, line: f.line, rule: f.rule, why: f.message, hard: entry.hard });
      }
    }
    for (const rest of wanted.values()) {
      for (const l of rest) {
        counts.get(l.rule)!.fn++;
        mismatches.push({ kind: 'fn', file, line: l.line, rule: l.rule, why: l.reason, hard: entry.hard });
      }
    }
  }
  const perRule: RuleScore[] = RULE_IDS.map((rule) => {
    const { tp, fp, fn } = counts.get(rule)!;
    return { rule, tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : null, recall: tp + fn ? tp / (tp + fn) : null };
  });
  mismatches.sort((a, b) => a.rule.localeCompare(b.rule) || a.kind.localeCompare(b.kind) || a.file.localeCompare(b.file) || a.line - b.line);
  return { files: Object.keys(labels.files).length, labels: nLabels, findings: nFindings, perRule, mismatches, errors };
}

const pct = (x: number | null) => (x === null ? '-' : x.toFixed(2));

/** The per-rule table as Markdown (the same rows the bench prints and the corpus README quotes). */
export function formatScoreTable(score: CorpusScore): string {
  const rows = [
    '| rule | tp | fp | fn | precision | recall |',
    '|---|---:|---:|---:|---:|---:|',
    ...score.perRule.map((r) => `| \`${r.rule}\` | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.precision)} | ${pct(r.recall)} |`),
  ];
  const all = score.perRule.reduce((s, r) => ({ tp: s.tp + r.tp, fp: s.fp + r.fp, fn: s.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
  rows.push(
    `| all rules | ${all.tp} | ${all.fp} | ${all.fn} | ${pct(all.tp + all.fp ? all.tp / (all.tp + all.fp) : null)} | ${pct(all.tp + all.fn ? all.tp / (all.tp + all.fn) : null)} |`,
  );
  return rows.join('\n');
}

/** Every miss and false alarm, grouped by rule, one line each. */
export function formatMismatches(score: CorpusScore): string {
  const out: string[] = [];
  for (const rule of RULE_IDS) {
    const ms = score.mismatches.filter((m) => m.rule === rule);
    if (ms.length === 0) continue;
    out.push(`${rule}:`);
    for (const m of ms) out.push(`  ${m.kind === 'fn' ? 'missed     ' : 'false alarm'} ${m.file}:${m.line}  ${m.why}`);
  }
  return out.join('\n');
}
