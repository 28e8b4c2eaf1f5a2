// `mup-lens lint`: formats, exit codes and usage errors, in-process through the CLI's own main(), plus
// one spawn of the built dist/cli.js.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli';
import { RULE_IDS } from '../../src/analyzer';

const SP = `import * as tf from '@tensorflow/tfjs';
export function mlp(width: number) {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [32], units: width, kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }),
    ],
  });
}
`;
const MUP = SP.replace(`'zeros' }),\n`, `'zeros' }),\n      tf.layers.rescaling({ scale: 64 / width }),\n`);

let dir: string;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['lint', ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir });
  return { code, out, err };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mup-lint-'));
  mkdirSync(join(dir, 'models/sub'), { recursive: true });
  writeFileSync(join(dir, 'models/sp.ts'), SP);
  writeFileSync(join(dir, 'models/sub/mup.mjs'), MUP.replace(': number', ''));
  writeFileSync(join(dir, 'models/notes.md'), SP);
  for (const skipped of ['node_modules/pkg', 'dist', '.git', '.cache']) {
    mkdirSync(join(dir, skipped), { recursive: true });
    writeFileSync(join(dir, skipped, 'bad.js'), SP);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('mup-lens lint', () => {
  it('text: ESLint-style blocks per file with line:col, severity, message, rule, and a summary; exit 1', async () => {
    const r = await run();
    assert.equal(r.code, 1);
    assert.equal(r.err, '');
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'models/sp.ts');
    assert.match(lines[1], /^ {2}6:7 {2}error {2}readout \(fan-in grows with width, fan-out 10\) is not muP-scaled: .*base 64: scale 64\/width.* {2}mup\/readout-not-scaled$/);
    assert.match(r.out, /\u2716 1 problem \(1 error, 0 warnings\)\n$/);
    assert.doesNotMatch(r.out, /node_modules|dist\/|\.git|\.cache|notes\.md/, 'skipped directories and non-JS files are not linted');
  });

  it('.mts and .cts files are linted (gpt-tfjs ships its model as model.mts); declaration files are not', async () => {
    mkdirSync(join(dir, 'esm'));
    writeFileSync(join(dir, 'esm/model.mts'), SP);
    writeFileSync(join(dir, 'esm/model.cts'), SP);
    writeFileSync(join(dir, 'esm/types.d.mts'), SP);
    const r = await run('esm');
    assert.equal(r.code, 1);
    assert.deepEqual(r.out.split('\n').filter((l) => l.startsWith('esm/')), ['esm/model.cts', 'esm/model.mts']);
  });

  it('exit 0 and no output when the files are clean', async () => {
    const r = await run('models/sub');
    assert.deepEqual(r, { code: 0, out: '', err: '' });
  });

  it('json: the docs/contracts.md finding objects with 1-based positions and fixes', async () => {
    const r = await run('models', '--format', 'json');
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.out);
    assert.equal(findings.length, 1);
    const f = findings[0];
    assert.deepEqual(Object.keys(f), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'fixes']);
    assert.deepEqual([f.file, f.line, f.column, f.endLine, f.rule, f.severity], ['models/sp.ts', 6, 7, 6, 'mup/readout-not-scaled', 'error']);
    assert.deepEqual(Object.keys(f.fixes[0]), ['title', 'edits']);
    assert.deepEqual(Object.keys(f.fixes[0].edits[0]), ['line', 'column', 'endLine', 'endColumn', 'newText']);
    assert.match(f.fixes[0].edits[0].newText, /tf\.layers\.rescaling\(\{ scale: 64 \/ width \}\)/);
  });

  it('json: an empty array when clean', async () => {
    const r = await run('models/sub/mup.mjs', '--format', 'json');
    assert.deepEqual([r.code, JSON.parse(r.out)], [0, []]);
  });

  it('sarif: 2.1.0 with the rules (ids, helpUri) and results GitHub code scanning reads', async () => {
    const r = await run('--format', 'sarif', 'models');
    assert.equal(r.code, 1);
    const s = JSON.parse(r.out);
    assert.equal(s.version, '2.1.0');
    const driver = s.runs[0].tool.driver;
    assert.equal(driver.name, 'mup-lens');
    assert.deepEqual(driver.rules.map((x: { id: string }) => x.id), RULE_IDS);
    for (const rule of driver.rules) assert.match(rule.helpUri, /^https:\/\/.*docs\/rules\.md#mup[a-z-]+$/);
    const [res] = s.runs[0].results;
    assert.equal(res.ruleId, 'mup/readout-not-scaled');
    assert.equal(res.level, 'error');
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.match(res.message.text, /1\/width_mult/);
    assert.deepEqual(res.locations[0].physicalLocation.artifactLocation.uri, 'models/sp.ts');
    const call = "tf.layers.dense({ units: 10, kernelInitializer: 'zeros' })";
    const col = SP.split('\n')[5].indexOf(call) + 1;
    // SARIF columns are 1-based and the end column is exclusive
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 6, startColumn: col, endLine: 6, endColumn: col + call.length });
  });

  it('--base-width changes the numbers in messages', async () => {
    const r = await run('models/sp.ts', '--base-width', '128');
    assert.match(r.out, /base 128: scale 128\/width/);
  });

  it('usage errors exit 2 with one line on stderr', async () => {
    const cases: [string[], RegExp][] = [
      [['no/such/dir'], /^mup-lens lint: no such file or directory: no\/such\/dir\n$/],
      [['--format', 'xml'], /^mup-lens lint: --format must be one of text, json, sarif, got 'xml'\n$/],
      [['--bogus'], /^mup-lens lint: Unknown option '--bogus' \(see mup-lens lint --help\)\n$/],
      [['--base-width', 'wide'], /^mup-lens lint: --base-width must be a positive number, got 'wide'\n$/],
      [['models/notes.md'], /^mup-lens lint: not a JS\/TS file .*: models\/notes\.md\n$/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, message);
      assert.equal(r.out, '');
    }
  });

  it('--help prints the options, exit 0', async () => {
    const r = await run('--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /--format text\|json\|sarif/);
  });

  it('the built dist/cli.js runs lint as a process (exit code, stdout)', (t) => {
    const cli = join(__dirname, '../../dist/cli.js');
    if (!existsSync(cli)) return t.skip('dist/cli.js is not built (npm run build)');
    const ok = spawnSync(process.execPath, [cli, 'lint', 'models', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ok.status, 1, ok.stderr);
    assert.equal(JSON.parse(ok.stdout)[0].rule, 'mup/readout-not-scaled');
    const bad = spawnSync(process.execPath, [cli, 'lint', 'missing.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'mup-lens lint: no such file or directory: missing.ts\n');
  });
});
