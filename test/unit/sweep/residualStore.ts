// A finished muP LR sweep's store of the shipped CompleteP twin (examples/residual/completep.ts), as
// src/host/sweep.ts writes it (sweep.json and result.json), for the transfer tests to read: widths 64 and 128, the
// LRs 2^-12..2^-7, 2 seeds, 100 steps. The tests make the trials (the loss each LR gets) themselves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceHash } from '../../../src/host/sourceHash';
import type { DepthSchemeRecord, SweepAxisGrid } from '../../../src/sweep/axes';
import { analyzeAxis } from '../../../src/sweep/axisAnalysis';
import { analyzeTrials } from '../../../src/sweep/optimum';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';

export const root = join(__dirname, '../../..');
export const modelRel = 'examples/residual/completep.ts';
export const modelAbs = join(root, modelRel);
export const LRS = [-12, -11, -10, -9, -8, -7].map((e) => 2 ** e);
export const WIDTHS = [64, 128];

export interface ResidualStoreOptions {
  /** The axes swept besides width; the width analysis is of the trials at each axis's first value. */
  axes?: SweepAxisGrid[];
  /** Analyse each axis too (`report.axes`; `everyAxisTransfers` then needs them all). */
  analyzeAxes?: boolean;
  /** The depth scheme the sweep recorded. */
  depthScheme?: DepthSchemeRecord;
  backend: 'cpu' | 'wasm';
}

/** Writes the store of `trials` into `dir` and returns `dir`. */
export async function residualStore(dir: string, trials: SweepTrial[], o: ResidualStoreOptions): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const grid = { widths: WIDTHS, lrs: LRS, seeds: 2, hps: [] };
  const axes = o.axes;
  const proxy = axes ? trials.filter((t) => axes.every((x) => t.axes![x.name] === x.values[0])).map(({ axes: _a, ...t }) => t) : trials;
  const a = analyzeTrials(proxy, grid);
  const axisResults = axes && o.analyzeAxes ? axes.map((x) => analyzeAxis(x.name, trials, axes, grid)) : undefined;
  const report: SweepReport = {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0,
    model: { file: modelRel, exportName: 'resnet' }, parametrization: 'mup', widths: WIDTHS, lrs: LRS, seeds: 2, steps: 100, baseWidth: 64,
    fittedShiftOctaves: a.fittedShiftOctaves, hps: [], everyAxisTransfers: a.everyAxisTransfers && (axisResults ?? []).every((x) => x.ok),
    recommended: null, verdict: a.verdict, lrVerdict: a.lrVerdict,
    ...(axes ? { axisGrid: axes } : {}), ...(axisResults ? { axes: axisResults } : {}), ...(o.depthScheme ? { depthScheme: o.depthScheme } : {}),
    backends: [o.backend], data: null, ran: trials.length, missing: 0, complete: true, missingTrials: [],
    failed: 0, cancelled: false, workers: 1, shard: null, storeDir: dir, elapsedMs: 1, warnings: [],
  };
  const sha256 = await sourceHash(modelAbs);
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ model: { file: modelRel, sha256, exportName: 'resnet', path: modelAbs }, widths: WIDTHS, lrs: LRS, seeds: 2, axes, steps: 100, parametrization: 'mup', baseWidth: 64, data: 'default' }));
  writeFileSync(join(dir, 'result.json'), JSON.stringify(report));
  return dir;
}
