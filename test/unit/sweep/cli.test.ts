// A tiny end-to-end sweep through the CLI (in-process main, real worker processes): the JSON contract, the
// store and its reuse, diverged trials, sharding and merging, and usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import type { SweepReport } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');
const model = 'test/fixtures/models/mlp_sp.ts#mlp';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}
const tiny = ['--sp', '--widths', '16,32', '--lrs', '2^-7,2^-5,8', '--steps', '12', '--workers', '2', '--format', 'json'];

test('sweep: JSON per contract, every trial stored at once, a rerun reuses them, a huge LR is marked diverged', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
  const first = await cli(['sweep', model, ...tiny, '--out', out]);
  // One seed: the verdict is inconclusive (issue 21), exit 4.
  assert.equal(first.code, 4, first.err);
  const r = JSON.parse(first.out) as SweepReport;
  assert.deepEqual(Object.keys(r).slice(0, 5), ['trials', 'optimum', 'shiftOctaves', 'transfers', 'reused']);
  assert.equal(r.trials.length, 6);
  assert.equal(r.reused, 0);
  for (const t of r.trials.filter((t) => t.lr === 8)) {
    assert.equal(t.diverged, true, 'LR 8 diverges');
    assert.equal(t.loss, null);
  }
  for (const t of r.trials.filter((t) => t.lr < 1)) assert.ok(t.loss! > 0 && !t.diverged);
  assert.deepEqual(r.optimum.map((o) => o.width), [16, 32]);
  for (const o of r.optimum) assert.ok(o.lr < 1, 'a diverged LR is never the optimum');
  assert.match(first.err, /\[6\/6\] width \d+ lr/);
  // the plan before any trial, and a time estimate once two trials have run
  assert.match(first.err, new RegExp(`^grid: widths 16,32 x 3 LRs \\(2\\^-7\\.0\\.\\.2\\^3\\.0\\) x 1 seed = 6 trials of 12 steps; stored in ${out}$`, 'm'));
  assert.ok(first.err.indexOf('grid: ') < first.err.indexOf('[1/6]'), first.err);
  assert.match(first.err, /^\[[2-5]\/6\] .*elapsed, ~\d+ s left\)$/m);
  const lines = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 6);
  assert.equal(JSON.parse(lines[0]!).identity.steps, 12);
  assert.ok(readdirSync(out).includes('sweep.json') && readdirSync(out).includes('result.json'));

  const again = await cli(['sweep', model, ...tiny, '--out', out]);
  const r2 = JSON.parse(again.out) as SweepReport;
  assert.equal(r2.reused, 6);
  assert.equal(r2.ran, 0);
  assert.deepEqual(r2.trials, r.trials);
});

test('sweep: shards run disjoint slices into one store; --merge-only reports the whole grid', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-shard-'));
  const args = ['sweep', model, ...tiny, '--lrs', '2^-7,2^-5', '--workers', '1', '--out', out];
  const s0 = await cli([...args, '--shard', '0/2']);
  const s1 = await cli([...args, '--shard', '1/2']);
  assert.equal(s0.code, 0, s0.err);
  assert.equal(s1.code, 0, s1.err);
  assert.equal((JSON.parse(s0.out) as SweepReport).ran, 2);
  assert.equal((JSON.parse(s0.out) as SweepReport).missing, 2);
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.jsonl')).sort(), ['trials.shard-0-of-2.jsonl', 'trials.shard-1-of-2.jsonl']);
  const merged = await cli([...args, '--merge-only']);
  const r = JSON.parse(merged.out) as SweepReport;
  assert.equal(r.trials.length, 4);
  assert.equal(r.reused, 4);
  assert.equal(r.missing, 0);
  assert.equal(r.optimum.length, 2);
});

test('sweep: usage errors exit 2 with one line', async () => {
  const cases: [string[], RegExp][] = [
    [['sweep', 'test/fixtures/models/mlp_sp.ts'], /expected <file>#<export>/],
    [['sweep', 'nope.ts#mlp'], /file not found: nope\.ts/],
    [['sweep', model, '--lr-range', '2^-4'], /start:stop\[:octaves\]/],
    [['sweep', model, '--format', 'pdf'], /--format must be one of text, json, html, got 'pdf'/],
    [['sweep', model, '--shard', '2/2'], /0 <= i < n/],
    [['sweep', 'test/fixtures/models/throws.ts#mlp', '--sp', '--widths', '32', '--lrs', '0.01', '--steps', '2', '--out', mkdtempSync(join(tmpdir(), 'x-'))], /mlp\(32\) threw: .*\(.*throws_helper\.ts:\d+\)/],
    [['sweep', 'test/fixtures/models/mlp_sp.ts#nothere', '--sp', '--widths', '8', '--lrs', '0.01', '--steps', '2', '--out', mkdtempSync(join(tmpdir(), 'x-'))], /export 'nothere' not found in .*mlp_sp.ts; its exports: mlp/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('mup-lens sweep:')).length, 1);
  }
});

test('sweep: cancel keeps the finished trials stored; the next run resumes from them', async () => {
  const { runSweep } = await import('../../../src/host/sweep');
  const out = mkdtempSync(join(tmpdir(), 'sweep-cancel-'));
  const opts = {
    modelFile: join(root, 'test/fixtures/models/mlp_sp.ts'), exportName: 'mlp', widths: [16, 32], lrs: [2 ** -8, 2 ** -6, 2 ** -4],
    seeds: 1, steps: 12, parametrization: 'sp' as const, baseWidth: 64, data: null, outDir: out, workers: 1,
    backend: 'auto' as const, version: 'test', cores: 1, cwd: root,
  };
  const controller = new AbortController();
  const first = await runSweep({ ...opts, signal: controller.signal }, { onTrial: (e) => e.done >= 2 && controller.abort() });
  assert.equal(first.cancelled, true);
  assert.equal(first.trials.length, 2);
  assert.equal(readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').length, 2);
  const second = await runSweep(opts);
  assert.equal(second.cancelled, false);
  assert.equal(second.reused, 2);
  assert.equal(second.ran, 4);
  assert.equal(second.trials.length, 6);
});

test('sweep: a trial that runs out of memory is reported; the other trials go on and are stored', async () => {
  const { runSweep } = await import('../../../src/host/sweep');
  const out = mkdtempSync(join(tmpdir(), 'sweep-oom-'));
  const r = await runSweep({
    modelFile: join(root, 'test/fixtures/models/oom.ts'), exportName: 'mlp', widths: [8, 16, 256], lrs: [0.01], seeds: 1, steps: 3,
    parametrization: 'sp', baseWidth: 64, data: null, outDir: out, workers: 1, backend: 'auto', version: 'test', cores: 1, cwd: root,
    maxOldSpaceMb: 160,
  });
  assert.deepEqual(r.trials.map((t) => t.width), [8, 16]);
  assert.equal(r.failed, 1);
  assert.equal(r.missing, 1);
  assert.ok(r.warnings.some((w) => /width 256, lr 0\.01, seed 0: .*out of memory/.test(w)), r.warnings.join('\n'));
});
