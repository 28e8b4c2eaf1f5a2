// What the runs view and the Transfer picker say of a stored run (issue 23.7, 23.8): model and file, the
// parametrization, trials of the grid, and the verdict; a muP sweep is transferable only when finished.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { appendTrial, TRIAL_FORMAT, trialKey, type StoredTrial, type TrialIdentity } from '../../../src/host/sweepStore';
import { runInfo } from '../../../src/panels/runInfo';
import { listStoredRuns } from '../../../src/panels/storedRuns';
import type { SweepTrial } from '../../../src/sweep/types';
import { coordFixture, MUP_SWEEP, range, SP_LAWS, SP_SWEEP, sweepTrials } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'mup-runinfo-'));
after(() => rmSync(root, { recursive: true, force: true }));

function store(dir: string, p: 'sp' | 'mup', trials: SweepTrial[], grid: { widths: number[]; lrs: number[] }): void {
  for (const t of trials) {
    const identity: TrialIdentity = { modelSha256: 'abc', exportName: 'mlp', width: t.width, lr: t.lr, seed: t.seed, steps: 50, parametrization: p, baseWidth: 64, data: { kind: 'synthetic' }, format: TRIAL_FORMAT };
    const rec: StoredTrial = {
      v: 1, key: trialKey(identity), identity, modelFile: `examples/mlp/${p}.ts`, backend: 'wasm', version: '0.1.0',
      outcome: { loss: t.loss, diverged: t.diverged, initialLoss: 2.3, lastFiniteLoss: t.loss, divergedAtStep: null, stepsRun: 50, ms: 10 },
      finishedAt: '2026-11-28T05:00:00Z',
    };
    appendTrial(dir, 'trials.jsonl', rec);
  }
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ widths: grid.widths, lrs: grid.lrs, seeds: 1, steps: 50, parametrization: p }));
}

const mup = join(root, '.mup');
const lrs = range(-10, -4);
const grid = { widths: [64, 128], lrs: lrs.map((l) => 2 ** l) };
const mupTrials = sweepTrials(MUP_SWEEP, grid.widths, lrs, 1);
store(join(mup, 'sweeps', 'mlp-mup'), 'mup', mupTrials, grid);
writeFileSync(join(mup, 'sweeps', 'mlp-mup', 'result.json'), JSON.stringify({ trials: mupTrials, optimum: [{ width: 64, lr: 2 ** -7, loss: 1 }, { width: 128, lr: 2 ** -7, loss: 0.97 }], shiftOctaves: 0, transfers: true, reused: 0, complete: true, parametrization: 'mup' }));
writeFileSync(join(mup, 'sweeps', 'mlp-mup', 'report.html'), '<html></html>');
store(join(mup, 'sweeps', 'mlp-sp'), 'sp', sweepTrials(SP_SWEEP, grid.widths, lrs, 1).slice(0, 9), grid);
mkdirSync(join(mup, 'coord', 'mlp-sp'), { recursive: true });
writeFileSync(join(mup, 'coord', 'mlp-sp', 'result.json'), JSON.stringify({ ...coordFixture(SP_LAWS), meta: { modelFile: '/w/examples/mlp/sp.ts', exportName: 'mlp', parametrization: 'sp' } }));

it('names each run by model and file, with its parametrization, progress and verdict', () => {
  const infos = listStoredRuns(mup).map(runInfo);
  const by = (name: string) => infos.find((i) => i.entry.name === name)!;
  const coord = by('mlp-sp');
  assert.equal(coord.entry.kind, 'coord');
  assert.equal(coord.label, 'mlp · sp.ts');
  assert.match(coord.description, /^SP · widths 64-1024 · fail \(readout \+1\.30 at t = 2\)$/);
  const done = infos.find((i) => i.entry.kind === 'sweep' && i.entry.name === 'mlp-mup')!;
  assert.equal(done.label, 'mlp · mup.ts');
  assert.equal(done.description, 'muP · 14/14 trials · transfers');
  assert.deepEqual([done.finished, done.parametrizations, done.widths], [true, ['mup'], [64, 128]]);
  assert.equal(done.transferable, true);
  assert.equal(done.inconclusive, undefined);
  assert.match(done.report ?? '', /report\.html$/);
  // The engine's third verdict (issue 21) is said as such, not as "does not transfer".
  writeFileSync(join(mup, 'sweeps', 'mlp-mup', 'result.json'), JSON.stringify({ trials: mupTrials, optimum: [{ width: 64, lr: 2 ** -7, loss: 1 }, { width: 128, lr: 2 ** -7, loss: 0.97 }], shiftOctaves: 0, transfers: false, verdict: 'inconclusive', reasons: ['one seed: nothing says how much of the shift is noise'], settle: ['add seeds (--seeds 3)'], reused: 0, complete: true, parametrization: 'mup' }));
  const unsure = runInfo(done.entry);
  assert.equal(unsure.description, 'muP · 14/14 trials · inconclusive');
  // Nothing to transfer from (the engine refuses it): the runs view offers no Transfer and the picker leaves it out;
  // its tooltip says why and what would settle it, as a setting.
  assert.equal(unsure.transferable, false);
  assert.equal(unsure.inconclusive, 'muP: inconclusive: one seed: nothing says how much of the shift is noise. To settle it: add seeds (set mupLens.sweep.seeds to 3).');
  const partial = infos.find((i) => i.entry.kind === 'sweep' && i.entry.name === 'mlp-sp')!;
  assert.equal(partial.description, 'SP · 9/14 trials · unfinished');
  assert.equal(partial.finished, false);
});
