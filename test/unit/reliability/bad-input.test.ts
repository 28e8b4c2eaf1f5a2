// Issue 20 item 6: bad input is one line and exit 2, before anything runs, and leaves nothing behind: transfer's --out
// on a folder or under a file, counts no run finishes (1e15 seeds or steps), an empty --lrs, a missing export (said
// before a worker starts), a refused sweep's store folder; and coord's progress is a line per width, not per step.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { sweepStore } from './sweepStoreFixture';

const root = join(__dirname, '../../..');
const models = join(root, 'test/fixtures/models');

async function cli(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd });
  return { code, out, err };
}

test('transfer --out a folder, or under a file: one line, exit 2, no .tmp left anywhere', async () => {
  const base = mkdtempSync(join(tmpdir(), 'transfer-out-'));
  const store = join(base, 'store');
  await sweepStore(store);
  const folder = join(base, 'here');
  mkdirSync(folder);
  const a = await cli(['transfer', store, '--width', '64', '--out', folder]);
  assert.equal(a.code, 2);
  assert.equal(a.err, `mup-lens transfer: cannot write ${folder}: it is a folder\n`);
  const file = join(base, 'file.txt');
  writeFileSync(file, 'x');
  const b = await cli(['transfer', store, '--width', '64', '--out', join(file, 'sub', 't.json')]);
  assert.equal(b.code, 2);
  assert.equal(b.err, `mup-lens transfer: cannot write ${join(file, 'sub', 't.json')}: a part of its path is a file, not a folder (${file})\n`);
  assert.deepEqual(readdirSync(base).sort(), ['file.txt', 'here', 'store']);
  assert.deepEqual(readdirSync(folder), []);
  assert.ok(!readdirSync(store).some((f) => f.endsWith('.tmp')));
  assert.ok(!readdirSync(root).some((f) => f.endsWith('.tmp')));
});

test('counts no run finishes, an empty --lrs: one line, exit 2', async () => {
  const out = mkdtempSync(join(tmpdir(), 'counts-'));
  const cases: [string[], string][] = [
    [['coord', 'mlp_sp.ts#mlp', '--seeds', '1e15', '--out', out], "mup-lens coord: --seeds must be an integer from 1 to 1000, got '1e15'\n"],
    [['coord', 'mlp_sp.ts#mlp', '--steps', '1e15', '--out', out], "mup-lens coord: --steps must be an integer from 2 to 1000000, got '1e15'\n"],
    [['sweep', 'mlp_sp.ts#mlp', '--steps', '1e15', '--out', out], "mup-lens sweep: --steps must be an integer from 1 to 1000000, got '1e15'\n"],
    [['sweep', 'mlp_sp.ts#mlp', '--seeds', '1e15', '--max-trials', '1e16', '--out', out], "mup-lens sweep: --max-trials must be an integer from 1 to 1000000, got '1e16'\n"],
    [['sweep', 'mlp_sp.ts#mlp', '--lrs', '', '--out', out], "mup-lens sweep: --lrs: '' is not a number\n"],
  ];
  for (const [argv, err] of cases) {
    const r = await cli(argv, models);
    assert.deepEqual([r.code, r.err], [2, err], argv.join(' '));
  }
  assert.deepEqual(readdirSync(out), []);
});

test('a missing export is said before a worker starts, and no store or output folder is made', async () => {
  const base = mkdtempSync(join(tmpdir(), 'no-export-'));
  const sweep = await cli(['sweep', 'mlp_sp.ts#nope', '--out', join(base, 'store')], models);
  assert.deepEqual([sweep.code, sweep.err], [2, "mup-lens sweep: export 'nope' not found in mlp_sp.ts; its exports: mlp\n"]);
  const coord = await cli(['coord', 'mlp_sp.ts#nope', '--out', join(base, 'coord')], models);
  assert.deepEqual([coord.code, coord.err], [2, "mup-lens coord: export 'nope' not found in mlp_sp.ts; its exports: mlp\n"]);
  const data = await cli(['sweep', 'mlp_sp.ts#mlp', '--data', 'object_form.mjs#batches', '--out', join(base, 'store')], models);
  assert.deepEqual([data.code, data.err], [2, "mup-lens sweep: --data: export 'batches' not found in object_form.mjs; its exports: data, mlp\n"]);
  assert.deepEqual(readdirSync(base), []);
});

test('a refused sweep (the factory throws) leaves no store folder it made behind', { timeout: 60_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'refused-'));
  const store = join(base, 'a', 'store');
  const r = await cli(['sweep', 'throws.ts#mlp', '--sp', '--widths', '32,64', '--lrs', '2^-6', '--steps', '2', '--workers', '1', '--backend', 'cpu', '--out', store], models);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^mup-lens sweep: .*throws_helper\.ts/m);
  assert.ok(!existsSync(join(base, 'a')), `left ${readdirSync(base).join(', ')}`);
});

test('coord with stderr not a terminal: one progress line per width, not one per step', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'coord-progress-'));
  const r = await cli(['coord', 'mlp_sp.ts#mlp', '--widths', '8,16,32', '--steps', '40', '--seeds', '2', '--backend', 'cpu', '--out', out], models);
  assert.notEqual(r.code, 2, r.err);
  const progress = r.err.split('\n').filter((l) => /^width \d+: /.test(l));
  assert.deepEqual(progress.map((l) => l.split(':')[0]).sort(), ['width 16', 'width 32', 'width 8']);
});
