// Flag mistakes, through dist's entry point in-process: one short line naming the flag, exit 2, for coord and sweep.
// (node's parseArgs says "argument is ambiguous" over three lines for `--lr -1`.)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli';

const models = join(__dirname, '../fixtures/models');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--out', mkdtempSync(join(tmpdir(), 'cli-args-'))], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    cwd: models,
  });
  return { code, out, err };
}

for (const cmd of ['coord', 'sweep']) {
  const base = [cmd, 'mlp_sp.ts#mlp', '--widths', '8,16'];
  test(`${cmd}: a negative number after a flag is that flag's value, checked by the flag`, async () => {
    const r = await run([...base, ...(cmd === 'coord' ? ['--lr', '-1'] : ['--lrs', '-1'])]);
    assert.equal(r.code, 2);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, cmd === 'coord' ? /--lr must be a positive number, got '-1'/ : /--lrs: learning rates must be > 0 \(got -1\)/);
  });
  test(`${cmd}: a flag without its value, an unknown flag, a value on a switch`, async () => {
    for (const [argv, want] of [
      [[...base, '--steps'], /: --steps needs a value/],
      [[...base, '--bogus'], /: unknown option '--bogus'/],
      [[...base, '--mup=3'], /: --mup takes no value/],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, want);
    }
  });
}

test('--out that cannot be created: one line, exit 2, before any training (coord and sweep)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-out-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const argv of [
    ['coord', 'mlp_sp.ts#mlp', '--widths', '8,16', '--steps', '2', '--seeds', '1'],
    ['sweep', 'mlp_sp.ts#mlp', '--widths', '8,16', '--lrs', '0.01', '--steps', '2', '--seeds', '1'],
  ]) {
    let err = '';
    const code = await main([...argv, '--out', join(file, 'out')], { stdout: () => {}, stderr: (s) => void (err += s), cwd: models });
    assert.equal(code, 2, err);
    assert.equal(err.trim().split('\n').length, 1, err);
    assert.match(err, new RegExp(`^mup-lens ${argv[0]}: --out: cannot create or write .*a-file/out \\(a file is in the way\\)$`, 'm'));
  }
});

test('--out under /proc: one line and exit 2, where node\'s recursive mkdir never returns', { skip: process.platform !== 'linux' }, async () => {
  for (const argv of [
    ['coord', 'mlp_sp.ts#mlp', '--widths', '8,16', '--steps', '2', '--seeds', '1'],
    ['sweep', 'mlp_sp.ts#mlp', '--widths', '8,16', '--lrs', '0.01', '--steps', '2', '--seeds', '1'],
  ]) {
    let err = '';
    const code = await main([...argv, '--out', '/proc/mup-lens-out/run'], { stdout: () => {}, stderr: (s) => void (err += s), cwd: models });
    assert.equal(code, 2, err);
    assert.equal(err.trim().split('\n').length, 1, err);
    assert.match(err, new RegExp(`^mup-lens ${argv[0]}: --out: cannot create or write /proc/mup-lens-out/run \\(directories cannot be made there\\)$`, 'm'));
  }
});

test('makeDirs creates every missing level and accepts an existing directory', async () => {
  const { makeDirs } = await import('../../src/cli/io');
  const { statSync } = await import('node:fs');
  const dir = join(mkdtempSync(join(tmpdir(), 'cli-mkdirs-')), 'a', 'b', 'c');
  makeDirs(dir);
  assert.ok(statSync(dir).isDirectory());
  makeDirs(dir);
  makeDirs(join(dir, '..'));
});
