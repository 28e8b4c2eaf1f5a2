// Reading `.mup/` back for "muP: Open Results": listing, coord results, sweep stores (via the sweep engine's
// own writer), SP and muP paired, a cancelled sweep, and clear errors for broken files.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listStoredRuns, loadStoredCoord, loadStoredSweep, loadStoredSweepRuns, StoredRunError } from '../../../src/panels/storedRuns';
import { appendTrial, TRIAL_FORMAT, trialKey, type StoredTrial, type TrialIdentity } from '../../../src/host/sweepStore';
import type { SweepTrial } from '../../../src/sweep/types';
import { coordFixture, MUP_SWEEP, range, SP_LAWS, SP_SWEEP, sweepTrials } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'mup-panel-'));
after(() => rmSync(root, { recursive: true, force: true }));

function store(dir: string, p: 'sp' | 'mup', trials: SweepTrial[], steps = 50): void {
  for (const t of trials) {
    const identity: TrialIdentity = {
      modelSha256: 'abc', exportName: 'mlp', width: t.width, lr: t.lr, seed: t.seed, steps, parametrization: p,
      baseWidth: 64, data: { kind: 'synthetic' }, format: TRIAL_FORMAT,
    };
    const rec: StoredTrial = {
      v: 1, key: trialKey(identity), identity, modelFile: 'examples/mlp.ts', backend: 'wasm', version: '0.1.0',
      outcome: { loss: t.loss, diverged: t.diverged, initialLoss: 2.3, lastFiniteLoss: t.loss, divergedAtStep: t.diverged ? 3 : null, stepsRun: 50, ms: 10 },
      finishedAt: '2026-11-28T05:00:00Z',
    };
    appendTrial(dir, 'trials.jsonl', rec);
  }
}

const mup = join(root, '.mup');
const spTrials = sweepTrials(SP_SWEEP, [64, 128], range(-10, -4), 2);
const mupTrials = sweepTrials(MUP_SWEEP, [64, 128], range(-10, -4), 2);
store(join(mup, 'sweeps', 'mlp-sp'), 'sp', spTrials);
store(join(mup, 'sweeps', 'mlp-mup'), 'mup', mupTrials);
writeFileSync(join(mup, 'sweeps', 'mlp-mup', 'result.json'), JSON.stringify({ trials: mupTrials, optimum: [{ width: 64, lr: 2 ** -7, loss: 1 }, { width: 128, lr: 2 ** -7, loss: 0.97 }], shiftOctaves: 0, transfers: true, reused: 0 }));
mkdirSync(join(mup, 'coord', 'mlp-sp'), { recursive: true });
writeFileSync(join(mup, 'coord', 'mlp-sp', 'result.json'), JSON.stringify({ ...coordFixture(SP_LAWS), meta: { modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'sp' } }));
mkdirSync(join(mup, 'coord', 'broken'), { recursive: true });
writeFileSync(join(mup, 'coord', 'broken', 'result.json'), '{"backend": "wasm", "widths": [64');
mkdirSync(join(mup, 'coord', 'not-a-run'), { recursive: true });

describe('stored runs', () => {
  it('lists coord results and sweep stores, skipping folders without a run', () => {
    const runs = listStoredRuns(mup).map((r) => `${r.kind}:${r.name}`).sort();
    assert.deepEqual(runs, ['coord:broken', 'coord:mlp-sp', 'sweep:mlp-mup', 'sweep:mlp-sp']);
    assert.deepEqual(listStoredRuns(join(root, 'nothing-here')), []);
  });

  it('loads a coord result with its model identity', () => {
    const v = loadStoredCoord(join(mup, 'coord', 'mlp-sp'), 'mlp-sp');
    assert.equal(v.meta.parametrization, 'sp');
    assert.equal(v.meta.modelFile, 'examples/mlp.ts');
    assert.equal(v.result.records.length, coordFixture(SP_LAWS).records.length);
  });

  it('says which file is broken and why', () => {
    assert.throws(() => loadStoredCoord(join(mup, 'coord', 'broken'), 'broken'), (e: unknown) => e instanceof StoredRunError && /broken[/\\]result\.json is not valid JSON/.test(e.message));
  });

  it('shows a sweep without result.json (cancelled or crashed) with every stored trial, as interrupted', () => {
    const [run] = loadStoredSweepRuns(join(mup, 'sweeps', 'mlp-sp'), 'mlp-sp');
    assert.equal(run.trials.length, spTrials.length);
    assert.equal(run.status, 'interrupted');
    assert.equal(run.result, null);
    assert.equal(run.trials.filter((t) => t.diverged).length, spTrials.filter((t) => t.diverged).length);
  });

  it('skips a truncated last line (a sweep killed mid-write) and keeps the rest', () => {
    const dir = join(mup, 'sweeps', 'mlp-sp');
    appendFileSync(join(dir, 'trials.jsonl'), '{"v":1,"key":"tru');
    const [run] = loadStoredSweepRuns(dir, 'mlp-sp');
    assert.equal(run.trials.length, spTrials.length);
  });

  it("shows only the trials of the store's current settings (sweep.json), and a cancelled result as cancelled", () => {
    const dir = join(mup, 'sweeps', 'rerun');
    store(dir, 'mup', mupTrials.slice(0, 10), 100); // an older sweep of the same model with other settings
    store(dir, 'mup', mupTrials.slice(0, 6), 50);
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ model: { file: 'examples/mlp.ts', sha256: 'abc', exportName: 'mlp' }, widths: [64, 128], lrs: [2 ** -10], seeds: 2, steps: 50, parametrization: 'mup', baseWidth: 64 }));
    let [run] = loadStoredSweepRuns(dir, 'rerun');
    assert.equal(run.trials.length, 6);
    assert.deepEqual(run.meta.widths, [64, 128]);
    assert.equal(run.meta.seeds, 2);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ trials: mupTrials.slice(0, 6), optimum: [], shiftOctaves: 0, transfers: false, reused: 0, parametrization: 'mup', cancelled: true }));
    [run] = loadStoredSweepRuns(dir, 'rerun');
    assert.equal(run.status, 'cancelled');
    assert.match(run.message!, /cancelled/);
    rmSync(dir, { recursive: true });
  });

  it('puts the SP and muP sweeps of the same model side by side', () => {
    const entries = listStoredRuns(mup);
    const v = loadStoredSweep(entries.find((e) => e.name === 'mlp-sp')!, entries);
    assert.deepEqual(v.runs.map((r) => r.meta.parametrization).sort(), ['mup', 'sp']);
    const m = v.runs.find((r) => r.meta.parametrization === 'mup')!;
    assert.equal(m.status, 'done');
    assert.equal(m.result!.transfers, true);
  });
});
