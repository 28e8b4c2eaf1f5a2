// Issue 20 items 4 and 5: every output file goes through one path (src/host/outputFile.ts): atomic, never through
// a symbolic link, one line on a full disk or a link in the way. A full disk loses no verdict and no trial and
// leaves no 0-byte file; `lint --fix` does not enter a linked folder (as ESLint does not) and so never rewrites a
// file outside the linted tree; no output overwrites or appends to a link's target.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';

const root = join(__dirname, '../../..');
const models = join(root, 'test/fixtures/models');

async function cli(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd });
  return { code, out, err };
}

const COORD = ['--widths', '16,32', '--steps', '2', '--seeds', '1', '--backend', 'cpu'];
const SWEEP = ['--sp', '--widths', '16,32', '--lrs', '2^-7,2^-5', '--steps', '4', '--workers', '1', '--backend', 'cpu'];

/** A small tmpfs (root and mount(8) only): its path, or the reason it cannot be had. */
function smallTmpfs(): { dir: string; done(): void } | string {
  if (process.platform !== 'linux') return 'a tmpfs needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return 'mount -t tmpfs failed here (no CAP_SYS_ADMIN in this container?)';
  }
  return { dir, done: () => execFileSync('umount', [dir]) };
}

/** Fills the file system of `dir` until `leavePages` blocks are free. */
function fill(dir: string, leavePages: number): void {
  const st = statfsSync(dir);
  const bytes = (Number(st.bavail) - leavePages) * Number(st.bsize);
  if (bytes > 0) writeFileSync(join(dir, 'filler'), Buffer.alloc(bytes));
}

const tmpdisk = smallTmpfs();

test('full disk: coord prints its verdict, then one line, exit 2; no 0-byte result.json, no .tmp left', { skip: typeof tmpdisk === 'string' ? tmpdisk : false, timeout: 120_000 }, async () => {
  if (typeof tmpdisk === 'string') return;
  const out = join(tmpdisk.dir, 'coord');
  mkdirSync(out);
  fill(tmpdisk.dir, 0);
  const r = await cli(['coord', 'mlp_sp.ts#mlp', ...COORD, '--out', out], models).finally(() => rmSync(join(tmpdisk.dir, 'filler'), { force: true }));
  assert.equal(r.code, 2, r.err);
  assert.match(r.out, /^(PASS|FAIL)\b.*largest \|slope\|/m, 'the verdict is printed');
  assert.match(r.err, new RegExp(`^mup-lens coord: cannot write ${out}/(result\\.json|index\\.html): no space left on the device$`, 'm'));
  assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  for (const f of readdirSync(out)) assert.ok(lstatSync(join(out, f)).size > 0 && !f.endsWith('.tmp'), `left ${f}`);
});

test('full disk: sweep prints its verdict and keeps trials.jsonl when result.json cannot be written; exit 2, no .tmp', { skip: typeof tmpdisk === 'string' ? tmpdisk : false, timeout: 120_000 }, async () => {
  if (typeof tmpdisk === 'string') return;
  const store = join(tmpdisk.dir, 'sweep');
  const first = await cli(['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', ...SWEEP, '--out', store]);
  assert.notEqual(first.code, 2, first.err);
  // One page left: sweep.json's rewrite borrows it and gives it back; the last trial, run again, takes it (the store
  // is padded with a blank line to end just short of a page: readers skip blank lines); result.json finds none.
  const lines = readFileSync(join(store, 'trials.jsonl'), 'utf8').trimEnd().split('\n');
  const kept = lines.slice(0, -1).join('\n') + '\n';
  const page = Number(statfsSync(tmpdisk.dir).bsize);
  writeFileSync(join(store, 'trials.jsonl'), kept + ' '.repeat(page - 20 - (Buffer.byteLength(kept) % page)) + '\n');
  unlinkSync(join(store, 'result.json'));
  fill(tmpdisk.dir, 1);
  const r = await cli(['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', ...SWEEP, '--out', store]).finally(() => rmSync(join(tmpdisk.dir, 'filler'), { force: true }));
  assert.equal(r.code, 2, r.err);
  assert.match(r.out, /transfer/i, 'the verdict is printed');
  assert.match(r.err, new RegExp(`^mup-lens sweep: cannot write ${store}/result\\.json: no space left on the device \\(the trials are stored in ${store}: rerun to write the result\\)$`, 'm'));
  assert.equal(readFileSync(join(store, 'trials.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length, lines.length, 'every trial stored');
  for (const f of readdirSync(store)) assert.ok(!f.endsWith('.tmp') && lstatSync(join(store, f)).size > 0, `left ${f}`);
});

test('a link where an output goes: coord refuses to write through it (one line, exit 2), its target untouched', { timeout: 120_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'out-link-'));
  const outside = join(base, 'precious.txt');
  writeFileSync(outside, 'keep me\n');
  const out = join(base, 'coord');
  mkdirSync(out);
  symlinkSync(outside, join(out, 'result.json'));
  const r = await cli(['coord', 'mlp_sp.ts#mlp', ...COORD, '--out', out], models);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^mup-lens coord: refusing to write ${out}/result\\.json: it is a symbolic link \\(mup-lens does not write through links; remove it or write elsewhere\\)$`, 'm'));
  assert.equal(readFileSync(outside, 'utf8'), 'keep me\n');
  assert.ok(lstatSync(join(out, 'result.json')).isSymbolicLink());
});

test('a link as trials.jsonl: the sweep refuses to append to it (one line, exit 2), its target untouched', { timeout: 120_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'store-link-'));
  const outside = join(base, 'precious.jsonl');
  writeFileSync(outside, '');
  const store = join(base, 'store');
  mkdirSync(store);
  symlinkSync(outside, join(store, 'trials.jsonl'));
  const r = await cli(['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', ...SWEEP, '--out', store]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^mup-lens sweep: refusing to append to ${store}/trials\\.jsonl: it is a symbolic link`, 'm'));
  assert.equal(readFileSync(outside, 'utf8'), '');
});

test('lint --fix does not enter a linked folder: a file outside the linted tree is never rewritten', () => {
  const base = mkdtempSync(join(tmpdir(), 'lint-fix-link-'));
  const project = join(base, 'project');
  const elsewhere = join(base, 'elsewhere');
  mkdirSync(project);
  mkdirSync(elsewhere);
  const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
  writeFileSync(join(project, 'model.ts'), sp);
  writeFileSync(join(elsewhere, 'other.ts'), sp);
  symlinkSync(elsewhere, join(project, 'linked'));
  return cli(['lint', '--fix', '.'], project).then((r) => {
    assert.notEqual(readFileSync(join(project, 'model.ts'), 'utf8'), sp, 'the project file is fixed');
    assert.equal(readFileSync(join(elsewhere, 'other.ts'), 'utf8'), sp, 'the file behind the link is untouched');
    assert.doesNotMatch(r.out, /linked/);
  });
});

test.after(() => {
  if (typeof tmpdisk !== 'string') tmpdisk.done();
  void existsSync;
});
