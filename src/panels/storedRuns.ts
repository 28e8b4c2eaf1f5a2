// Runs stored under `.mup/` (docs/contracts.md; written by the coord and sweep engines), read back for the panel:
//   .mup/coord/<name>/result.json            a CoordResult (optionally with `meta` or modelFile/exportName/parametrization)
//   .mup/sweeps/<name>/*.jsonl               trial store (src/host/sweepStore.ts): one StoredTrial per line, shards merged
//   .mup/sweeps/<name>/result.json           the SweepResult once the sweep finished (absent after a cancel/crash)
//   .mup/sweeps/<name>/sweep.json            the sweep's settings (widths, lrs, seeds, ...), optional
// No vscode import: unit-tested against fixture folders.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CoordResult } from '../coord/types';
import type { CoordMeta, CoordView, Parametrization, SweepRun, SweepView } from '../protocol/webview';
import { readStore, type StoredTrial } from '../host/sweepStore';
import type { SweepResult, SweepTrial } from '../sweep/types';

export class StoredRunError extends Error {}

export interface StoredRunEntry {
  kind: 'coord' | 'sweep';
  name: string;
  dir: string;
  /** Newest file's modification time: the quick pick lists the latest first. */
  mtimeMs: number;
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function newest(dir: string): number {
  let m = 0;
  for (const f of readdirSync(dir)) {
    try {
      m = Math.max(m, statSync(join(dir, f)).mtimeMs);
    } catch {
      // removed meanwhile
    }
  }
  return m;
}

/** Every stored run under `mupDir` (the workspace's `.mup`), newest first. */
export function listStoredRuns(mupDir: string): StoredRunEntry[] {
  const out: StoredRunEntry[] = [];
  for (const name of subdirs(join(mupDir, 'coord'))) {
    const dir = join(mupDir, 'coord', name);
    if (existsSync(join(dir, 'result.json'))) out.push({ kind: 'coord', name, dir, mtimeMs: newest(dir) });
  }
  for (const name of subdirs(join(mupDir, 'sweeps'))) {
    const dir = join(mupDir, 'sweeps', name);
    const files = readdirSync(dir);
    if (files.some((f) => f.endsWith('.jsonl')) || files.includes('result.json')) out.push({ kind: 'sweep', name, dir, mtimeMs: newest(dir) });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StoredRunError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StoredRunError(`${path} is not valid JSON (${(e as Error).message}); was it written completely?`);
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

export function isCoordResult(x: unknown): x is CoordResult {
  return (
    isObj(x) && Array.isArray(x.widths) && Array.isArray(x.layers) && Array.isArray(x.records) &&
    Array.isArray(x.slopes) && isObj(x.verdict) && typeof x.verdict.threshold === 'number'
  );
}

function parametrizationOf(x: Record<string, unknown>, fallbackName: string): Parametrization {
  if (x.parametrization === 'sp' || x.parametrization === 'mup') return x.parametrization;
  if (typeof x.mup === 'boolean') return x.mup ? 'mup' : 'sp';
  return /(^|[-_.])sp($|[-_.])/i.test(fallbackName) ? 'sp' : 'mup';
}

export function loadStoredCoord(dir: string, name: string): CoordView {
  const path = join(dir, 'result.json');
  const raw = readJson(path);
  if (!isCoordResult(raw)) throw new StoredRunError(`${path} is not a coordinate-check result (expected widths, layers, records, slopes, verdict)`);
  const r = raw as unknown as Record<string, unknown>;
  const m = isObj(r.meta) ? { ...r, ...r.meta } : r;
  const exportName = str(m.exportName) ?? str(m.export) ?? name;
  const meta: CoordMeta = {
    title: str(m.title) ?? name,
    modelFile: str(m.modelFile) ?? str(m.file) ?? '',
    exportName,
    parametrization: parametrizationOf(m, name),
    reportPath: path,
  };
  return { kind: 'coord', meta, result: raw };
}

export function toSweepTrial(s: StoredTrial): SweepTrial {
  return { width: s.identity.width, lr: s.identity.lr, seed: s.identity.seed, loss: s.outcome.loss, diverged: s.outcome.diverged, ...(s.identity.hp ? { hp: s.identity.hp } : {}) };
}

function isSweepResult(x: unknown): x is SweepResult {
  return isObj(x) && Array.isArray(x.trials) && Array.isArray(x.optimum) && typeof x.shiftOctaves === 'number';
}

/** One run per parametrization found in the store (a store normally holds one). */
export function loadStoredSweepRuns(dir: string, name: string): SweepRun[] {
  const { trials } = readStore(dir);
  const settings = existsSync(join(dir, 'sweep.json')) ? readJson(join(dir, 'sweep.json')) : null;
  // sweep.json (src/host/sweep.ts): {model: {file, sha256, exportName}, widths, lrs, seeds, steps, parametrization, baseWidth, ...}
  const set = isObj(settings) ? settings : {};
  const model = isObj(set.model) ? set.model : {};
  const resultRaw = existsSync(join(dir, 'result.json')) ? readJson(join(dir, 'result.json')) : null;
  const result = isSweepResult(resultRaw) ? resultRaw : null;
  const res = (isObj(resultRaw) ? resultRaw : {}) as Record<string, unknown>;
  // A store keeps every trial it ever held; show the ones of the last sweep's settings (same steps, base
  // width and model version), so that a rerun with other settings is not mixed into the curves.
  const hps = Array.isArray(set.hps) ? (set.hps as unknown[]).filter((a): a is { name: string; values: number[] } => isObj(a) && typeof a.name === 'string' && Array.isArray(a.values)) : [];
  const hpNames = hps.map((a) => a.name).sort().join(',');
  const sameSettings = (t: StoredTrial) =>
    (typeof set.steps !== 'number' || t.identity.steps === set.steps) &&
    // the same HP axes: an LR sweep's trials (no hp) and an HP sweep's in one store are two sweeps
    Object.keys(t.identity.hp ?? {}).sort().join(',') === hpNames &&
    (typeof set.baseWidth !== 'number' || t.identity.baseWidth === set.baseWidth) &&
    (typeof model.sha256 !== 'string' || t.identity.modelSha256 === model.sha256);
  const groups = new Map<Parametrization, StoredTrial[]>();
  for (const t of trials.values()) {
    if (!sameSettings(t)) continue;
    const p = t.identity.parametrization;
    if (!groups.has(p)) groups.set(p, []);
    groups.get(p)!.push(t);
  }
  if (groups.size === 0 && !result) throw new StoredRunError(`${dir} holds no trials yet`);
  const resultPt = result ? parametrizationOf({ ...set, ...res }, name) : null;
  if (resultPt && !groups.has(resultPt)) groups.set(resultPt, []);
  const nums = (x: unknown) => (Array.isArray(x) && x.every((v) => typeof v === 'number') ? (x as number[]) : undefined);
  return [...groups.entries()].map(([p, stored]) => {
    const first = stored[0];
    const own = result && (groups.size === 1 || resultPt === p) ? result : null;
    const cancelled = own !== null && res.cancelled === true;
    return {
      meta: {
        title: str(set.title) ?? name,
        modelFile: first?.modelFile ?? str(model.file) ?? str(set.modelFile) ?? '',
        exportName: first?.identity.exportName ?? str(model.exportName) ?? str(set.exportName) ?? name,
        parametrization: p,
        storeDir: dir,
        widths: nums(set.widths),
        lrs: nums(set.lrs),
        seeds: typeof set.seeds === 'number' ? set.seeds : undefined,
        ...(hps.length ? { hps } : {}),
        group: str(set.group),
      },
      // The engine's result lists exactly its grid's trials; without one, what the store holds.
      trials: own && own.trials.length >= stored.length ? own.trials : stored.map(toSweepTrial),
      result: own,
      status: own ? (cancelled ? 'cancelled' : 'done') : 'interrupted',
      message: own
        ? cancelled
          ? 'the sweep was cancelled; showing the trials it stored'
          : undefined
        : 'no result.json: the sweep was stopped before it finished',
    } satisfies SweepRun;
  });
}

/** Model identity used to put SP and muP sweeps of one model side by side. */
export const modelKey = (r: { meta: { modelFile: string; exportName: string; group?: string } }) => r.meta.group ?? `${r.meta.modelFile}#${r.meta.exportName}`;

/**
 * A sweep view for the chosen store, with the other parametrization of the same model (from another store)
 * beside it when one exists: SP left, muP right.
 */
export function loadStoredSweep(entry: StoredRunEntry, all: StoredRunEntry[]): SweepView {
  const runs = loadStoredSweepRuns(entry.dir, entry.name);
  const key = modelKey(runs[0]);
  for (const other of all) {
    if (other.kind !== 'sweep' || other.dir === entry.dir) continue;
    let more: SweepRun[];
    try {
      more = loadStoredSweepRuns(other.dir, other.name);
    } catch {
      continue;
    }
    for (const r of more) {
      if (modelKey(r) === key && !runs.some((x) => x.meta.parametrization === r.meta.parametrization)) runs.push(r);
    }
  }
  return { kind: 'sweep', runs, targetWidth: null };
}
