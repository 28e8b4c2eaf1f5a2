// Issue 20 item 1: a stored trial is reused only while what it depended on is unchanged: besides the model's own
// files, a workspace package it imports (symlinked into node_modules, as npm/pnpm/yarn workspaces do) and a file it
// reads at run time. Changing either runs the trials again (with a warning that says which file); `--fresh` reuses
// nothing; a rerun with nothing changed still reuses every trial.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { readSweepSettings } from '../../../src/settings/sweep';
import type { SweepReport } from '../../../src/sweep/types';

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string; report: SweepReport }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd });
  return { code, out, err, report: (out.startsWith('{') ? JSON.parse(out) : null) as SweepReport };
}

/** A workspace: packages/cfg (symlinked as node_modules/@ws/cfg), models/config.json read at run time, the model. */
function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'ws-'));
  mkdirSync(join(ws, 'packages/cfg'), { recursive: true });
  writeFileSync(join(ws, 'packages/cfg/package.json'), JSON.stringify({ name: '@ws/cfg', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(ws, 'packages/cfg/index.js'), 'exports.depth = 1;\n');
  mkdirSync(join(ws, 'node_modules/@ws'), { recursive: true });
  symlinkSync(join(ws, 'packages/cfg'), join(ws, 'node_modules/@ws/cfg'));
  mkdirSync(join(ws, 'models'));
  writeFileSync(join(ws, 'models/config.json'), JSON.stringify({ activation: 'relu' }));
  writeFileSync(
    join(ws, 'models/model.ts'),
    `import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { depth } from '@ws/cfg';

export function mlp(width: number): tf.LayersModel {
  const { activation } = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  const layers: tf.layers.Layer[] = [tf.layers.dense({ units: width, inputShape: [8], activation, name: 'fc0' })];
  for (let i = 1; i <= depth; i++) layers.push(tf.layers.dense({ units: width, activation, name: 'fc' + i }));
  layers.push(tf.layers.dense({ units: 4, name: 'readout' }));
  return tf.sequential({ layers });
}
`,
  );
  return ws;
}

const ARGS = ['sweep', 'models/model.ts#mlp', '--sp', '--widths', '8,16', '--lrs', '2^-6,2^-4', '--steps', '3', '--workers', '1', '--backend', 'cpu', '--format', 'json', '--out', 'store'];

test('a changed workspace package or run-time file runs the trials again; --fresh reuses nothing; unchanged reuses all', { timeout: 180_000 }, async () => {
  const ws = workspace();
  const first = await cli(ARGS, ws);
  assert.ok([0, 1, 4].includes(first.code), first.err);
  assert.equal(first.report.ran, 4);

  const same = await cli(ARGS, ws);
  assert.equal(same.report.reused, 4, 'nothing changed: every trial reused');
  assert.equal(same.report.ran, 0);

  writeFileSync(join(ws, 'packages/cfg/index.js'), 'exports.depth = 3;\n');
  const pkg = await cli(ARGS, ws);
  assert.equal(pkg.report.reused, 0, `the package changed: ${pkg.err}`);
  assert.equal(pkg.report.ran, 4);
  assert.match(pkg.err, /^warning: 4 stored trials read .*packages\/cfg\/index\.js \(or another file\), which changed since they ran: running them again$/m);

  writeFileSync(join(ws, 'models/config.json'), JSON.stringify({ activation: 'tanh' }));
  const config = await cli(ARGS, ws);
  assert.equal(config.report.reused, 0, `the config changed: ${config.err}`);
  assert.match(config.err, /^warning: 4 stored trials read .*models\/config\.json \(or another file\), which changed since they ran: running them again$/m);

  const again = await cli(ARGS, ws);
  assert.equal(again.report.reused, 4, 'the reruns superseded the stale records');

  const fresh = await cli([...ARGS, '--fresh'], ws);
  assert.equal(fresh.report.reused, 0);
  assert.equal(fresh.report.ran, 4);
  const merge = await cli([...ARGS, '--fresh', '--merge-only'], ws);
  assert.equal(merge.code, 2);
  assert.equal(merge.err, 'mup-lens sweep: --fresh runs the grid again, --merge-only runs nothing: pick one\n');
});

test('VS Code: mupLens.sweep.fresh (default off) asks the sweep command for a fresh run; a wrong value is named', () => {
  const read = (v: unknown) => readSweepSettings((k) => (k === 'sweep.fresh' ? v : undefined));
  assert.equal(read(undefined).settings.fresh, false);
  assert.equal(read(true).settings.fresh, true);
  const wrong = read('yes');
  assert.equal(wrong.settings.fresh, false);
  assert.equal(wrong.problems.length, 1);
  assert.match(wrong.problems[0]!, /sweep\.fresh/);
});
