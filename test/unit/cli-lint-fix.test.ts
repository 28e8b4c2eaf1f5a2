// `mup-lens lint --fix` on files with several findings (overlapping fixes on one layer call: applied in rounds),
// and the suppression fix of `lint --format json` (src/languageService/suppression.ts): what a user's file looks like
// afterwards, that it still parses, and what the run prints.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ts from 'typescript';
import { main } from '../../src/cli';
import type { Finding } from '../../src/analyzer/types';
import { lineStarts, offsetOf } from '../../src/languageService/fixAll';

const MODEL = `import * as tf from '@tensorflow/tfjs';

export function mlp(width: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [32], units: width, activation: 'relu' }));
  model.add(tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) }));
  model.add(tf.layers.dense({ units: 10 }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}
`;
const FAN_IN = "tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })";
// The readout's rescaling and its zeros init touch the same call: two rounds.
const FIXED = `import * as tf from '@tensorflow/tfjs';

export function mlp(width: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [32], units: width, activation: 'relu', kernelInitializer: ${FAN_IN} }));
  model.add(tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: ${FAN_IN} }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }));
  model.add(tf.layers.rescaling({ scale: 64 / width }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}
`;

let dir: string;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['lint', ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir });
  return { code, out, err };
}

function syntaxErrors(text: string): string[] {
  const out = ts.transpileModule(text, { fileName: 'x.ts', reportDiagnostics: true });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function applyJsonFix(text: string, fix: Finding['fixes'][number]): string {
  const starts = lineStarts(text);
  const at = (l: number, c: number) => offsetOf(starts, text.length, l, c);
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => at(b.line, b.column) - at(a.line, a.column))) {
    out = out.slice(0, at(e.line, e.column)) + e.newText + out.slice(at(e.endLine, e.endColumn));
  }
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mup-lint-fix-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('mup-lens lint --fix', () => {
  it('applies every preferred fix, overlapping ones in rounds, writes the file and prints what remains', async () => {
    writeFileSync(join(dir, 'model.ts'), MODEL);
    const r = await run('--fix', 'model.ts');
    assert.equal(readFileSync(join(dir, 'model.ts'), 'utf8'), FIXED);
    assert.deepEqual(syntaxErrors(FIXED), []);
    // The optimizer finding has no automatic fix: it remains, and the exit code says so.
    assert.equal(r.code, 1);
    assert.equal(r.err, '');
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'model.ts');
    assert.match(lines[1], /^ {2}9:30 {2}warning {2}one adam learning rate .* {2}mup\/optimizer-global-lr$/);
    assert.equal(lines.at(-2), '\u2716 1 problem (0 errors, 1 warning)');
    assert.equal(lines.at(-1), 'fixed 4 problems in 1 file: model.ts');
  });

  it('a second run has nothing left to fix', async () => {
    const r = await run('--fix', 'model.ts');
    assert.equal(readFileSync(join(dir, 'model.ts'), 'utf8'), FIXED);
    assert.equal(r.out.trimEnd().split('\n').at(-1), 'no fix applied');
  });

  it('keeps a CRLF file in CRLF (the inserted lines too); --format json prints only the JSON of what remains', async () => {
    writeFileSync(join(dir, 'crlf.ts'), MODEL.replace(/\n/g, '\r\n'));
    const r = await run('--fix', '--format', 'json', 'crlf.ts');
    const fixed = readFileSync(join(dir, 'crlf.ts'), 'utf8');
    assert.equal(fixed, FIXED.replace(/\n/g, '\r\n'));
    const remaining = JSON.parse(r.out) as Finding[];
    assert.deepEqual(remaining.map((f) => `${f.rule}@${f.line}`), ['mup/optimizer-global-lr@9']);
  });

  it('a clean file is left as it is (byte for byte)', async () => {
    const clean = readFileSync(join(__dirname, '..', '..', 'examples', 'mlp', 'mup.ts'), 'utf8');
    writeFileSync(join(dir, 'clean.ts'), clean);
    const r = await run('--fix', 'clean.ts');
    assert.equal(r.code, 0);
    assert.equal(readFileSync(join(dir, 'clean.ts'), 'utf8'), clean);
  });
});

describe('the suppression fix of lint --format json', () => {
  it('ends every finding\'s fixes; applied, the finding is gone', async () => {
    writeFileSync(join(dir, 'sup.ts'), MODEL);
    const findings = JSON.parse((await run('--format', 'json', 'sup.ts')).out) as Finding[];
    for (const f of findings) {
      const fix = f.fixes.at(-1)!;
      assert.equal(fix.title, `Suppress ${f.rule} for this line`);
      const after = applyJsonFix(MODEL, fix);
      writeFileSync(join(dir, 'sup-after.ts'), after);
      const left = JSON.parse((await run('--format', 'json', 'sup-after.ts')).out) as Finding[];
      assert.ok(!left.some((g) => g.rule === f.rule && g.message === f.message), `${f.rule}@${f.line} still reported`);
    }
  });

  it('in a CRLF file, joins the directive already above the line, in CRLF', async () => {
    const text = MODEL.replace('  model.add(tf.layers.dense({ units: 10 }));', '  // mup-ignore-next-line mup/init-fan-avg\n  model.add(tf.layers.dense({ units: 10 }));').replace(/\n/g, '\r\n');
    writeFileSync(join(dir, 'sup-crlf.ts'), text);
    const findings = JSON.parse((await run('--format', 'json', 'sup-crlf.ts')).out) as Finding[];
    const readout = findings.find((f) => f.rule === 'mup/readout-not-scaled')!;
    const after = applyJsonFix(text, readout.fixes.at(-1)!);
    assert.ok(after.includes('\r\n  // mup-ignore-next-line mup/init-fan-avg mup/readout-not-scaled\r\n  model.add(tf.layers.dense({ units: 10 }));\r\n'), after);
    assert.ok(!/[^\r]\n/.test(after), 'no bare LF');
    // A new directive line (no directive above) is CRLF too.
    const input = findings.find((f) => f.rule === 'mup/init-fan-avg' && f.line === 5)!;
    const afterInput = applyJsonFix(text, input.fixes.at(-1)!);
    assert.ok(afterInput.includes('\r\n  // mup-ignore-next-line mup/init-fan-avg\r\n  model.add(tf.layers.dense({ inputShape: [32]'), afterInput);
    assert.ok(!/[^\r]\n/.test(afterInput), 'no bare LF');
  });
});
