// Issue 16 items 7, 9 and 10 (out of memory): a worker dies with its host even inside a synchronous loop of user
// code; the HTML reports escape every value of a crafted result; a worker that runs out of memory is one line,
// not V8's twenty.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CoordResult } from '../../../src/coord/types';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import { renderCoordReport } from '../../../src/report/coordHtml';
import { renderSweepReport } from '../../../src/report/sweepHtml';
import type { SweepReport } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');
const cli = join(root, 'dist/cli.js');

/** Alive and not a zombie (a killed process stays a zombie until its new parent reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a worker stuck in a factory that never returns dies when its host is killed with SIGKILL', { skip: process.platform !== 'linux' ? 'reads /proc' : !existsSync(cli) ? 'needs npm run build' : false, timeout: 60_000 }, async () => {
  const host = spawn(process.execPath, [cli, 'coord', 'test/fixtures/models/hangs.js#mlp', '--backend', 'cpu', '--workers', '1', '--timeout', '600'], { cwd: root, stdio: 'ignore' });
  let worker = 0;
  for (let i = 0; i < 150 && !worker; i++) {
    await sleep(100);
    let kids = '';
    try {
      kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(host.pid)], { encoding: 'utf8' }).trim();
    } catch {
      // ps exits 1 while the host has no child yet
    }
    worker = Number(kids.split('\n')[0]) || 0;
  }
  assert.ok(worker > 0, 'the host forked a worker');
  // Let it get into the factory's loop (it spins on the CPU from here on).
  await sleep(1500);
  assert.ok(running(worker));
  host.kill('SIGKILL');
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    await sleep(100);
    gone = !running(worker);
  }
  if (!gone) process.kill(worker, 'SIGKILL');
  assert.ok(gone, 'the orphaned worker was still running 10 s after its host died');
});

const EVIL = '<img src=x onerror=alert(1)>';

test('the HTML reports escape every value of a crafted result (strings and numbers alike)', () => {
  const e = EVIL as unknown as number;
  const coord = {
    backend: EVIL,
    widths: [e, e],
    steps: 2,
    seeds: e,
    layers: [{ name: EVIL, role: EVIL, source: { file: EVIL, line: e } }],
    records: [{ width: e, layer: EVIL, t: e, l1: e, l1Std: e }],
    slopes: [{ layer: EVIL, t: 2, slope: e }],
    verdict: { pass: false, worst: { layer: EVIL, t: e, slope: e }, threshold: e, level: EVIL as 'fail', problems: undefined },
  } as unknown as CoordResult;
  const html = renderCoordReport(coord, { title: EVIL, subtitle: EVIL, notes: [EVIL] });
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);

  const sweep = {
    trials: [{ width: e, lr: e, seed: e, loss: e, diverged: false }],
    optimum: [{ width: e, lr: e, loss: e, log2Lr: e, fittedLr: e, fittedLog2Lr: e, atEdge: true }],
    shiftOctaves: e, transfers: false, reused: e, model: { file: EVIL, exportName: EVIL }, parametrization: 'mup',
    widths: [e], lrs: [e], seeds: e, steps: e, baseWidth: e, fittedShiftOctaves: e,
    recommended: { targetWidth: e, lr: e, log2Lr: e, method: 'transfer' }, backends: [EVIL], data: EVIL, ran: e, missing: e,
    complete: true, missingTrials: [], failed: e, cancelled: false, workers: e, shard: null, storeDir: EVIL, elapsedMs: e, warnings: [EVIL],
  } as unknown as SweepReport;
  const page = renderSweepReport([sweep], EVIL);
  assert.doesNotMatch(page, /<img/);
});

test('a worker that runs out of memory is one warning line; V8 report lines are not passed on', { timeout: 120_000 }, async () => {
  const logged: string[] = [];
  const { warnings } = await runCoordinateCheck(
    { file: join(root, 'test/fixtures/models/oom.ts'), exportName: 'mlp', widths: [32, 64, 256], steps: 2, seeds: 1, lr: 0.01, optimizer: 'adam', parametrization: 'sp' },
    { backend: 'cpu', maxOldSpaceMb: 160, onLog: (l) => logged.push(l) },
  );
  assert.ok(warnings.some((w) => /out of memory/.test(w)), warnings.join('\n'));
  assert.deepEqual(logged.filter((l) => /Last few GCs|JS stacktrace|FATAL ERROR|Native stack|^\s*\d+: 0x/.test(l)), []);
});
