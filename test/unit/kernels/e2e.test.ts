// The fast paths end to end, as a user runs mup-lens: the coordinate checks of the shipped examples (MLP and GPT,
// SP and muP) give the same slopes with and without them (within 0.01, the bound of issue 11; the verdicts the
// same), and a sweep of the GPT example the same losses (within 1e-3 relative: float rounding that Adam carries
// over the steps). `MUP_LENS_FAST_PATHS=0` in the worker's environment is the "without".
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';

const root = join(__dirname, '../../..');
const SLOPE_TOLERANCE = 0.01;
const LOSS_TOLERANCE = 1e-3;

/** The CLI's JSON for `argv`, with the fast paths on or off in the workers it starts. */
async function cliJson(argv: string[], fast: boolean): Promise<unknown> {
  const saved = process.env.MUP_LENS_FAST_PATHS;
  if (fast) delete process.env.MUP_LENS_FAST_PATHS;
  else process.env.MUP_LENS_FAST_PATHS = '0';
  let out = '';
  let err = '';
  try {
    const code = await main([...argv, '--format', 'json', '--out', mkdtempSync(join(tmpdir(), 'mup-fast-'))], {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      cwd: root,
    });
    assert.ok(code === 0 || code === 1 || code === 4, `mup-lens ${argv.join(' ')} exited ${code}: ${err}`);
  } finally {
    if (saved === undefined) delete process.env.MUP_LENS_FAST_PATHS;
    else process.env.MUP_LENS_FAST_PATHS = saved;
  }
  return JSON.parse(out);
}

interface CoordJson {
  backend: string;
  slopes: { layer: string; t: number; slope: number | null }[];
  verdict: { pass: boolean; level?: string; worst: { layer: string; t: number; slope: number } | null };
}

// The examples' checks as `npm run demo` runs them, smaller: the unit tier runs each twice (~10 s each on wasm).
// cpu without the fast paths takes ~1.5 s per GPT step at width 64 and ~1 s per MLP step at 1024: the MLPs at
// widths up to 256 there.
const CHECKS: { name: string; backend: 'wasm' | 'cpu'; argv: string[] }[] = [
  { name: 'MLP, SP', backend: 'wasm', argv: ['examples/mlp/sp.ts#mlp', '--sp', '--widths', '64,128,256,512,1024', '--steps', '5', '--seeds', '1'] },
  { name: 'MLP, muP', backend: 'wasm', argv: ['examples/mlp/mup.ts#mlp', '--mup', '--widths', '64,128,256,512,1024', '--steps', '5', '--seeds', '1'] },
  { name: 'GPT, SP', backend: 'wasm', argv: ['examples/gpt/sp.ts#gpt', '--sp', '--widths', '32,64,128', '--steps', '3', '--seeds', '1'] },
  { name: 'GPT, muP', backend: 'wasm', argv: ['examples/gpt/mup.ts#gpt', '--mup', '--widths', '32,64,128', '--steps', '3', '--seeds', '1'] },
  { name: 'MLP, SP', backend: 'cpu', argv: ['examples/mlp/sp.ts#mlp', '--sp', '--widths', '64,128,256', '--steps', '3', '--seeds', '1'] },
  { name: 'MLP, muP', backend: 'cpu', argv: ['examples/mlp/mup.ts#mlp', '--mup', '--widths', '64,128,256', '--steps', '3', '--seeds', '1'] },
];

for (const c of CHECKS) {
  {
    const backend = c.backend;
    test(`coordinate check of the ${c.name} example on ${backend}: the same slopes and verdict with and without the fast paths`, async (t) => {
      const argv = ['coord', ...c.argv, '--backend', backend, '--workers', '1'];
      const without = (await cliJson(argv, false)) as CoordJson;
      const fast = (await cliJson(argv, true)) as CoordJson;
      assert.equal(fast.backend, without.backend);
      assert.equal(fast.slopes.length, without.slopes.length);
      let worst = 0;
      for (const [i, s] of fast.slopes.entries()) {
        const r = without.slopes[i]!;
        assert.equal(`${s.layer}@t${s.t}`, `${r.layer}@t${r.t}`);
        if (s.slope === null || r.slope === null) {
          assert.equal(s.slope, r.slope, `${s.layer} t=${s.t}: fitted with one and not the other`);
          continue;
        }
        worst = Math.max(worst, Math.abs(s.slope - r.slope));
        assert.ok(Math.abs(s.slope - r.slope) <= SLOPE_TOLERANCE, `${s.layer} t=${s.t}: slope ${s.slope} with the fast paths, ${r.slope} without`);
      }
      assert.deepEqual([fast.verdict.pass, fast.verdict.level, fast.verdict.worst?.layer], [without.verdict.pass, without.verdict.level, without.verdict.worst?.layer]);
      t.diagnostic(`largest slope difference ${worst.toExponential(2)}`);
    });
  }
}

test('a sweep of the GPT example on wasm: the same losses and optimum with and without the fast paths', async (ctx) => {
  const argv = ['sweep', 'examples/gpt/mup.ts#gpt', '--mup', '--widths', '32,64', '--lrs', '0.001,0.004', '--steps', '8', '--backend', 'wasm', '--workers', '1', '--quiet'];
  type SweepJson = { trials: { width: number; lr: number; seed: number; loss: number | null; diverged: boolean }[]; optimum: { width: number; lr: number }[] };
  const without = (await cliJson(argv, false)) as SweepJson;
  const fast = (await cliJson(argv, true)) as SweepJson;
  const key = (t: SweepJson['trials'][number]) => `${t.width}/${t.lr}/${t.seed}`;
  const byKey = new Map(without.trials.map((t) => [key(t), t]));
  assert.equal(fast.trials.length, 4);
  let worst = 0;
  for (const t of fast.trials) {
    const r = byKey.get(key(t));
    assert.ok(r && r.loss !== null && t.loss !== null, `trial ${key(t)} ran in both`);
    worst = Math.max(worst, Math.abs(t.loss - r.loss) / Math.abs(r.loss));
    assert.ok(Math.abs(t.loss - r.loss) <= LOSS_TOLERANCE * Math.abs(r.loss), `trial ${key(t)}: loss ${t.loss} with the fast paths, ${r.loss} without`);
  }
  assert.deepEqual(fast.optimum, without.optimum);
  ctx.diagnostic(`largest relative loss difference ${worst.toExponential(2)}`);
});
