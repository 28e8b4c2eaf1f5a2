// `npm run package [-- --target T[,T...]|all] [--no-build] [--out DIR]`: writes the .vsix packages (issue 12).
//
// Two native pieces are per platform: esbuild's bundler binary (the worker bundles the user's model with it) and
// Dawn, the WebGPU implementation of the `webgpu` package (one dawn.node per platform, ~130 MB for all of them). So,
// as VS Code's platform-specific extensions do (`vsce package --target`), there is one .vsix per target, carrying
// that target's esbuild binary once and that target's dawn.node only; and one universal .vsix for every other
// platform, carrying no native code: esbuild-wasm in place of esbuild, and no Dawn (the worker then uses a
// workspace's own `webgpu` package when there is one, else wasm/cpu, and says so).
//   universal         mup-lens.vsix
//   <target>          mup-lens-<target>.vsix (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64)
// Each package is assembled in .package/<target>/ (a staging folder with only what ships) and packed there with
// `vsce package --no-dependencies`. esbuild's binary for another platform than this one is fetched with `npm pack`
// (@esbuild/<target>, the version esbuild pins) into .package/cache/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target -> the folder of webgpu's dist/ with its dawn.node, and esbuild's platform package. */
export const TARGETS = {
  'linux-x64': { dawn: 'linux-x64', esbuild: '@esbuild/linux-x64' },
  'linux-arm64': { dawn: 'linux-arm64', esbuild: '@esbuild/linux-arm64' },
  'darwin-x64': { dawn: 'darwin-universal', esbuild: '@esbuild/darwin-x64' },
  'darwin-arm64': { dawn: 'darwin-universal', esbuild: '@esbuild/darwin-arm64' },
  'win32-x64': { dawn: 'win32-x64', esbuild: '@esbuild/win32-x64' },
  'win32-arm64': { dawn: 'win32-arm64', esbuild: '@esbuild/win32-arm64' },
};

/** What node_modules/esbuild is in the universal package: esbuild's API on esbuild-wasm, runnable without `node` on PATH. */
const ESBUILD_WASM_SHIM = `// mup-lens's universal package: esbuild's portable WebAssembly build stands in for its per-platform binary
// (scripts/package.mjs). esbuild-wasm runs its WebAssembly in a child process started as \`node\` from PATH; VS Code's
// extension host and the mup-lens worker run on Electron's Node, which need not be on PATH: while esbuild-wasm starts
// that child (once, synchronously inside its first call), \`node\` is this process's own runtime.
'use strict';
const childProcess = require('child_process');
const wasm = require('esbuild-wasm');

function withOwnNode(call) {
  const spawn = childProcess.spawn;
  childProcess.spawn = function (command, args, options) {
    if (command === 'node') {
      return spawn.call(this, process.execPath, args, { ...options, env: { ...(options && options.env ? options.env : process.env), ELECTRON_RUN_AS_NODE: '1' } });
    }
    return spawn.apply(this, arguments);
  };
  try {
    return call();
  } finally {
    childProcess.spawn = spawn;
  }
}

module.exports = {
  ...wasm,
  build: (options) => withOwnNode(() => wasm.build(options)),
  context: (options) => withOwnNode(() => wasm.context(options)),
  transform: (input, options) => withOwnNode(() => wasm.transform(input, options)),
  formatMessages: (messages, options) => withOwnNode(() => wasm.formatMessages(messages, options)),
  analyzeMetafile: (metafile, options) => withOwnNode(() => wasm.analyzeMetafile(metafile, options)),
};
`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

function pkgDir(name) {
  return join(root, 'node_modules', name);
}

function version(name) {
  return JSON.parse(readFileSync(join(pkgDir(name), 'package.json'), 'utf8')).version;
}

/** esbuild's binary package for `pkg` (e.g. @esbuild/win32-x64): the installed one, else `npm pack`ed into the cache. */
function esbuildPlatformPackage(pkg) {
  if (existsSync(join(pkgDir(pkg), 'package.json')) && version(pkg) === version('esbuild')) return pkgDir(pkg);
  const ver = version('esbuild');
  const cache = join(root, '.package/cache', `${pkg.replace('/', '+')}@${ver}`);
  if (!existsSync(join(cache, 'package', 'package.json'))) {
    mkdirSync(cache, { recursive: true });
    const out = run('npm', ['pack', `${pkg}@${ver}`, '--pack-destination', cache, '--silent'], { cwd: cache }).trim().split('\n').pop();
    run('tar', ['xzf', join(cache, out), '-C', cache]);
  }
  return join(cache, 'package');
}

function copyPackageFiles(from, to, keep) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) if (keep(entry)) cpSync(join(from, entry), join(to, entry), { recursive: true, dereference: true });
}

/**
 * vsce takes a package's node_modules only through `npm list --production`, which fails on a dependency that is
 * declared but absent: the staged packages declare none (what ships of them needs none: webgpu's index.js imports
 * only Node's own modules, esbuild's lib finds its binary in the one @esbuild/<platform> package staged beside it).
 */
function dropDependencies(pkgJson) {
  const m = JSON.parse(readFileSync(pkgJson, 'utf8'));
  for (const k of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies', 'scripts']) delete m[k];
  writeFileSync(pkgJson, JSON.stringify(m, null, 2) + '\n');
  return m;
}

/** Assembles .package/<target>/ with exactly what the .vsix of `target` ships. */
export function stage(target) {
  const dir = join(root, '.package', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  cpSync(join(root, 'README.md'), join(dir, 'README.md'));
  for (const d of ['syntaxes', 'docs']) cpSync(join(root, d), join(dir, d), { recursive: true });
  copyPackageFiles(join(root, 'dist'), join(dir, 'dist'), (f) => /\.(js|css|wasm|d\.ts)$/.test(f));
  const nm = join(dir, 'node_modules');
  if (target === 'universal') {
    copyPackageFiles(pkgDir('esbuild-wasm'), join(nm, 'esbuild-wasm'), (f) => f !== 'esm');
    mkdirSync(join(nm, 'esbuild'), { recursive: true });
    writeFileSync(join(nm, 'esbuild', 'package.json'), JSON.stringify({ name: 'esbuild', version: version('esbuild-wasm'), description: 'esbuild-wasm behind the esbuild API (mup-lens universal package)', main: 'index.js', license: 'MIT' }, null, 2) + '\n');
    writeFileSync(join(nm, 'esbuild', 'index.js'), ESBUILD_WASM_SHIM);
    dropDependencies(join(nm, 'esbuild-wasm', 'package.json'));
    writeManifest(dir, manifest, ['esbuild', 'esbuild-wasm']);
    return dir;
  }
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target '${target}': one of universal, ${Object.keys(TARGETS).join(', ')}, all`);
  // esbuild's API (lib/) finds its binary in @esbuild/<platform>; its own bin/esbuild is a second copy for the CLI.
  copyPackageFiles(pkgDir('esbuild'), join(nm, 'esbuild'), (f) => ['package.json', 'lib', 'LICENSE.md'].includes(f));
  copyPackageFiles(esbuildPlatformPackage(t.esbuild), join(nm, t.esbuild), () => true);
  if (!existsSync(join(pkgDir('webgpu'), 'dist', t.dawn))) throw new Error(`node_modules/webgpu has no dist/${t.dawn}: run npm install`);
  copyPackageFiles(pkgDir('webgpu'), join(nm, 'webgpu'), (f) => ['package.json', 'index.js', 'LICENSE.md', 'README.md'].includes(f));
  cpSync(join(pkgDir('webgpu'), 'dist', t.dawn), join(nm, 'webgpu', 'dist', t.dawn), { recursive: true });
  for (const p of ['esbuild', t.esbuild, 'webgpu']) dropDependencies(join(nm, p, 'package.json'));
  writeManifest(dir, manifest, ['esbuild', t.esbuild, 'webgpu']);
  return dir;
}

/** The staged package.json: the project's, whose dependencies are exactly the packages staged in node_modules. */
function writeManifest(dir, manifest, shipped) {
  const m = { ...manifest };
  for (const k of ['devDependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'scripts']) delete m[k];
  m.dependencies = Object.fromEntries(shipped.map((p) => [p, JSON.parse(readFileSync(join(dir, 'node_modules', p, 'package.json'), 'utf8')).version]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(m, null, 2) + '\n');
}

export function vsixName(target) {
  return target === 'universal' ? 'mup-lens.vsix' : `mup-lens-${target}.vsix`;
}

/** Stages and packs one target; returns the .vsix path. */
export function packageTarget(target, outDir = root) {
  const dir = stage(target);
  // Everything staged ships (the staging folder holds nothing else); source maps stay out.
  writeFileSync(join(dir, '.vscodeignore'), '**/*.map\n');
  const out = join(outDir, vsixName(target));
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  const args = [vsce, 'package', '--allow-missing-repository', '--skip-license', '-o', out];
  if (target !== 'universal') args.push('--target', target);
  run(process.execPath, args, { cwd: dir });
  return out;
}

function main(argv) {
  const flag = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const spec = flag('target') ?? 'universal';
  const targets = spec === 'all' ? ['universal', ...Object.keys(TARGETS)] : spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of targets) if (t !== 'universal' && !TARGETS[t]) throw new Error(`unknown target '${t}': one of universal, ${Object.keys(TARGETS).join(', ')}, all`);
  if (!argv.includes('--no-build')) run(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const outDir = flag('out') ?? root;
  mkdirSync(outDir, { recursive: true });
  for (const t of targets) {
    const file = packageTarget(t, outDir);
    const mb = (statSync(file).size / 2 ** 20).toFixed(1);
    console.log(`${t}: ${file} (${mb} MB)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`package: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
