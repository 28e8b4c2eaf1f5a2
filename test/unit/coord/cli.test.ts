// `mup-lens coord` as a user runs it, in-process (the worker is still a separate process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { parseCoordArgs } from '../../../src/cli/coord';
import { UsageError } from '../../../src/cli/io';
import type { CoordResult } from '../../../src/coord/types';

const models = join(__dirname, '../../fixtures/models');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  if (!argv.includes('--out') && !argv.includes('--help')) argv = [...argv, '--out', mkdtempSync(join(tmpdir(), 'coord-out-'))];
  const code = await main(['coord', ...argv], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: models });
  return { code, out, err };
}

test('defaults and flags per docs/contracts.md', () => {
  const a = parseCoordArgs(['mlp_sp.ts#mlp'], models);
  assert.notEqual(a, 'help');
  if (a === 'help') return;
  assert.deepEqual(a.params.widths, [64, 128, 256, 512, 1024]);
  assert.deepEqual([a.params.steps, a.params.seeds, a.params.lr, a.params.optimizer, a.params.parametrization], [5, 3, 0.01, 'adam', 'mup']);
  assert.equal(a.backend, 'auto');
  assert.equal(a.format, 'text');
  assert.equal(a.out, join(models, '.mup/coord/mlp_sp-mlp'));
  const b = parseCoordArgs(['mlp_sp.ts#mlp', '--widths', '256,64,128', '--sp', '--optimizer', 'sgd', '--backend', 'cpu', '--format', 'json', '--data', 'object_form.mjs#data'], models);
  if (b === 'help') return assert.fail();
  assert.deepEqual(b.params.widths, [64, 128, 256]);
  assert.equal(b.params.parametrization, 'sp');
  assert.deepEqual(b.params.data, { file: join(models, 'object_form.mjs'), exportName: 'data' });
});

test('every wrong input is a usage error with a message that says what to do', () => {
  const bad: [string[], RegExp][] = [
    [[], /missing <file>#<export>/],
    [['mlp_sp.ts'], /the model must be <file>#<export>, e.g. model.ts#mlp/],
    [['nope.ts#mlp'], /no such file: .*nope\.ts/],
    [['.#mlp'], /the model: not a file: /],
    [['mlp_sp.ts#mlp', '--widths', '64'], /at least two different widths/],
    [['mlp_sp.ts#mlp', '--widths', '64,abc'], /--widths must be a comma-separated list of positive integers/],
    [['mlp_sp.ts#mlp', '--steps', '1'], /--steps must be an integer >= 2/],
    [['mlp_sp.ts#mlp', '--lr=-1'], /--lr must be a positive number/],
    [['mlp_sp.ts#mlp', '--lr', '0'], /--lr must be a positive number, got '0'/],
    [['mlp_sp.ts#mlp', '--backend', 'gpu'], /--backend must be one of auto, tensorflow, webgpu, wasm, cpu, got 'gpu'/],
    [['mlp_sp.ts#mlp', '--mup', '--sp'], /exclude each other/],
    [['mlp_sp.ts#mlp', '--bogus'], /unknown option '--bogus'/],
    [['mlp_sp.ts#mlp', '--lr', '-1'], /--lr must be a positive number, got '-1'/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseCoordArgs(argv, models), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});

test('json: the contract on stdout, exit 1 when the check fails, progress on stderr', async () => {
  const { code, out, err } = await run(['mlp_sp.ts#mlp', '--widths', '32,64,128', '--steps', '3', '--seeds', '1', '--sp', '--backend', 'wasm', '--format', 'json']);
  assert.equal(code, 1);
  const r = JSON.parse(out) as CoordResult;
  assert.deepEqual(Object.keys(r), ['backend', 'widths', 'steps', 'seeds', 'layers', 'records', 'slopes', 'verdict']);
  assert.equal(r.backend, 'wasm');
  assert.deepEqual(r.widths, [32, 64, 128]);
  assert.deepEqual(Object.keys(r.records[0]), ['width', 'layer', 't', 'l1', 'l1Std']);
  assert.equal(r.verdict.pass, false);
  assert.match(err, /width 128: 1 seed\(s\) x 3 steps/);
  // the fixtures live in this repository, whose node_modules has @tensorflow/tfjs and its wasm backend
  assert.match(err, /backend: wasm \(workspace tfjs\) \(.*using the workspace's @tensorflow\/tfjs from .* with its wasm backend\)/);
});

test('text: a slopes table and the verdict with the worst layer at file:line; html: a report file', async () => {
  const { code, out } = await run(['mlp_mup.ts#mlp', '--widths', '32,64,128', '--steps', '3', '--seeds', '1', '--backend', 'wasm']);
  assert.equal(code, 0);
  assert.match(out, /^layer\s+role\s+t=1\s+t=2\s+t=3\s+source$/m);
  assert.match(out, /^dense_4\s+readout\s+n\/a\s+[+-]\d\.\d\d\s+[+-]\d\.\d\d\s+mlp_mup\.ts:14$/m);
  assert.match(out, /^(PASS|WARN): largest \|slope\| \d\.\d\d at layer 'dense_\d', t = \d \(pass < 0\.2, fail >= 0\.4\) at mlp_mup\.ts:\d+(; slope .*)?$/m);

  const dir = mkdtempSync(join(tmpdir(), 'coord-html-'));
  const html = await run(['mlp_sp.ts#mlp', '--widths', '32,64', '--steps', '2', '--seeds', '1', '--sp', '--backend', 'cpu', '--format', 'html', '--out', dir]);
  assert.equal(html.code, 1);
  assert.equal(html.out.trim(), join(dir, 'index.html'));
  const page = readFileSync(join(dir, 'index.html'), 'utf8');
  assert.equal((page.match(/<svg /g) ?? []).length, 2);
  assert.match(page, /<b>FAIL<\/b>/);
  const stored = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  assert.deepEqual(stored.meta, { title: 'mlp — mlp_sp.ts', modelFile: join(models, 'mlp_sp.ts'), exportName: 'mlp', parametrization: 'sp' });
  assert.equal(stored.verdict.pass, false);
});

test('a model that fails to load: exit 2 with one line naming the user file and line', async () => {
  const { code, out, err } = await run(['throws.ts#mlp', '--widths', '8,32', '--steps', '2', '--seeds', '1', '--backend', 'cpu']);
  assert.equal(code, 2);
  assert.equal(out, '');
  const last = err.trim().split('\n').pop();
  assert.equal(last, `mup-lens coord: mlp(32) threw: width 32 is too wide for this model (${join(models, 'throws_helper.ts')}:3)`);
});

test('Ctrl-C part-way: the finished widths are judged and stored, exit 130, no worker left behind', { skip: process.platform === 'win32' || !existsSync(join(__dirname, '../../../dist/cli.js')) ? 'needs dist/cli.js (npm run build) and POSIX process groups' : false }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'coord-int-'));
  // Its own process group, like a shell job: the SIGINT goes to the CLI and its workers alike, as a
  // terminal's Ctrl-C does. Width 2048 on cpu takes far longer than the three small ones.
  const child = spawn(process.execPath, [join(__dirname, '../../../dist/cli.js'), 'coord', 'mlp_sp.ts#mlp', '--widths', '8,16,32,2048', '--steps', '3', '--seeds', '1', '--backend', 'cpu', '--workers', '1', '--out', out], { cwd: models, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d));
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (!sent && /width 2048:/.test(stderr)) {
      sent = true;
      process.kill(-child.pid!, 'SIGINT');
    }
  });
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  assert.ok(sent, stderr);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: stopping the workers/);
  assert.match(stderr, /warning: interrupted at width 2048; judged on the 3 smaller widths/);
  assert.match(stdout, /widths 8,16,32 /);
  assert.match(stdout, /^(PASS|WARN|FAIL): /m);
  const stored = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as CoordResult;
  assert.deepEqual(stored.widths, [8, 16, 32]);
  // the workers went with it (SIGKILLed as the CLI exits): the group empties
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(), false, 'a worker of the interrupted check is still running');
});
