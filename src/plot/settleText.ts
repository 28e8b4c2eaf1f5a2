// What would settle an inconclusive sweep verdict, in the words of the editor. The engine words it for the CLI
// ("add seeds (--seeds 3)", src/sweep/uncertainty.ts); a VS Code user sets `mupLens.sweep.*` instead, so the panel,
// the runs view and the transfer notification rephrase each flag as the setting that does the same (package.json).

/** `2^-8` -> -8; NaN when it is not a power of two written that way. */
const log2Of = (s: string) => (/^2\^(-?\d+(?:\.\d+)?)$/.test(s) ? Number(s.slice(2)) : NaN);

const RULES: Array<[RegExp, (...m: string[]) => string]> = [
  [/\(--seeds (\d+)\)/g, (n) => `(set mupLens.sweep.seeds to ${n})`],
  [/\(--lr-range ([^)\s]+)\)/g, (r) => `(set mupLens.sweep.lrRange to "${r}")`],
  [/\(--hp ([^=\s]+)=([^)\s]+)\)/g, (name, grid) => `(set mupLens.sweep.hp to {"${name}": "${grid}"})`],
  // --refine has no setting: a quarter-octave LR grid two octaves either side of the centre does it by hand.
  [
    /around (2\^-?\d+(?:\.\d+)?) \(--refine\)/g,
    (c) => {
      const x = log2Of(c);
      return Number.isFinite(x) ? `around ${c} (set mupLens.sweep.lrRange to "2^${x - 2}:2^${x + 2}:0.25")` : `around ${c} (a finer mupLens.sweep.lrRange, step 0.25)`;
    },
  ],
  [/\brun the same command again/g, () => 'run the sweep again'],
  [/\blower the LR range\b(?! \()/g, () => 'lower the LR range (mupLens.sweep.lrRange)'],
];

/** A settle line, or a whole message that holds some (the transfer's refusal), as the editor says it; any flag
 *  left without a setting is dropped rather than shown. */
export function settleInEditor(line: string): string {
  let out = line;
  for (const [re, f] of RULES) out = out.replace(re, (_all, ...groups: unknown[]) => f(...groups.filter((g): g is string => typeof g === 'string')));
  return out.replace(/\s*\(--[^)]*\)/g, '');
}

/** The whole "inconclusive: why; to settle it: what" sentence the editor shows (empty parts left out). */
export function inconclusiveText(reasons: readonly string[], settle: readonly string[]): string {
  const why = reasons.length ? `: ${reasons.join('; ')}` : '';
  const how = settle.length ? `. To settle it: ${settle.map(settleInEditor).join('; ')}` : '';
  return `inconclusive${why}${how}.`;
}
