// Issue 20 item 7: a factory that never returns is not minutes of silence. While a worker is silent, a line says
// what it waits for and which flag shortens the wait (every 30 s; every second here, through MUP_LENS_WAIT_NOTE_MS),
// and building the model has its own limit (--build-timeout, default 120 s), far shorter than a step's (600 s).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli';
import { DEFAULT_BUILD_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS } from '../../../src/host/sweep';

const models = join(__dirname, '../../fixtures/models');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: models });
  return { code, out, err };
}

before(() => (process.env.MUP_LENS_WAIT_NOTE_MS = '1000'));
after(() => delete process.env.MUP_LENS_WAIT_NOTE_MS);

test('the build limit is its own, much shorter than a step\'s', () => {
  assert.equal(DEFAULT_BUILD_TIMEOUT_MS, 120_000);
  assert.ok(DEFAULT_BUILD_TIMEOUT_MS * 4 <= DEFAULT_STALL_TIMEOUT_MS);
});

test('sweep: a factory that never returns is reported while it hangs, and stopped at --build-timeout', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'hang-sweep-'));
  const r = await cli(['sweep', 'hangs.js#mlp', '--sp', '--widths', '32', '--lrs', '2^-6', '--steps', '2', '--workers', '1', '--backend', 'cpu', '--build-timeout', '3', '--out', out]);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /^still building mlp\(32\) after 1 s \(--build-timeout S shortens the wait\)$/m);
  assert.match(r.err, /^still building mlp\(32\) after 2 s \(--build-timeout S shortens the wait\)$/m);
  assert.match(r.err, /^warning: width 32, lr 0\.015625, seed 0: the model was not built within 3 s: the worker was stopped \(does the factory never return\? --build-timeout S waits longer\)/m);
});

test('coord: a factory that never returns is reported while it hangs, and stopped at --build-timeout', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'hang-coord-'));
  const r = await cli(['coord', 'hangs.js#mlp', '--widths', '16,32', '--steps', '2', '--seeds', '1', '--backend', 'cpu', '--build-timeout', '3', '--out', out]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^still building mlp\(16\) after 1 s \(--build-timeout S shortens the wait\)$/m);
  assert.match(r.err, /the model was not built within 3 s: the worker was stopped \(does the factory never return\? --build-timeout S waits longer\)/);
  assert.equal(r.err.split('\n').filter((l) => l.startsWith('mup-lens coord:')).length, 1, r.err);
});
