// `mup-lens/eslint` as a user runs it: ESLint's own API with the plugin's recommended config, JS files on
// ESLint's default parser (espree) and TS files on typescript-eslint's. On the examples and the real-world
// fixtures it reports exactly what `mup-lens lint` reports, and `eslint --fix` writes what `mup-lens lint --fix`
// writes. The built bundle (dist/eslint.js, what the package exports) when there is one, else the source.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import * as ts from 'typescript';
import { analyze } from '../../src/analyzer';
import { lintFiles } from '../../src/cli/lint';
import { fixAllSync } from '../../src/languageService/fixAll';
import { analyzerFixes } from '../../src/languageService/fixes';

const root = join(__dirname, '..', '..');
const built = join(root, 'dist', 'eslint.js');
const plugin = require(existsSync(built) ? built : '../../src/eslint') as {
  rules: Record<string, unknown>;
  configs: { recommended: Linter.Config };
};

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(name) ? [p] : [];
    })
    .sort();
}
const CORPUS = [...files(join(root, 'examples')), ...files(join(root, 'test/fixtures/realworld'))];

/** What a user's eslint.config.js holds: typescript-eslint's parser for TS files, then the two lines. */
const CONFIG: Linter.Config[] = [
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
  plugin.configs.recommended,
];

const key = (f: { file: string; line: number; column: number; endLine: number; endColumn: number; rule: string; severity: string; message: string }) =>
  `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.rule} ${f.message}`;

function lintText(text: string, filename: string, extra: Linter.Config[] = []): Linter.LintMessage[] {
  return new Linter().verify(text, [...CONFIG, ...extra], { filename });
}

describe('mup-lens/eslint', () => {
  it('is the package export mup-lens/eslint (ESM default import and require)', { skip: existsSync(built) ? false : 'dist/eslint.js not built' }, async () => {
    const spec = 'mup-lens/eslint'; // (a variable: the type check does not need dist/ built)
    assert.equal(require.resolve(spec), built);
    const esm = (await import(spec)) as { default: unknown };
    assert.equal(esm.default, require(built));
    assert.ok(existsSync(join(root, 'dist', 'eslint.d.ts')), 'its declarations');
  });

  it('exports the rules without the mup/ prefix, and a recommended config registering the plugin as mup', () => {
    assert.deepEqual(Object.keys(plugin.rules).sort(), ['analysis-incomplete', 'attention-sqrt-scaling', 'init-constant-std', 'init-fan-avg', 'optimizer-global-lr', 'readout-not-scaled', 'residual-depth-unscaled']);
    const recommended = plugin.configs.recommended;
    assert.equal(recommended.plugins?.mup, plugin);
    assert.deepEqual(recommended.rules, {
      'mup/readout-not-scaled': 'error',
      'mup/attention-sqrt-scaling': 'error',
      'mup/init-fan-avg': 'warn',
      'mup/init-constant-std': 'warn',
      'mup/optimizer-global-lr': 'warn',
      'mup/analysis-incomplete': 'warn',
      'mup/residual-depth-unscaled': 'warn',
    });
  });

  it('reports exactly what `mup-lens lint` reports on the examples and the real-world fixtures', async () => {
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: CONFIG, ignore: false });
    const results = await eslint.lintFiles(CORPUS);
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.filePath}: ${m.message}`));
    assert.deepEqual(fatal, [], 'every file parsed');
    const fromEslint = results
      .flatMap((r) =>
        r.messages.map((m) =>
          key({
            file: relative(root, r.filePath),
            line: m.line,
            column: m.column,
            endLine: m.endLine!,
            endColumn: m.endColumn!,
            rule: m.ruleId!,
            severity: m.severity === 2 ? 'error' : 'warning',
            message: m.message,
          }),
        ),
      )
      .sort();
    const fromLint = lintFiles(CORPUS, root).map(key).sort();
    assert.ok(fromLint.length > 40, `the corpus has findings (${fromLint.length})`);
    assert.deepEqual(fromEslint, fromLint);
  });

  it('`eslint --fix` writes what `mup-lens lint --fix` writes; the fixed files parse', async () => {
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: CONFIG, ignore: false, fix: true });
    let changed = 0;
    for (const r of await eslint.lintFiles(CORPUS)) {
      const text = readFileSync(r.filePath, 'utf8');
      const file = relative(root, r.filePath);
      const ours = fixAllSync(text, (t) => analyze(t, file).findings);
      assert.equal(r.output ?? text, ours.text, file);
      if (ours.text !== text) {
        changed += 1;
        const out = ts.transpileModule(ours.text, { fileName: file, reportDiagnostics: true });
        assert.deepEqual((out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], file);
      }
    }
    assert.ok(changed >= 5, `fixes applied to ${changed} files`);
  });

  it('the preferred fix is the ESLint fix, the other fixes are suggestions', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import { MuAdam } from 'mup-lens/runtime';
export function mlp(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width, kernelInitializer: 'heNormal' }), tf.layers.dense({ units: 2, kernelInitializer: 'zeros' })] });
}
`;
    const [m] = lintText(text, 'model.ts');
    assert.equal(m.ruleId, 'mup/readout-not-scaled');
    const finding = analyze(text, 'model.ts').findings.find((f) => f.rule === 'mup/readout-not-scaled')!;
    const fixes = analyzerFixes(finding, text);
    assert.deepEqual(m.suggestions?.map((s) => s.desc), fixes.filter((f) => !f.isPreferred).map((f) => f.title));
    assert.ok(m.fix, 'the preferred fix');
    const fixed = new Linter().verifyAndFix(text, CONFIG, { filename: 'model.ts' }).output;
    assert.match(fixed, /import \{ MuAdam, MuReadout \} from 'mup-lens\/runtime'/);
    assert.match(fixed, /new MuReadout\(\{ units: 2, kernelInitializer: 'zeros', baseWidth: 64 \}\)/);
  });

  it("ESLint's disable comments and the analyzer's mup-ignore directives are both honoured", () => {
    const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
    const rules = (t: string) => lintText(t, 'sp.ts').map((m) => m.ruleId).sort();
    assert.deepEqual(rules(sp), ['mup/init-fan-avg', 'mup/init-fan-avg', 'mup/readout-not-scaled']);
    const readout = "      tf.layers.dense({ units: OUT_DIM, name: 'readout' }),";
    assert.deepEqual(rules(sp.replace(readout, `      // eslint-disable-next-line mup/readout-not-scaled\n${readout}`)), ['mup/init-fan-avg', 'mup/init-fan-avg']);
    assert.deepEqual(rules(sp.replace(readout, `      // mup-ignore-next-line mup/readout-not-scaled\n${readout}`)), ['mup/init-fan-avg', 'mup/init-fan-avg']);
    assert.deepEqual(rules(`/* eslint-disable mup/init-fan-avg */\n${sp}`), ['mup/readout-not-scaled']);
  });

  it('JS on the default parser (espree), TS on typescript-eslint; settings.mup.baseWidth reaches the messages', () => {
    const js = readFileSync(join(root, 'test/fixtures/realworld/addition-rnn.js'), 'utf8');
    assert.ok(lintText(js, 'addition-rnn.js').some((m) => m.ruleId === 'mup/readout-not-scaled'));
    const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
    const readout = lintText(sp, 'sp.ts', [{ settings: { mup: { baseWidth: 128 } } }]).find((m) => m.ruleId === 'mup/readout-not-scaled')!;
    assert.match(readout.message, /base 128: scale 128\/width/);
    assert.throws(() => lintText(sp, 'sp.ts', [{ settings: { mup: { baseWidth: -3 } } }]), /settings\.mup\.baseWidth must be a positive number, got -3/);
  });

  it('one analysis per file, shared by the five rules', () => {
    // The source plugin, whose analyzer module object can be watched.
      const api = require('../../src/languageService/analyzerBundle') as { analyze: (...a: unknown[]) => unknown };
      const source = require('../../src/eslint') as typeof plugin;
    const original = api.analyze;
    let calls = 0;
    api.analyze = (...a: unknown[]) => {
      calls += 1;
      return original(...a);
    };
    try {
      const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
      const messages = new Linter().verify(sp, [CONFIG[0], source.configs.recommended], { filename: 'sp.ts' });
      assert.equal(messages.length, 3);
      assert.equal(calls, 1);
    } finally {
      api.analyze = original;
    }
  });
});
