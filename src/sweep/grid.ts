// The sweep grid: widths x learning rates x hyperparameter values x seeds, parsed from user flags, enumerated in
// one fixed order (so `--shard i/n` picks the same slice on every machine) and split into shards.
// Pure: no tfjs, no file system.
import { axisCombinations, type AxisValues, type SweepAxisGrid } from './axes';

/** The swept hyperparameters' values of one trial, `{outputMult: 0.25}` (what the factory receives). */
export type HpValues = Record<string, number>;

/** One hyperparameter axis of the grid: `--hp outputMult=2^-4:2^4:1`. */
export interface HpAxis {
  name: string;
  /** Ascending, positive (the plots and the transfer rule work in log2 of the value). */
  values: number[];
}

export interface GridPoint {
  width: number;
  lr: number;
  seed: number;
  /** Only in a grid with hyperparameter axes: one value per axis. */
  hp?: HpValues;
  /** Only in a grid with axes beyond width (issue 22: `--depths`, `--batches`, `--seq-lens`, `--steps-axis`). */
  axes?: AxisValues;
}

export class GridError extends Error {}

/** Parses `2^-14`, `1e-3`, `0.001` or `-14` style numbers (the last only where `log2` is meant). */
function parseNumber(text: string, what: string): number {
  const t = text.trim();
  const pow = /^2\^\(?(-?\d+(?:\.\d+)?)\)?$/.exec(t);
  const v = pow ? 2 ** Number(pow[1]) : Number(t);
  if (t === '' || !Number.isFinite(v)) throw new GridError(`${what}: '${text}' is not a number`);
  return v;
}

/** `--lrs 0.001,2^-8,1e-2`: a list of positive learning rates, sorted ascending, duplicates removed. */
export function parseLrList(text: string): number[] {
  const lrs = text.split(',').map((s) => parseNumber(s, '--lrs'));
  for (const lr of lrs) if (!(lr > 0)) throw new GridError(`--lrs: learning rates must be > 0 (got ${lr})`);
  if (lrs.length === 0) throw new GridError('--lrs: give at least one learning rate');
  return uniqueSorted(lrs);
}

/**
 * `--lr-range 2^-14:2^-4:0.5`: log2-spaced LRs from start to stop (both included when the step lands on them),
 * `step` in octaves (0.5 = two LRs per factor of 2). Start and stop may be written `2^-14` or as a plain LR.
 * LRs are computed as start * 2^(i*step) so the same flag gives bit-identical LRs everywhere (the store
 * matches trials by their LR).
 */
export function parseLrRange(text: string): number[] {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new GridError(`--lr-range: expected start:stop[:octaves], e.g. 2^-14:2^-4:0.5 (got '${text}')`);
  }
  const start = parseNumber(parts[0]!, '--lr-range start');
  const stop = parseNumber(parts[1]!, '--lr-range stop');
  const step = parts.length === 3 ? parseNumber(parts[2]!, '--lr-range step') : 1;
  if (!(start > 0) || !(stop > 0)) throw new GridError('--lr-range: start and stop must be learning rates > 0');
  if (!(step > 0)) throw new GridError(`--lr-range: the step (in octaves) must be > 0 (got ${step})`);
  const lo = Math.min(start, stop);
  const n = Math.floor((Math.log2(Math.max(start, stop)) - Math.log2(lo)) / step + 1e-9);
  if (n > 1000) throw new GridError(`--lr-range: ${n + 1} learning rates is too many (use a larger step)`);
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(lo * 2 ** roundTo(i * step, 12));
  return out;
}

/** Names a hyperparameter may not have: the grid's own axes, and what the factory's config object already holds. */
const RESERVED_HP = new Set(['width', 'lr', 'learningRate', 'seed', 'steps']);

/**
 * `--hp outputMult=2^-4:2^4:1` (a log2 range, step in octaves, as --lr-range) or `--hp outputMult=0.25,0.5,1` (a
 * list). The name is what the factory reads from its second argument (or its config object beside `width`).
 */
export function parseHpAxis(text: string): HpAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new GridError(`--hp: expected NAME=GRID, e.g. outputMult=2^-4:2^4:1 or outputMult=0.5,1,2 (got '${text}')`);
  const name = text.slice(0, eq).trim();
  const grid = text.slice(eq + 1).trim();
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new GridError(`--hp: '${name}' is not a name the factory can read (letters, digits, _ and $; not starting with a digit)`);
  if (RESERVED_HP.has(name)) {
    throw new GridError(name === 'lr' || name === 'learningRate' ? `--hp: the learning rate is swept by --lrs or --lr-range, not --hp ${name}` : `--hp: '${name}' is already an axis of the grid; pick another name`);
  }
  if (grid === '') throw new GridError(`--hp ${name}: give the values, e.g. ${name}=2^-4:2^4:1 or ${name}=0.5,1,2`);
  let values: number[];
  try {
    values = grid.includes(':') ? parseLrRange(grid) : parseLrList(grid);
  } catch (err) {
    // The LR parsers' messages name their own flag: say which --hp was wrong instead.
    throw new GridError(`--hp ${name}: ${(err as Error).message.replace(/^--lr(s|-range)( start| stop| step)?: /, '').replace(/learning rates?/g, 'values')}`);
  }
  return { name, values };
}

/** Several `--hp` flags: names must differ. */
export function parseHpAxes(texts: readonly string[]): HpAxis[] {
  const axes = texts.map(parseHpAxis);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name)) throw new GridError(`--hp ${a.name} is given twice; give each hyperparameter once`);
    seen.add(a.name);
  }
  return axes;
}

/** Every combination of the axes' values, the first axis varying slowest: `[{a: 1, b: 1}, {a: 1, b: 2}, ...]`. */
export function hpCombinations(axes: readonly HpAxis[]): HpValues[] {
  let out: HpValues[] = [{}];
  for (const a of axes) out = out.flatMap((hp) => a.values.map((v) => ({ ...hp, [a.name]: v })));
  return out;
}

/** A canonical text of a trial's HP values (names sorted): `''` without HPs, `outputMult=0.25` with one. */
export function hpKey(hp: HpValues | undefined): string {
  if (!hp) return '';
  return Object.keys(hp)
    .sort()
    .map((k) => `${k}=${hp[k]}`)
    .join(';');
}

/** Trials of a grid: widths x LRs x HP combinations x seeds. */
export function gridSize(widths: number, lrs: number, seeds: number, axes: readonly HpAxis[] = []): number {
  return axes.reduce((n, a) => n * a.values.length, widths * lrs * seeds);
}

/** `--widths 64,128,256`: positive integers, sorted ascending, duplicates removed. */
export function parseWidths(text: string): number[] {
  const ws = text.split(',').map((s) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(v) || v <= 0) {
      throw new GridError(`--widths: '${s}' is not a positive integer`);
    }
    return v;
  });
  return uniqueSorted(ws);
}

/** `--shard i/n`, 0-based (as Kubernetes' JOB_COMPLETION_INDEX; Slurm users pass $SLURM_ARRAY_TASK_ID with --array=0-(n-1)). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new GridError(`--shard: expected i/n with 0 <= i < n, e.g. 0/4 (got '${text}')`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new GridError(`--shard: need 0 <= i < n (got ${index}/${count})`);
  return { index, count };
}

/**
 * Every trial of the grid in its canonical order: widths ascending, then LRs ascending, then the HP combinations
 * (first axis slowest), then seeds. Without HP axes the points have no `hp` (and are what they always were).
 */
export function enumerateGrid(widths: number[], lrs: number[], seeds: number, axes: readonly HpAxis[] = [], extra: readonly SweepAxisGrid[] = []): GridPoint[] {
  const out: GridPoint[] = [];
  const combos = axes.length ? hpCombinations(axes) : [undefined];
  // The axes beyond width (issue 22) vary right after width; without them the order is what it always was.
  const points = axisCombinations(extra);
  for (const width of widths) {
    for (const at of points) {
      for (const lr of lrs) {
        for (const hp of combos) {
          for (let seed = 0; seed < seeds; seed++) {
            const p: GridPoint = hp ? { width, lr, seed, hp } : { width, lr, seed };
            if (at) p.axes = at;
            out.push(p);
          }
        }
      }
    }
  }
  return out;
}

/**
 * The slice of the grid that shard `index` of `count` runs: round-robin over the canonical order, so every
 * shard gets a mix of narrow and wide (cheap and expensive) trials, and the union of all shards is the grid.
 */
export function shardOf<T>(points: T[], index: number, count: number): T[] {
  return points.filter((_, i) => i % count === index);
}

/** Trials ordered for a worker pool: widest first, so the slowest trials do not end up last on one worker. */
export function scheduleOrder(points: GridPoint[]): GridPoint[] {
  // Array.prototype.sort is stable: equal (width, lr, seed) keep the grid's HP order. A deeper, larger-batch,
  // longer trial costs more, as a wider one does: those first too.
  const cost = (p: GridPoint) => (p.axes ? (p.axes.depth ?? 1) * (p.axes.batch ?? 1) * (p.axes.seqLen ?? 1) * (p.axes.steps ?? 1) : 1);
  return [...points].sort((a, b) => b.width - a.width || cost(b) - cost(a) || a.lr - b.lr || a.seed - b.seed);
}

function uniqueSorted(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
