// `npm test`: builds, then runs the unit tier (node:test, no VS Code) and the integration tier
// (mocha inside a real VS Code extension host), and ends with one plain line `N passed, N failed`
// counting both. `--unit` or `--integration` runs one tier only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyUnit = args.includes('--unit');
const onlyIntegration = args.includes('--integration');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

/** Counts from a TAP stream written by node's test runner (`# pass N`, `# fail N`). */
function tapCounts(file) {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? NaN);
  return { passed: num('pass'), failed: num('fail') + num('cancelled') };
}

let passed = 0;
let failed = 0;
let buildFailed = false;

if (run(process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) {
  console.error('build failed: fix the esbuild errors above (npm run build) before the tests can run');
  buildFailed = true;
  failed += 1;
}

if (!onlyIntegration && !buildFailed) {
  console.log('\n=== unit tier (node:test) ===');
  const tap = join(results, 'unit.tap');
  rmSync(tap, { force: true });
  const files = findTests(join(root, 'test/unit'));
  run(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const c = tapCounts(tap);
  if (!c || Number.isNaN(c.passed)) {
    console.error('unit tier: no TAP summary was written; the runner crashed (see above)');
    failed += 1;
  } else {
    passed += c.passed;
    failed += c.failed;
    console.log(`unit tier: ${c.passed} passed, ${c.failed} failed`);
  }
}

if (!onlyUnit && !buildFailed) {
  console.log('\n=== integration tier (VS Code extension host) ===');
  const summary = join(results, 'integration.json');
  rmSync(summary, { force: true });
  const runner = join(root, 'test/integration/runTest.ts');
  if (!existsSync(runner)) {
    console.error('integration tier: test/integration/runTest.ts is missing');
    failed += 1;
  } else {
    const code = run(process.execPath, ['--import', 'tsx', runner]);
    if (existsSync(summary)) {
      const s = JSON.parse(readFileSync(summary, 'utf8'));
      passed += s.passed;
      failed += s.failed;
      if (code !== 0 && s.failed === 0) failed += 1; // the host died after reporting
      console.log(`integration tier: ${s.passed} passed, ${s.failed} failed`);
    } else {
      console.error(`integration tier: the runner exited ${code} without a summary (see above)`);
      failed += 1;
    }
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
