// The V8 code cache for the analyzer bundle: the module works the same with and without it, the cache is
// written once and used by the next load, and a stale, corrupt or unwritable cache never breaks loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheFile, requireWithCodeCache } from '../../src/languageService/codeCache';

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'mup-codecache-'));
  const file = join(dir, 'bundle.js');
  // Uses what a CommonJS bundle uses: require (built-ins), module.exports, __dirname, __filename.
  writeFileSync(
    file,
    "const path = require('node:path');\n" +
      'module.exports = { square: (x) => x * x, here: path.basename(__dirname), me: path.basename(__filename), self: module.id };\n' +
      'for (let i = 0; i < 200; i++) module.exports["f" + i] = new Function("x", "return x + " + i);\n',
  );
  const cacheDir = join(dir, 'cache');
  return { dir, file, cacheDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the scheduled cache write at once. */
const now = (fn: () => void) => fn();

test('first load creates the cache, the next uses it; the module works either way', () => {
  const { dir, file, cacheDir, cleanup } = fixture();
  try {
    const first = requireWithCodeCache(file, cacheDir, { schedule: now });
    assert.equal(first.cache, 'created');
    const m = first.exports as { square(x: number): number; here: string; me: string };
    assert.equal(m.square(7), 49);
    assert.equal(m.here, dir.split('/').pop());
    assert.equal(m.me, 'bundle.js');
    assert.deepEqual(readdirSync(cacheDir), [codeCacheFile(file, cacheDir).split('/').pop()]);
    const second = requireWithCodeCache(file, cacheDir, { schedule: now });
    assert.equal(second.cache, 'used');
    assert.equal((second.exports as { square(x: number): number }).square(9), 81);
  } finally {
    cleanup();
  }
});

test('a changed bundle gets a new cache; the old one is removed', () => {
  const { file, cacheDir, cleanup } = fixture();
  try {
    requireWithCodeCache(file, cacheDir, { schedule: now });
    const oldName = readdirSync(cacheDir)[0];
    writeFileSync(file, 'module.exports = { answer: 42 };\n');
    const r = requireWithCodeCache(file, cacheDir, { schedule: now });
    assert.equal(r.cache, 'created');
    assert.equal((r.exports as { answer: number }).answer, 42);
    const names = readdirSync(cacheDir);
    assert.equal(names.length, 1);
    assert.notEqual(names[0], oldName);
  } finally {
    cleanup();
  }
});

test('corrupt cache data is rejected by V8 and rewritten', () => {
  const { file, cacheDir, cleanup } = fixture();
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(codeCacheFile(file, cacheDir), Buffer.from('not a V8 code cache at all'));
    const r = requireWithCodeCache(file, cacheDir, { schedule: now });
    assert.equal(r.cache, 'rejected');
    assert.equal((r.exports as { square(x: number): number }).square(3), 9);
    assert.equal(requireWithCodeCache(file, cacheDir, { schedule: now }).cache, 'used');
  } finally {
    cleanup();
  }
});

test('an unwritable cache folder is reported and loading goes on; no folder means no cache', () => {
  const { dir, file, cleanup } = fixture();
  try {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the cache folder should be');
    const problems: string[] = [];
    const r = requireWithCodeCache(file, join(blocked, 'cache'), { schedule: now, onProblem: (m) => problems.push(m) });
    assert.equal((r.exports as { square(x: number): number }).square(4), 16);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /could not write the code cache/);
    assert.equal(requireWithCodeCache(file, undefined).cache, 'off');
  } finally {
    chmodSync(dir, 0o755);
    cleanup();
  }
});
