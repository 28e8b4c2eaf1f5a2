// `sweep --depths ... --alpha` (issue 22): a muP depth sweep trains each trial as the runtime would at that depth for
// the model's scheme, MuAdam's depth option `{depth, baseDepth: the first swept depth, alpha}` (what fromTransfer
// passes): depth-muP's hidden weights at LR x (8/2)^-1/2 and every epsilon x (8/2)^-1/2, CompleteP's LRs unchanged
// and epsilon x 2/8. Before, the trials had no depth factors, so a depth-muP model's best LR moved with depth.
// The trial job runs in-process on the shipped CompleteP twin (width 32, 2 steps), as verify-depth.test.ts does; the
// CLI's flags, the store key and result.json through the CLI with real workers (width 16, one LR, 2 steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import type { StoredTrial } from '../../../src/host/sweepStore';
import { createMup, type MuAdamOptimizer, type TransferFile } from '../../../src/mup';
import { depthIdentity, depthSchemeFor, type DepthSchemeRecord, type SweepAxisGrid } from '../../../src/sweep/axes';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';
import { runTrialJob } from '../../../src/worker/trialJob';
import type { TrialJobParams } from '../../../src/protocol/jobs';
import { LRS, WIDTHS, modelAbs, residualStore, root } from './residualStore';

const innerEpsilon = (g: { inner: unknown }) => (g.inner as { epsilon: number }).epsilon;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}

type Group = { name: string; lr: number; epsilon: number };

/** Runs one trial job at depth 8 in this process; each weight's (LR, epsilon) of the first MuAdam step, or null when no MuAdam trained. */
async function trialGroups(extra: Partial<TrialJobParams>): Promise<{ depth: unknown; groups: Group[] } | null> {
  await tf.setBackend('cpu');
  const mup = createMup(tf);
  let trained: tf.LayersModel | undefined;
  let got: { depth: unknown; groups: Group[] } | null = null;
  const proto = mup.MuAdam.prototype as unknown as { applyGradients(this: MuAdamOptimizer, g: unknown): void };
  const apply = proto.applyGradients;
  proto.applyGradients = function (this: MuAdamOptimizer, g: unknown) {
    got ??= {
      depth: this.depth,
      groups: trained!.trainableWeights.map((w) => {
        const x = this.groupOf(w.read() as tf.Variable);
        return { name: w.name, lr: x.learningRate, epsilon: innerEpsilon(x) };
      }),
    };
    return apply.call(this, g);
  };
  const { resnet } = require(modelAbs) as { resnet: (w: number, o?: { depth?: number }) => tf.LayersModel };
  const params: TrialJobParams = {
    file: modelAbs, exportName: 'resnet', data: null, width: 32, lr: 2 ** -8, seed: 0, steps: 2,
    parametrization: 'mup', baseWidth: 16, axes: { depth: 8 }, ...extra,
  };
  try {
    const res = await runTrialJob(params, {
      tf, mup: () => mup, progress: () => undefined,
      loadModule: async () => ({ resnet: (w: number, o?: { depth?: number }) => (trained = resnet(w, o)) }),
    });
    assert.equal(res.outcome.diverged, false);
  } finally {
    proto.applyGradients = apply;
  }
  return got;
}

const hidden = (name: string) => /^fc[12]_\d+\/kernel/.test(name);

test('the trial job at depth 8, base 2: depth-muP scales hidden LRs and epsilon by (8/2)^-1/2, CompleteP only epsilon by 2/8', async () => {
  const plain = (await trialGroups({}))!;
  const eps = tf.backend().epsilon();
  assert.equal(plain.depth, undefined);
  // depth 8: 8 blocks x (ln gamma, beta; fc1, fc2 kernels and biases) + input (2) + final norm (2) + readout (2)
  assert.equal(plain.groups.length, 8 * 6 + 6);
  assert.ok(plain.groups.every((g) => g.epsilon === eps));
  assert.equal(plain.groups.filter((g) => hidden(g.name)).length, 16);

  const dm = (await trialGroups({ depthScheme: { alpha: 0.5, baseDepth: 2 } }))!;
  assert.deepEqual(dm.depth, { depth: 8, baseDepth: 2, alpha: 0.5 });
  dm.groups.forEach((g, i) => {
    const want = plain.groups[i]!.lr * (hidden(g.name) ? 0.5 : 1);
    assert.ok(Math.abs(g.lr - want) < 1e-15, `${g.name}: lr ${g.lr}, want ${want}`);
    assert.ok(Math.abs(g.epsilon - eps * 0.5) < 1e-15, `${g.name}: epsilon ${g.epsilon}, want ${eps * 0.5}`);
  });
  // the hidden weights (width 32 / base 16: lr / 2) at (2^-8 / 2) x 1/2, the others at 2^-8
  assert.deepEqual([...new Set(dm.groups.map((g) => g.lr))].sort(), [2 ** -10, 2 ** -8]);

  const cp = (await trialGroups({ depthScheme: { alpha: 1, baseDepth: 2 } }))!;
  assert.deepEqual(cp.depth, { depth: 8, baseDepth: 2, alpha: 1 });
  cp.groups.forEach((g, i) => {
    assert.equal(g.lr, plain.groups[i]!.lr, g.name);
    assert.ok(Math.abs(g.epsilon - eps / 4) < 1e-15, `${g.name}: epsilon ${g.epsilon}, want ${eps / 4}`);
  });

  // SP: one global Adam, no MuAdam and no depth factors (the host sends no scheme: depthSchemeFor is null)
  assert.equal(depthSchemeFor('sp', [{ name: 'depth', values: [2, 8] }], 0.5), null);
  assert.equal(await trialGroups({ parametrization: 'sp' }), null);
});

test('the depth scheme of a sweep and of a trial identity', () => {
  const axes: SweepAxisGrid[] = [{ name: 'depth', values: [2, 8] }, { name: 'batch', values: [16, 64] }];
  assert.deepEqual(depthSchemeFor('mup', axes, undefined), { alpha: 1, baseDepth: 2 });
  assert.deepEqual(depthSchemeFor('mup', axes, 0.5), { alpha: 0.5, baseDepth: 2 });
  assert.equal(depthSchemeFor('mup', [{ name: 'batch', values: [16, 64] }], undefined), null);
  const dm: DepthSchemeRecord = { alpha: 0.5, baseDepth: 2 };
  assert.deepEqual(depthIdentity(dm, 8), dm);
  // the same experiment as without the option: the key trials had before
  assert.equal(depthIdentity(dm, 2), undefined);
  assert.equal(depthIdentity({ alpha: 0, baseDepth: 2 }, 8), undefined);
  assert.equal(depthIdentity(null, 8), undefined);
});

test('sweep --alpha: usage errors, one line, exit 2', async () => {
  const model = 'examples/residual/completep.ts#resnet';
  for (const [flags, msg] of [
    [['--alpha', 'depth-mup'], /^mup-lens sweep: --alpha belongs to --depths: the depth scheme each depth trains with$/],
    [['--depths', '2,8', '--alpha', 'deep'], /^mup-lens sweep: --alpha: expected completep, depth-mup, sp or a number in \[0, 1\], got 'deep'$/],
    [['--depths', '2,8', '--alpha', '1.5'], /^mup-lens sweep: --alpha: expected completep, depth-mup, sp or a number in \[0, 1\], got '1.5'$/],
    [['--depths', '2,8', '--sp', '--alpha', '0.5'], /^mup-lens sweep: --alpha sets MuAdam's depth factors of a muP sweep: an --sp sweep trains every depth with one global Adam LR$/],
  ] as const) {
    const r = await cli(['sweep', model, ...flags]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err.trimEnd(), msg);
    assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
  }
  // transfer's --alpha says the same (one parser)
  const t = await cli(['transfer', 'nowhere', '--width', '128', '--depth', '8', '--alpha', 'deep']);
  assert.equal(t.code, 2);
  assert.match(t.err, /^mup-lens transfer: --alpha: expected completep, depth-mup, sp or a number in \[0, 1\], got 'deep'$/m);
});

test('sweep --depths --alpha: the store keys the trials whose factors differ; result.json records the scheme', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-alpha-'));
  const args = ['sweep', 'examples/residual/completep.ts#resnet', '--depths', '2,4', '--widths', '16', '--base-width', '16', '--lrs', '2^-8', '--steps', '2', '--workers', '1', '--out', out];
  const stored = () => readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StoredTrial);
  const result = () => JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as SweepReport;

  // alpha 0: no factor anywhere, the identities a depth sweep always had
  let r = await cli([...args, '--alpha', 'sp']);
  assert.ok([0, 1, 4].includes(r.code), r.err);
  assert.deepEqual(result().depthScheme, { alpha: 0, baseDepth: 2 });
  assert.ok(stored().every((s) => s.identity.depthScheme === undefined));

  // depth-muP: depth 2 (the base, factors 1) is reused, depth 4 runs again under its own key
  r = await cli([...args, '--alpha', 'depth-mup']);
  assert.match(r.err, /^reused 1 of 2 trials/m);
  assert.deepEqual(result().depthScheme, { alpha: 0.5, baseDepth: 2 });
  const dm = stored().filter((s) => s.identity.depthScheme);
  assert.deepEqual(dm.map((s) => [s.identity.axes, s.identity.depthScheme]), [[{ depth: 4 }, { alpha: 0.5, baseDepth: 2 }]]);

  // the default with --mup and --depths is CompleteP: another key again; depth-muP's trials are not reused
  r = await cli(args);
  assert.match(r.err, /^reused 1 of 2 trials/m);
  assert.deepEqual(result().depthScheme, { alpha: 1, baseDepth: 2 });
  assert.equal(new Set(stored().map((s) => s.key)).size, 4);
  // and each scheme's trials are found again
  r = await cli([...args, '--alpha', '0.5']);
  assert.match(r.err, /^reused 2 of 2 trials/m);

  // SP: no scheme (null), no factors
  const sp = mkdtempSync(join(tmpdir(), 'sweep-alpha-sp-'));
  r = await cli([...args.slice(0, -1), sp, '--sp']);
  assert.ok([0, 1, 4].includes(r.code), r.err);
  const spResult = JSON.parse(readFileSync(join(sp, 'result.json'), 'utf8')) as SweepReport;
  assert.equal(spResult.depthScheme, null);
});


/** A finished muP depth sweep's store (depths 2, 8; best LR 2^-9 everywhere), with the scheme it recorded (or none). */
async function depthStore(dir: string, depthScheme: DepthSchemeRecord | undefined): Promise<string> {
  const trials: SweepTrial[] = [];
  for (const width of WIDTHS) for (const depth of [2, 8]) for (const [i, lr] of LRS.entries()) for (const seed of [0, 1]) {
    trials.push({ width, lr, seed, loss: 0.6 + 0.05 * (Math.log2(lr) + 9) ** 2 + (seed ? 1 : -1) * 0.0004 * Math.sin(i), diverged: false, axes: { depth } });
  }
  return residualStore(dir, trials, { axes: [{ name: 'depth', values: [2, 8] }], depthScheme, backend: 'cpu' });
}

test("transfer --depth takes the sweep's alpha; an --alpha that differs, or a sweep without one, gets a warning", async () => {
  const base = mkdtempSync(join(tmpdir(), 'transfer-alpha-'));
  const dir = await depthStore(join(base, 'dm'), { alpha: 0.5, baseDepth: 2 });
  const out = join(base, 'dm.transfer.json');
  let r = await cli(['transfer', dir, '--width', '128', '--depth', '8', '--out', out, '--backend', 'cpu', '-q']);
  assert.equal(r.code, 0, r.err);
  const file = JSON.parse(readFileSync(out, 'utf8')) as TransferFile;
  assert.deepEqual(file.depth, { baseDepth: 2, targetDepth: 8, alpha: 0.5, branchMultiplier: 0.5 });
  assert.match(r.out, /^ {2}depth +x0\.5 +depth 2 -> 8 \(x4\), alpha 0\.5: hidden weights' Adam LR x \(L\/L_proxy\)\^\(alpha-1\) = 0\.5 .*\[depth-muP, Tensor Programs VI \(arXiv 2310\.02244\)\]$/m);
  assert.doesNotMatch(r.err, /warning: --alpha/);

  r = await cli(['transfer', dir, '--width', '128', '--depth', '8', '--alpha', 'completep', '--out', out, '--backend', 'cpu', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^warning: --alpha 1 is not the alpha 0\.5 the sweep trained its depths with \(its MuAdam's depth factors\): the optimum it measured across depth holds for alpha 0\.5; transferring with 1 applies factors the sweep never used$/m);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as TransferFile).depth!.alpha, 1);

  // a result written before sweep --alpha: CompleteP as before, and said that its depths ran without the factors
  const old = await depthStore(join(base, 'old'), undefined);
  r = await cli(['transfer', old, '--width', '128', '--depth', '8', '--out', join(base, 'old.transfer.json'), '--backend', 'cpu', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(readFileSync(join(base, 'old.transfer.json'), 'utf8')) as TransferFile).depth!.alpha, 1);
  assert.match(r.err, /^warning: the sweep's depths trained without MuAdam's depth factors \(written before sweep --alpha\)/m);
});
