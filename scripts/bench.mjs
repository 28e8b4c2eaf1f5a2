// `npm run bench`: builds, then runs every benchmark in bench/ (each a `bench/<name>.ts` that prints its
// own table and writes bench-results/<name>.json) one after another, so they do not compete for cores.
// Targets are reported as ratios against a baseline measured in the same run, on the same machine.
// `npm run bench -- lint coord` runs only those; `--quick` is passed through for shorter configurations.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const benchNames = new Set(readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, '')));
// Bench names select; everything else goes to each bench: a `--flag`, and the token after a flag when that token is
// not a bench name (`npm run bench -- coord --threads 2` runs coord with `--threads 2`; before, `2` was taken for
// a bench name, matched none, and nothing ran).
const passThrough = [];
const only = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith('--')) {
    passThrough.push(a);
    if (!a.includes('=') && i + 1 < args.length && !args[i + 1].startsWith('--') && !benchNames.has(args[i + 1])) passThrough.push(args[++i]);
  } else if (benchNames.has(a)) only.push(a);
  else {
    console.error(`mup-lens bench: no bench named '${a}' (bench/*.ts: ${[...benchNames].sort().join(', ')})`);
    process.exit(2);
  }
}

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
mkdirSync(join(root, 'bench-results'), { recursive: true });

const benches = [...benchNames].filter((name) => only.length === 0 || only.includes(name)).sort();

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
let failures = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name}.ts ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', `${name}.ts`), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failures++;
    console.error(`bench/${name}.ts exited ${r.status ?? r.signal}`);
  }
}

console.log('\n=== summary (bench-results/*.json) ===');
for (const name of benches) {
  const file = join(root, 'bench-results', `${name}.json`);
  if (!existsSync(file)) continue;
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const summary = data.summary ?? data;
  console.log(`${name}: ${JSON.stringify(summary)}`);
}
process.exit(failures === 0 ? 0 : 1);
