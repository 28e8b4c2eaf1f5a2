// A coordinate check whose factory throws past some width keeps the widths that finished: it is judged on them
// (at least two), and the CLI, the command's notification and the panel say which width failed and why. A
// failure at the second width leaves one: no slope, the factory's error as before (errors.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import type { CoordResult } from '../../../src/coord/types';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../../../src/host/workerClient';

const models = join(__dirname, '../../fixtures/models');
const cli = join(__dirname, '../../../dist/cli.js');
const client = new WorkerClient({ init: { backend: 'cpu', workspaceDir: models } });
const out = mkdtempSync(join(tmpdir(), 'coord-failed-width-'));
after(() => {
  client.dispose();
  rmSync(out, { recursive: true, force: true });
});

const params = (widths: number[], extra: Partial<CoordJobParams> = {}): CoordJobParams => ({
  file: join(models, 'throws_wide.ts'),
  exportName: 'mlp',
  widths,
  steps: 2,
  seeds: 1,
  lr: 0.01,
  optimizer: 'adam',
  parametrization: 'sp',
  ...extra,
});

const SAID = /^width 256 failed: mlp\(256\) threw: width 256 is more than this model supports \(at most 128\) \(throws_wide\.ts:6\); judged on the 2 smaller widths$/;

test('the factory throws at width 256: widths 64 and 128 are kept and judged, and the warning names the width and the error', async () => {
  const { result, warnings } = await runCoordinateCheck(params([64, 128, 256]), { backend: 'cpu', client });
  assert.deepEqual(result.widths, [64, 128]);
  assert.equal(result.layers.length, 3);
  // A slope per layer and step, fitted to the two kept widths: the hidden layer's activations are finite there.
  const hidden = result.slopes.filter((r) => r.layer === 'hidden');
  assert.ok(hidden.length > 0 && hidden.every((r) => typeof r.slope === 'number' && Number.isFinite(r.slope)), JSON.stringify(hidden));
  assert.ok(['pass', 'warn', 'fail', 'inconclusive'].includes(String(result.verdict.level)));
  assert.match(warnings[0] ?? '', SAID, warnings.join('\n'));
});

test('on two workers (the failing width on one, the small ones on the other) the finished widths are kept too', async () => {
  const { result, warnings } = await runCoordinateCheck(params([64, 128, 256, 512]), { backend: 'cpu', workers: 2 });
  assert.deepEqual(result.widths, [64, 128]);
  assert.ok(warnings.some((w) => /^width 256 failed: mlp\(256\) threw: .*; judged on the 2 smaller widths$/.test(w)), warnings.join('\n'));
});

test('a failure at the second width leaves one width: no slope, the factory\'s own error', async () => {
  await assert.rejects(
    () => runCoordinateCheck(params([128, 256]), { backend: 'cpu', client }),
    (err: unknown) => err instanceof WorkerJobError && err.error.kind === 'user-code' && err.message === 'mlp(256) threw: width 256 is more than this model supports (at most 128)',
  );
});

test('the CLI judges the finished widths, exits on their verdict, prints the failed width on stderr and stores the result', { skip: !existsSync(cli) && 'dist/cli.js not built (npm run build)' }, () => {
  const dir = join(out, 'cli');
  const r = spawnSync(process.execPath, [cli, 'coord', 'throws_wide.ts#mlp', '--widths', '64,128,256', '--steps', '2', '--seeds', '1', '--backend', 'cpu', '--workers', '1', '--sp', '--out', dir], { cwd: models, encoding: 'utf8' });
  assert.ok([0, 1, 4].includes(r.status ?? -1), `exit ${r.status}: ${r.stderr}`);
  assert.match(r.stderr, /^warning: width 256 failed: mlp\(256\) threw: width 256 is more than this model supports \(at most 128\) \(throws_wide\.ts:6\); judged on the 2 smaller widths$/m);
  assert.match(r.stdout, /widths 64,128 /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const stored = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as CoordResult;
  assert.deepEqual(stored.widths, [64, 128]);
});
