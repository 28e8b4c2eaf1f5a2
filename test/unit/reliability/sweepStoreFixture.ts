// A finished muP sweep's store (sweep.json and result.json as src/host/sweep.ts writes them) of
// test/fixtures/models/mlp_hp.ts, from bowl-shaped losses: the LR and outputMult transfer. For the transfer tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hpResults } from '../../../src/host/sweep';
import { sourceHash } from '../../../src/host/sourceHash';
import { analyzeTrials } from '../../../src/sweep/optimum';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');
const modelRel = 'test/fixtures/models/mlp_hp.ts';
const modelAbs = join(root, modelRel);
const LRS = [-8, -7, -6, -5, -4].map((e) => 2 ** e);
const ALPHAS = [-2, -1, 0, 1, 2].map((a) => 2 ** a);

/** A finished muP sweep that transfers, as src/host/sweep.ts writes it. */
export async function sweepStore(dir: string): Promise<SweepReport> {
  mkdirSync(dir, { recursive: true });
  const widths = [16, 32];
  const trials: SweepTrial[] = [];
  // Two seeds whose curves agree in shape (issue 21: one seed is inconclusive).
  for (const width of widths) for (const lr of LRS) for (const a of ALPHAS) for (const seed of [0, 1]) {
    trials.push({ width, lr, seed, loss: 1 + 0.001 * seed + 0.05 * (Math.log2(lr) + 6) ** 2 + 0.04 * (Math.log2(a) - 0.5) ** 2, diverged: false, hp: { outputMult: a } });
  }
  const hps = [{ name: 'outputMult', values: ALPHAS }];
  const a = analyzeTrials(trials, { widths, lrs: LRS, seeds: 2, hps });
  const report: SweepReport = {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0,
    model: { file: modelRel, exportName: 'mlp' }, parametrization: 'mup', widths, lrs: LRS, seeds: 2, steps: 6, baseWidth: 16,
    fittedShiftOctaves: a.fittedShiftOctaves, hps: hpResults(a, hps), everyAxisTransfers: a.everyAxisTransfers, recommended: null,
    verdict: a.verdict, lrVerdict: a.lrVerdict, shiftInterval: a.shiftInterval, reasons: a.reasons, settle: a.settle,
    backends: ['cpu'], data: null, ran: trials.length, missing: 0, complete: a.complete, missingTrials: [],
    failed: 0, cancelled: false, workers: 1, shard: null, storeDir: dir, elapsedMs: 1, warnings: [],
  };
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ model: { file: modelRel, sha256: await sourceHash(modelAbs), exportName: 'mlp', path: modelAbs }, widths, lrs: LRS, seeds: 2, hps, steps: 6, parametrization: 'mup', baseWidth: 16, data: 'default' }));
  writeFileSync(join(dir, 'result.json'), JSON.stringify(report));
  return report;
}

