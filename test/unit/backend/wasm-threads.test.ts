// tfjs' threaded wasm build in the worker (issue 25): how many threads each worker gets, what the factory's source
// needs outside its bundle, every way threads can fail to start (each falls back to the single-threaded build with
// one line that says why, and the backend still computes), and the numbers: the same slopes and losses on 2
// threads as on 1, through the CLI as a user runs it (the fast paths of src/kernels included).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bundleScope, FACTORY_MARK } from '../../../src/backend/pthreadShim';
import { MAX_WASM_THREADS as WORKER_MAX } from '../../../src/backend/wasmThreads';
import { main } from '../../../src/cli';
import { parseCoordArgs } from '../../../src/cli/coord';
import { UsageError } from '../../../src/cli/io';
import { coordThreads, runCoordinateCheck } from '../../../src/host/coordCheck';
import { MAX_WASM_THREADS, parseThreads, wasmThreads } from '../../../src/host/threads';

const root = join(__dirname, '../../..');
const SLOPE_TOLERANCE = 0.01;
const LOSS_TOLERANCE = 1e-4;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('threads per worker: the cores shared by the workers, the request when given', () => {
  // a sweep with one worker per core: 1 thread each (the single-threaded build, as before)
  assert.equal(wasmThreads('auto', 16, 16), 1);
  assert.equal(wasmThreads(undefined, 2, 2), 1);
  // one worker gets every core, up to the most the threaded build runs
  assert.equal(wasmThreads('auto', 1, 2), 2);
  assert.equal(wasmThreads('auto', 1, 16), MAX_WASM_THREADS);
  assert.equal(wasmThreads('auto', 2, 16), 8);
  assert.equal(wasmThreads('auto', 3, 16), 5);
  // more workers than cores: still one thread each
  assert.equal(wasmThreads('auto', 4, 2), 1);
  // asked for: that many (the worker caps it, and says so)
  assert.equal(wasmThreads(3, 16, 2), 3);
  assert.equal(wasmThreads(1, 1, 16), 1);
  assert.equal(MAX_WASM_THREADS, WORKER_MAX, 'the host and the worker agree on the cap');
});

test('a coordinate check: threads from the shares its runs are split into', () => {
  // one width of one seed is one share: it gets every core, whatever --workers says
  assert.equal(coordThreads([2048, 4096], 1, 1, 'auto', 8), 8);
  assert.equal(coordThreads([4096], 1, 2, 'auto', 8), 8);
  // the reference check (6 widths x 3 seeds) on 2 workers of 8 cores: 4 threads each; on 2 cores: 1 each
  assert.equal(coordThreads([64, 128, 256, 512, 1024, 2048], 3, 2, 'auto', 8), 4);
  assert.equal(coordThreads([64, 128, 256, 512, 1024, 2048], 3, 2, 'auto', 2), 1);
  assert.equal(coordThreads([64, 128], 3, 2, 2, 2), 2);
});

test('--threads: a positive integer or auto; anything else is one usage line', () => {
  assert.equal(parseThreads('auto'), 'auto');
  assert.equal(parseThreads('4'), 4);
  for (const bad of ['0', '-1', '1.5', 'two', '']) assert.deepEqual(parseThreads(bad), { error: `--threads must be a positive integer or auto, got '${bad}'` });
  const models = join(root, 'test/fixtures/models');
  const a = parseCoordArgs(['mlp_sp.ts#mlp'], models);
  const b = parseCoordArgs(['mlp_sp.ts#mlp', '--threads', '3'], models);
  assert.ok(a !== 'help' && b !== 'help');
  assert.equal(a.threads, 'auto');
  assert.equal(b.threads, 3);
  assert.throws(() => parseCoordArgs(['mlp_sp.ts#mlp', '--threads', '0'], models), (e: unknown) => e instanceof UsageError && e.message === "--threads must be a positive integer or auto, got '0'");
});

test("the factory's source outside its bundle: the bundle's modules and tslib helpers declared, anything else refused", () => {
  const source = [
    'var WasmBackendModuleThreadedSimd = function () {',
    '  var fs2 = require$$0; var nodePath = require$$1;', // esbuild renames fs: mup-lens's own bundle has fs2
    '  if (typeof performance == "undefined") commonjsGlobal.performance = require$$3.performance;',
    '  function _emscripten_num_logical_cores() { return require$$4.cpus().length; }',
    '  function __emscripten_thread_init() {} __emscripten_thread_init(); Module["__emscripten_thread_exit"](0);',
    '  for (var w of __values2(list)) {} var a = __read(x, 2); f.apply(null, __spreadArray([], a, false));',
    '};',
  ].join('\n');
  const scope = bundleScope(source);
  assert.ok('prelude' in scope, JSON.stringify(scope));
  const lines = scope.prelude.split('\n');
  assert.deepEqual(lines.filter((l) => l.includes('require(')).sort(), [
    'var require$$0 = require("fs");',
    'var require$$1 = require("path");',
    'var require$$3 = require("perf_hooks");',
    'var require$$4 = require("os");',
  ]);
  assert.ok(lines.includes('var commonjsGlobal = globalThis;'));
  assert.deepEqual(lines.filter((l) => /^var __/.test(l)).map((l) => l.split(' ')[1]).sort(), ['__read', '__spreadArray', '__values2']);
  // the declared helpers work as tslib's do
  const run = new Function(`${scope.prelude.split('\n').filter((l) => l.startsWith('var __')).join('\n')}\nreturn [__read(new Set([1, 2, 3]), 2), __spreadArray([0], [1, 2]), [...{ [Symbol.iterator]: () => __values2([4, 5]) }]];`) as () => unknown;
  assert.deepEqual(run(), [[1, 2], [0, 1, 2], [4, 5]]);
  assert.match((bundleScope('var fs = require$$0; require$$7.thing();') as { refused: string }).refused, /uses require\$\$7, a module of tfjs' bundle this version of mup-lens does not know/);
  assert.match((bundleScope('var x = __awaiter(this, void 0, void 0, g);') as { refused: string }).refused, /calls __awaiter, a helper of tfjs' bundle/);
  assert.ok(FACTORY_MARK.startsWith('\u0000'), 'no path or URL starts like the mark');
});

/** wasmThreadsProbe.ts in its own process (a backend is set once per process): what startWasm gave. */
function probe(threads: number, fault: string): { failure: string | null; threads: number; note: string | null; backend: string; product: number[]; reported: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'wasmThreadsProbe.ts'), String(threads), fault], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `probe ${fault} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ReturnType<typeof probe>;
}

const PRODUCT = [4, 5, 10, 11];

test('2 threads start: the threaded build runs them and computes', () => {
  const p = probe(2, 'none');
  assert.deepEqual([p.failure, p.threads, p.note, p.backend, p.reported], [null, 2, null, 'wasm', 2]);
  assert.deepEqual(p.product, PRODUCT);
});

test('1 thread: the single-threaded build, no pthread worker', () => {
  const p = probe(1, 'none');
  assert.deepEqual([p.failure, p.threads, p.note, p.reported], [null, 1, null, 1]);
  assert.deepEqual(p.product, PRODUCT);
});

// Each forced failure: wasm is set all the same, on 1 thread, and one line says why.
const FAULTS: [string, RegExp][] = [
  ['worker-throws', /^wasm threads could not start \(worker_threads refused to start a thread \(forced\)\): running on 1 thread$/],
  ['worker-errors', /^wasm threads could not start \(a pthread worker failed: pthread worker failed to load \(forced\)\): running on 1 thread$/],
  ['hang', /^wasm threads could not start \(the threaded build did not start within 3 s\): running on 1 thread$/],
  ['no-shared-memory', /^wasm threads: this Node has no SharedArrayBuffer: running on 1 thread$/],
];
for (const [fault, line] of FAULTS) {
  test(`threads that cannot start (${fault}): the single-threaded build, with one line that says why`, () => {
    const p = probe(2, fault);
    assert.deepEqual([p.failure, p.threads, p.backend, p.reported], [null, 1, 'wasm', 1]);
    assert.match(p.note ?? '', line);
    assert.ok(!(p.note ?? '').includes('\n'));
    assert.deepEqual(p.product, PRODUCT);
  });
}

const builtWorker = join(root, 'dist/worker.js');

/** A folder outside any tfjs install holding the MLP fixture: the worker runs its bundled tfjs on it. */
function outsideModel(): string {
  const ws = mkdtempSync(join(tmpdir(), 'mup-threads-ws-'));
  dirs.push(ws);
  copyFileSync(join(root, 'test/fixtures/models/mlp_sp.ts'), join(ws, 'model.ts'));
  return join(ws, 'model.ts');
}

const smallCheck = (file: string) => ({ file, exportName: 'mlp', widths: [16, 32], steps: 2, seeds: 1, lr: 0.01, optimizer: 'adam' as const, parametrization: 'sp' as const });

test(
  "the packaged worker (mup-lens's own bundle of tfjs) runs the threaded build",
  { skip: existsSync(builtWorker) ? false : 'dist/worker.js not built (npm run build)' },
  async () => {
    const { backend, result } = await runCoordinateCheck(smallCheck(outsideModel()), { backend: 'wasm', threads: 2, workerPath: builtWorker });
    assert.equal(backend.label, 'wasm (bundled, 2 threads)');
    assert.equal(backend.threads, 2);
    assert.deepEqual(backend.reasons, ['using the bundled wasm backend on 2 threads']);
    assert.ok(result.records.length > 0 && result.records.every((r) => Number.isFinite(r.l1) && r.l1 > 0));
  },
);

test(
  'a build without the threaded .wasm: the check runs on one thread and the reasons say why',
  { skip: existsSync(builtWorker) ? false : 'dist/worker.js not built (npm run build)' },
  async () => {
    // dist/ as packaged, less tfjs-backend-wasm-threaded-simd.wasm (inside the repository: the bundle resolves the
    // packages it leaves external from node_modules)
    mkdirSync(join(root, 'test-results'), { recursive: true });
    const dir = mkdtempSync(join(root, 'test-results', 'no-threaded-wasm-'));
    dirs.push(dir);
    for (const f of ['worker.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(root, 'dist', f), join(dir, f));
    // the model outside any tfjs install, so that the worker runs its bundled tfjs (this repository has its own)
    const { backend, result } = await runCoordinateCheck(smallCheck(outsideModel()), { backend: 'wasm', threads: 2, workerPath: join(dir, 'worker.js') });
    assert.equal(backend.label, 'wasm (bundled)');
    assert.equal(backend.threads, 1);
    assert.match(backend.reasons[0] ?? '', /^wasm threads could not start \(Aborted\(Error: ENOENT: no such file or directory, open '.*tfjs-backend-wasm-threaded-simd\.wasm'\)\): running on 1 thread$/);
    assert.equal(backend.reasons.at(-1), 'using the bundled wasm backend');
    assert.ok(result.records.length > 0 && result.records.every((r) => Number.isFinite(r.l1) && r.l1 > 0));
  },
);

/** The CLI as a user runs it: its JSON, and what it printed on stderr. */
async function cli(argv: string[]): Promise<{ json: unknown; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--format', 'json', '--out', mkdtempSync(join(tmpdir(), 'mup-threads-'))], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: root });
  // 0 pass/transfers, 1 fail/does not transfer, 4 a sweep that cannot conclude (one seed): all finished runs
  assert.ok(code === 0 || code === 1 || code === 4, `mup-lens ${argv.join(' ')} exited ${code}: ${err}`);
  return { json: JSON.parse(out), err };
}

interface CoordJson {
  backend: string;
  slopes: { layer: string; t: number; slope: number | null }[];
  records: { width: number; layer: string; t: number; l1: number }[];
  verdict: { pass: boolean; level?: string; worst: { layer: string } | null };
}

// The MLP (XNNPACK's plain product) and the GPT (the batched and transposed products of src/kernels/wasmMatMul.ts,
// layer norm, Adam), one worker each so that its threads are the only ones.
const CHECKS = [
  { name: 'MLP, muP', argv: ['examples/mlp/mup.ts#mlp', '--mup', '--widths', '64,256,1024', '--steps', '4', '--seeds', '1'] },
  { name: 'GPT, muP', argv: ['examples/gpt/mup.ts#gpt', '--mup', '--widths', '32,64,128', '--steps', '3', '--seeds', '1'] },
];
for (const c of CHECKS) {
  test(`coordinate check of the ${c.name} example: the same slopes and values on 2 threads as on 1`, async (t) => {
    const argv = ['coord', ...c.argv, '--backend', 'wasm', '--workers', '1'];
    const one = await cli([...argv, '--threads', '1']);
    const two = await cli([...argv, '--threads', '2']);
    // the examples run on this repository's own tfjs (a workspace tfjs): its wasm backend, threaded the same way
    assert.match(one.err, /^backend: wasm \(workspace tfjs\) \(.*using the workspace's @tensorflow\/tfjs from \S+ with its wasm backend\)$/m);
    assert.match(two.err, /^backend: wasm \(workspace tfjs, 2 threads\) \(.*using the workspace's @tensorflow\/tfjs from \S+ with its wasm backend on 2 threads\)$/m);
    const [a, b] = [one.json as CoordJson, two.json as CoordJson];
    assert.equal(b.slopes.length, a.slopes.length);
    let worstSlope = 0;
    for (const [i, s] of b.slopes.entries()) {
      const r = a.slopes[i]!;
      assert.equal(`${s.layer}@t${s.t}`, `${r.layer}@t${r.t}`);
      if (s.slope === null || r.slope === null) {
        assert.equal(s.slope, r.slope);
        continue;
      }
      worstSlope = Math.max(worstSlope, Math.abs(s.slope - r.slope));
      assert.ok(Math.abs(s.slope - r.slope) <= SLOPE_TOLERANCE, `${s.layer} t=${s.t}: slope ${s.slope} on 2 threads, ${r.slope} on 1`);
    }
    let worstValue = 0;
    assert.equal(b.records.length, a.records.length);
    for (const [i, x] of b.records.entries()) {
      const r = a.records[i]!;
      if (r.l1 !== 0) worstValue = Math.max(worstValue, Math.abs(x.l1 - r.l1) / Math.abs(r.l1));
      assert.ok(Math.abs(x.l1 - r.l1) <= LOSS_TOLERANCE * Math.abs(r.l1), `${x.layer} width ${x.width} t=${x.t}: ${x.l1} on 2 threads, ${r.l1} on 1`);
    }
    assert.deepEqual([b.verdict.pass, b.verdict.level, b.verdict.worst?.layer], [a.verdict.pass, a.verdict.level, a.verdict.worst?.layer]);
    t.diagnostic(`largest slope difference ${worstSlope.toExponential(2)}, largest relative value difference ${worstValue.toExponential(2)}`);
  });
}

test('a sweep of the GPT example: the same losses and optimum on 2 threads as on 1', async (ctx) => {
  const argv = ['sweep', 'examples/gpt/mup.ts#gpt', '--mup', '--widths', '32,64', '--lrs', '0.001,0.004', '--steps', '6', '--backend', 'wasm', '--workers', '1'];
  type SweepJson = { trials: { width: number; lr: number; seed: number; loss: number | null }[]; optimum: unknown; backends: string[] };
  const one = await cli([...argv, '--threads', '1']);
  const two = await cli([...argv, '--threads', '2']);
  assert.match(two.err, /^backend: wasm \(workspace tfjs, 2 threads\) \(.* with its wasm backend on 2 threads\); 1 worker$/m);
  const [a, b] = [one.json as SweepJson, two.json as SweepJson];
  assert.deepEqual(b.backends, ['wasm (workspace tfjs, 2 threads)']);
  const byKey = new Map(a.trials.map((t) => [`${t.width}/${t.lr}/${t.seed}`, t]));
  assert.equal(b.trials.length, 4);
  let worst = 0;
  for (const t of b.trials) {
    const r = byKey.get(`${t.width}/${t.lr}/${t.seed}`);
    assert.ok(r && r.loss !== null && t.loss !== null);
    worst = Math.max(worst, Math.abs(t.loss - r.loss) / Math.abs(r.loss));
    assert.ok(Math.abs(t.loss - r.loss) <= LOSS_TOLERANCE * Math.abs(r.loss), `trial ${t.width}/${t.lr}: loss ${t.loss} on 2 threads, ${r.loss} on 1`);
  }
  assert.deepEqual(b.optimum, a.optimum);
  ctx.diagnostic(`largest relative loss difference ${worst.toExponential(2)}`);
});
