// The .vsix packages (scripts/package.mjs, issue 12): what each target's package carries, read from the .vsix
// itself, and that the packages runnable here do bundle and run a model as installed: the universal one without
// any native binary and without `node` on PATH, the linux-x64 one with its own esbuild binary. A target whose
// esbuild package cannot be fetched (`npm pack` from the registry) is skipped, saying so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { after, before, test } from 'node:test';

const root = join(__dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'mup-vsix-'));
after(() => rmSync(out, { recursive: true, force: true }));

interface Entry {
  name: string;
  size: number;
  read(): Buffer;
}

/** The entries of a zip file, from its central directory (a .vsix is a zip). */
function zipEntries(file: string): Map<string, Entry> {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, `${file} is not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Entry>();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.set(name, {
      name,
      size,
      read: () => {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const data = buf.subarray(start, start + csize);
        return method === 0 ? Buffer.from(data) : inflateRawSync(data);
      },
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

type PackageModule = { packageTarget(target: string, outDir: string): string; stage(target: string): string };
let pkg: PackageModule;
const built = existsSync(join(root, 'dist/worker.js')) && existsSync(join(root, 'dist/cli.js'));
before(async () => {
  pkg = (await import(join(root, 'scripts/package.mjs'))) as PackageModule;
});

/** Entries that are machine code for some platform: ELF, Mach-O (thin or fat) or PE (MZ) files. */
function natives(entries: Map<string, Entry>): string[] {
  const magic = (b: Buffer) => b.length >= 4 && (b.readUInt32BE(0) === 0x7f454c46 || [0xcafebabe, 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(b.readUInt32BE(0)) || b.readUInt16BE(0) === 0x4d5a);
  return [...entries.values()].filter((e) => e.size >= 4 && magic(e.read())).map((e) => e.name).sort();
}

test('the universal .vsix carries no native binary: esbuild-wasm behind the esbuild API, no Dawn', { skip: built ? false : 'needs npm run build' }, () => {
  const file = pkg.packageTarget('universal', out);
  const entries = zipEntries(file);
  const names = [...entries.keys()];
  assert.deepEqual(natives(entries), []);
  for (const f of ['extension/dist/worker.js', 'extension/dist/cli.js', 'extension/dist/extension.js', 'extension/node_modules/esbuild/index.js', 'extension/node_modules/esbuild-wasm/esbuild.wasm', 'extension/node_modules/esbuild-wasm/lib/main.js']) {
    assert.ok(entries.has(f), `${f} missing from ${file}`);
  }
  assert.ok(!names.some((n) => n.includes('node_modules/webgpu/')), 'no webgpu package');
  assert.ok(!names.some((n) => n.endsWith('.map')), 'no source maps');
  assert.doesNotMatch(entries.get('extension.vsixmanifest')!.read().toString(), /TargetPlatform=/);
  const manifest = JSON.parse(entries.get('extension/package.json')!.read().toString()) as { dependencies: Record<string, string>; devDependencies?: unknown };
  assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['esbuild', 'esbuild-wasm']);
  assert.equal(manifest.devDependencies, undefined);
});

test('the universal package bundles and runs a model with no native esbuild and no node on PATH', { skip: built ? false : 'needs npm run build' }, () => {
  const dir = pkg.stage('universal');
  const r = spawnSync(process.execPath, [join(dir, 'dist/cli.js'), 'coord', join(root, 'test/fixtures/models/mlp_sp.ts#mlp'), '--widths', '8,32', '--steps', '2', '--seeds', '1', '--sp', '--backend', 'cpu', '--workers', '1', '--format', 'json', '--out', join(out, 'coord-universal')], {
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent' },
  });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  assert.equal(JSON.parse(r.stdout).backend, 'cpu');
});

for (const [target, binary, dawn] of [
  ['linux-x64', 'extension/node_modules/@esbuild/linux-x64/bin/esbuild', ['extension/node_modules/webgpu/dist/linux-x64/dawn.node']],
  ['win32-x64', 'extension/node_modules/@esbuild/win32-x64/esbuild.exe', ['extension/node_modules/webgpu/dist/win32-x64/dawn.node', 'extension/node_modules/webgpu/dist/win32-x64/d3dcompiler_47.dll', 'extension/node_modules/webgpu/dist/win32-x64/dxcompiler.dll']],
  ['darwin-arm64', 'extension/node_modules/@esbuild/darwin-arm64/bin/esbuild', ['extension/node_modules/webgpu/dist/darwin-universal/dawn.node']],
] as const) {
  test(`the ${target} .vsix carries its esbuild binary once and its own dawn.node only`, { skip: built ? false : 'needs npm run build' }, (t) => {
    let file: string;
    try {
      file = pkg.packageTarget(target, out);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/npm pack/.test(msg)) return t.skip(`esbuild's ${target} package could not be fetched: ${msg.slice(0, 200)}`);
      throw err;
    }
    const entries = zipEntries(file);
    assert.deepEqual(natives(entries), [binary, ...dawn].sort());
    assert.ok(entries.get(binary)!.size > 5e6, 'a real esbuild binary');
    assert.ok(entries.has('extension/node_modules/esbuild/lib/main.js'));
    assert.ok(entries.has('extension/node_modules/webgpu/index.js'));
    assert.match(entries.get('extension.vsixmanifest')!.read().toString(), new RegExp(`TargetPlatform="${target}"`));
  });
}

test('the linux-x64 package, as installed, bundles with its esbuild and finds its Dawn', { skip: built && process.platform === 'linux' && process.arch === 'x64' ? false : 'runs on linux-x64 only' }, () => {
  const dir = pkg.stage('linux-x64');
  const r = spawnSync(process.execPath, [join(dir, 'dist/cli.js'), 'coord', join(root, 'test/fixtures/models/mlp_sp.ts#mlp'), '--widths', '8,32', '--steps', '2', '--seeds', '1', '--sp', '--backend', 'cpu', '--workers', '1', '--format', 'json', '--out', join(out, 'coord-linux')], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  const dawn = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(dir, 'node_modules/webgpu/index.js'))}); console.log(typeof m.create)`], { encoding: 'utf8' });
  assert.equal(dawn.stdout.trim(), 'function', dawn.stderr);
});
