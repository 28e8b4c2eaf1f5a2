// Issue 16 items 2, 5, 6 and 10 (the small ones): lint ends on symbolic-link cycles and lints each file once;
// default output folders stay under .mup/ whatever the export is called; node's own frames are never the user's
// code; flags that are numbers read as one-line errors; a failed check leaves no empty folder behind.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { parseCoordArgs } from '../../../src/cli/coord';
import { collectFiles } from '../../../src/cli/lint';
import { formatText } from '../../../src/coord/format';
import { summarize } from '../../../src/coord/summarize';
import { coordDir, defaultSweepName, pathSegment } from '../../../src/host/results';
import { userFrame } from '../../../src/job/errors';

const root = join(__dirname, '../../..');

async function cli(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd });
  return { code, out, err };
}

test('lint: links back to a parent end, and each file is linted once however many ways lead to it', { timeout: 10_000 }, () => {
  // base/root/{a.ts, sub/b.ts}: every link below points back into base, which holds nothing else
  const dir = join(mkdtempSync(join(tmpdir(), 'lint-links-')), 'root');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.ts'), "import * as tf from '@tensorflow/tfjs';\n");
  writeFileSync(join(dir, 'sub', 'b.ts'), "import * as tf from '@tensorflow/tfjs';\n");
  symlinkSync('..', join(dir, 'sub', 'up'));
  symlinkSync('../..', join(dir, 'sub', 'up2'));
  symlinkSync('sub', join(dir, 'alias'));
  symlinkSync('a.ts', join(dir, 'a-link.ts'));
  const files = collectFiles(['.'], dir).map((f) => relative(dir, f));
  assert.equal(files.length, 2, files.join(', '));
  assert.ok(files.includes('a.ts') || files.includes('a-link.ts'));
  assert.ok(files.some((f) => basename(f) === 'b.ts'));
});

test('output folders: one path segment under .mup/, whatever the export or file is called', () => {
  assert.equal(pathSegment('../../../x'), '___.._.._x');
  for (const name of ['..', '.', '', '../x', 'a/b', 'a\\b', 'x'.repeat(300)]) {
    const seg = pathSegment(name);
    assert.ok(seg.length > 0 && seg.length <= 120 && !/[\\/]/.test(seg) && seg !== '.' && seg !== '..', `${name} -> ${seg}`);
  }
  const cwd = mkdtempSync(join(tmpdir(), 'coord-out-'));
  const dir = coordDir(cwd, join(cwd, 'f.ts'), '../../../x');
  const rel = relative(join(cwd, '.mup', 'coord'), dir);
  assert.ok(rel.split(/[\\/]/).length === 1 && rel !== '..' && !rel.startsWith('../'), dir);
  assert.ok(!defaultSweepName('/m/f.ts', '../../x', 'sp').includes('/'));
  writeFileSync(join(cwd, 'f.ts'), 'export const x = 1;\n');
  const parsed = parseCoordArgs(['f.ts#../../../x'], cwd);
  assert.ok(parsed !== 'help');
  assert.equal(relative(join(cwd, '.mup', 'coord'), parsed.out).split(/[\\/]/).length, 1, parsed.out);
});

test("error locations: node's own frames are never the user's, a Windows path keeps its drive", () => {
  const stack = [
    "Error: Cannot find module 'x'",
    '    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)',
    '    at Module._load (node:internal/modules/cjs/loader:1038:27)',
    '    at require (node:internal/modules/helpers:177:18)',
    '    at Object.<anonymous> (/home/u/model.ts:3:1)',
  ].join('\n');
  assert.deepEqual(userFrame(stack), { file: '/home/u/model.ts', line: 3 });
  assert.equal(userFrame(stack.split('\n').slice(0, 4).join('\n')), undefined);
  assert.deepEqual(userFrame('Error: x\n    at f (C:\\work\\m.ts:12:5)'), { file: 'C:\\work\\m.ts', line: 12 });
  assert.deepEqual(userFrame('Error: x\n    at file:///home/u/m.mjs:4:2'), { file: '/home/u/m.mjs', line: 4 });
  assert.equal(userFrame('Error: x\n    at internal/main/run_main_module.js:17:47'), undefined);
});

test('flags: a negative --base-width is one line; a huge grid is refused with the way out', async () => {
  const lint = await cli(['lint', 'examples', '--base-width', '-3']);
  assert.equal(lint.code, 2);
  assert.equal(lint.err, "mup-lens lint: --base-width must be a positive number, got '-3'\n");
  const sweep = await cli(['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', '--seeds', '1000000']);
  assert.equal(sweep.code, 2);
  assert.match(sweep.err, /^mup-lens sweep: the grid has 33000000 trials \(3 widths x 11 LRs x 1000000 seeds\), more than --max-trials 10000: .*raise --max-trials\n$/);
});

test('coord: a check that fails leaves no empty .mup/coord/<name>/ behind; a check with no width has a readable header', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'coord-fail-'));
  const r = await cli(['coord', join(root, 'test/fixtures/models/throws.ts#mlp'), '--backend', 'cpu', '--widths', '16,32', '--steps', '2', '--seeds', '1'], cwd);
  assert.equal(r.code, 2, r.err);
  assert.equal(existsSync(join(cwd, '.mup')), false);
  const empty = summarize({ backend: 'cpu', steps: 3, seeds: 1, layers: [], runs: [], problems: ['training diverged at width 16, seed 0, step 2: loss is NaN'] });
  const text = formatText(empty, 'coordinate check of mlp', cwd);
  assert.match(text, /^no width finished its runs, so no slope was fitted$/m);
  assert.doesNotMatch(text, /widths {2}\(/);
});
