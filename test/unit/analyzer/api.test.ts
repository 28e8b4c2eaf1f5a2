// The API the editor maps to VS Code types: hovers (describeLayer, layerAt), rule doc links, model
// factories for CodeLenses, and incremental re-analysis giving what a fresh one gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, describeLayer, layerAt, ruleDocUrl, RULE_IDS, RULES } from '../../../src/analyzer';
import { defaultRuleDocUrl } from '../../../src/languageService/mapping';
import { gptCorpusFile } from '../../../bench/_gptCorpus';
import { corpusFile } from '../../../bench/_lintCorpus';
import { lineOf, lint, sourceFiles } from './helpers';

const root = join(__dirname, '../../..');
const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');

describe('hover data', () => {
  it('layerAt finds the layer under the cursor; describeLayer gives its muP table with the base width', () => {
    const r = lint(sp);
    const line = lineOf(sp, "name: 'hidden1'");
    const col = sp.split('\n')[line - 1].indexOf('dense') + 1;
    const hidden = layerAt(r, line, col);
    assert.equal(hidden?.name, 'hidden1');
    const d = describeLayer(hidden!, 64);
    assert.equal(d.role, 'hidden');
    assert.equal(d.scaling, 'fan-in and fan-out scale with width');
    assert.equal(d.adamLr, 'lr / width_mult (lr*64/width)');
    assert.equal(d.sgdLr, 'lr');
    assert.match(d.init, /1\/fan_in/);
    assert.match(d.markdown, /\| Adam LR \| +\| lr \/ width_mult \(lr\*64\/width\) \|/);
    // Yours vs muP's: the SP file leaves the init to tfjs (Glorot), which muP replaces by 1/fan_in.
    assert.equal(hidden?.writtenInit, 'glorotUniform (tfjs default)');
    assert.match(d.markdown, /^\| \| yours \| muP's \|$/m);
    assert.match(d.markdown, /^\| init \| `glorotUniform \(tfjs default\)` \| variance 1\/fan_in: /m);

    const ro = layerAt(r, lineOf(sp, "name: 'readout'"), 10)!;
    const dr = describeLayer(ro, 128);
    assert.equal(dr.outputMultiplier, 'x 1/width_mult (128/width)');
    assert.equal(dr.sgdLr, 'lr x width_mult (lr*width/128)');
    assert.match(dr.status ?? '', /not multiplied by 128\/width/);
    assert.match(dr.markdown, /^\| output \| x1 \(not scaled\) \| x 1\/width_mult \(128\/width\) \|$/m);

    const input = describeLayer(layerAt(r, lineOf(sp, "name: 'input'"), 10)!);
    assert.equal(input.scaling, 'fan-out scales with width, fan-in is fixed');
    assert.equal(input.adamLr, 'lr');
    assert.equal(layerAt(r, 1, 1), undefined, 'no layer on the import line');
  });

  it("the hover's table puts the init as written beside muP's, and a readout's multiplier; none for a layer it cannot tell", () => {
    const mup = readFileSync(join(root, 'examples/mlp/mup.ts'), 'utf8');
    const r = lint(mup);
    const hidden = layerAt(r, lineOf(mup, "name: 'hidden1'"), 10)!;
    assert.equal(hidden.writtenInit, 'fanIn()');
    assert.match(describeLayer(hidden).markdown, /^\| init \| `fanIn\(\)` \| variance 1\/fan_in: /m);
    const ro = describeLayer(layerAt(r, lineOf(mup, "name: 'readout'"), 10)!);
    assert.match(ro.markdown, /^\| init \| `'zeros'` \| zeros \(recommended\)/m);
    // A spread may set the initializer where the analyzer does not look: no "yours" column for it.
    const spread = "import * as tf from '@tensorflow/tfjs';\nconst common = {kernelInitializer: 'ones'};\nexport function m(width: number) {\n  return tf.sequential({layers: [\n    tf.layers.dense({...common, units: width, inputShape: [4], name: 'a'}),\n    tf.layers.dense({units: width, name: 'b'}),\n    tf.layers.dense({units: 2, name: 'c'}),\n  ]});\n}\n";
    const rs = lint(spread);
    const a = layerAt(rs, lineOf(spread, "name: 'a'"), 10)!;
    assert.equal(a.name, 'a');
    assert.equal(a.writtenInit, undefined);
    assert.match(describeLayer(a).markdown, /^\| \| muP \|$/m);
  });

  it('ruleDocUrl links each rule to its anchor in docs/rules.md, which exists', () => {
    const doc = readFileSync(join(root, 'docs/rules.md'), 'utf8');
    for (const rule of RULE_IDS) {
      const url = ruleDocUrl(rule);
      assert.match(url, /^https:\/\/github\.com\/.*\/docs\/rules\.md#mup[a-z-]+$/);
      const anchor = url.split('#')[1];
      assert.ok(doc.includes(`<a id="${anchor}"></a>`), `docs/rules.md has an anchor for ${rule}`);
      assert.ok(doc.includes(`## ${rule}`));
    }
    assert.equal(ruleDocUrl('mup/init-fan-avg', 'file:///ext/docs/rules.md'), 'file:///ext/docs/rules.md#mupinit-fan-avg');
    // the editor's fallback link (before the analyzer bundle is loaded) is the same URL
    for (const rule of RULE_IDS) assert.equal(defaultRuleDocUrl(rule), ruleDocUrl(rule));
  });

  it('every rule has a severity setting in the mupLens.rules schema and a row in the README', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const schema = manifest.contributes.configuration.properties['mupLens.rules'];
    assert.deepEqual(Object.keys(schema.properties), RULE_IDS);
    for (const rule of RULE_IDS) assert.deepEqual(schema.properties[rule].enum, ['error', 'warning', 'info', 'off']);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const rule of RULE_IDS) assert.match(readme, new RegExp(`^\\| \`${rule}\` \\| ${RULES[rule].severity} \\|`, 'm'), `README rule table has ${rule} at its default severity`);
  });
});

describe('model factories', () => {
  it('finds exported and local factories with their width parameter, in each declaration form', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function a(width: number) { return tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: width })] }); }
export const b = ({ hiddenSize }: { hiddenSize: number }) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: hiddenSize })] });
function c(cfg: { dModel: number }) { return tf.layers.dense({ units: cfg.dModel }); }
const d = function (n: number) { return tf.sequential(); };
export { c as cee };
export default function (dim: number) { return tf.layers.dense({ units: dim }); }`;
    const r = lint(text);
    assert.deepEqual(
      r.factories.map((f) => [f.name, f.exported, f.widthParam, f.line]),
      [
        ['a', true, 'width', 2],
        ['b', true, 'hiddenSize', 3],
        ['cee', true, 'cfg.dModel', 4],
        ['default', true, 'dim', 7],
      ],
    );
    assert.deepEqual(r.layers.map((l) => l.factory), ['a', 'b', 'cee', 'default']);
  });
});

describe('incremental re-analysis', () => {
  it('after each of 200 edits, gives exactly what a fresh analysis gives', () => {
    const base = readFileSync(join(root, 'examples/gpt/sp.ts'), 'utf8');
    let text = base;
    let seed = 3;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const at = seed % text.length;
      text = i % 3 === 0 ? text.slice(0, at) + text.slice(at + 1) : i % 3 === 1 ? text.slice(0, at) + ';' + text.slice(at) : text.slice(0, at) + 'x' + text.slice(at);
      const inc = analyze(text, 'incremental.ts', { debug: true } as never);
      const fresh = analyze(text, 'fresh.ts', { debug: true, incremental: false } as never);
      assert.deepEqual(JSON.stringify(inc).replaceAll('incremental.ts', 'F'), JSON.stringify(fresh).replaceAll('fresh.ts', 'F'), `edit #${i}`);
    }
  });

  it('equals a fresh analysis across edit kinds: in a factory, in an import, lines added and removed above, undo', () => {
    // Each step edits the text left by the one before (the per-statement facts cache and the incremental
    // parse keep state from step to step); each result is compared with a fresh analysis of the same text.
    const mlp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
    const gpt = readFileSync(join(root, 'examples/gpt/mup.ts'), 'utf8');
    const start = `${mlp}\n${gpt.replace(/^import .*$/gm, '')}`;
    const steps: [string, (t: string) => string][] = [
      ['readout units in a factory', (t) => t.replace('units: OUT_DIM', 'units: OUT_DIM + 1')],
      ['readout made width-sized', (t) => t.replace('units: OUT_DIM + 1', 'units: width')],
      ['back', (t) => t.replace(`units: width, name: 'readout'`, `units: OUT_DIM, name: 'readout'`)],
      ['import renamed (tf no longer bound)', (t) => t.replace(`import * as tf from '@tensorflow/tfjs';`, `import * as tg from '@tensorflow/tfjs';`)],
      ['import restored', (t) => t.replace(`import * as tg from '@tensorflow/tfjs';`, `import * as tf from '@tensorflow/tfjs';`)],
      ['runtime import added', (t) => t.replace(`import * as tf from '@tensorflow/tfjs';`, `import * as tf from '@tensorflow/tfjs';\nimport { MuReadout } from 'mup-lens/runtime';`)],
      ['line added at the top', (t) => `// a comment line\n${t}`],
      ['statement added between factories', (t) => t.replace('export function mlp', 'const EXTRA = 3;\n\nexport function mlp')],
      ['line removed at the top', (t) => t.slice(t.indexOf('\n') + 1)],
      ['statement removed', (t) => t.replace('const EXTRA = 3;\n\n', '')],
      ['width knob renamed in a factory', (t) => t.replace('export function mlp(width: number,', 'export function mlp(size: number,')],
      ['suppression directive added', (t) => t.replace(`      tf.layers.dense({ units: OUT_DIM`, `      // mup-ignore-next-line mup/readout-not-scaled\n      tf.layers.dense({ units: OUT_DIM`)],
      ['unclosed brace (syntax error to the end of the file)', (t) => t.replace('= {}): tf.LayersModel {', '= {}): tf.LayersModel {{')],
      ['brace closed again', (t) => t.replace('tf.LayersModel {{', 'tf.LayersModel {')],
      ['base width constant changed', (t) => t.replace(/BASE_WIDTH = \d+/, 'BASE_WIDTH = 128')],
      ['attention scale back to 1/sqrt', (t) => t.replace(/ATTN_MULT \/ this\.dHead|ATTN_MULT \/ dHead|this\.attnMult \/ this\.dHead/, '1 / Math.sqrt(this.dHead)')],
    ];
    let text = start;
    const name = 'steps.ts';
    analyze(text, name, { debug: true } as never);
    for (const [what, edit] of steps) {
      const next = edit(text);
      assert.notEqual(next, text, `step '${what}' changed nothing`);
      text = next;
      const inc = analyze(text, name, { debug: true } as never);
      const fresh = analyze(text, 'fresh.ts', { debug: true, incremental: false } as never);
      assert.equal(JSON.stringify(inc).replaceAll(name, 'F'), JSON.stringify(fresh).replaceAll('fresh.ts', 'F'), what);
    }
    // the steps did move findings around (not a file where nothing is ever found)
    assert.ok(analyze(text, name).findings.length > 0);
  });

  it('typing into a factory, one character at a time, even a line that splits it into two functions', () => {
    // Statements an edit does not touch keep their facts (at any depth); those directly in the function being
    // edited move to the re-created function, or to another one when the typed text splits the factory.
    // (the tensors flow through `x`: which assignment of it a use sees depends on the function it is in)
    let text = `import * as tf from '@tensorflow/tfjs';\nexport function f(width: number, cfg: { on: boolean }) {\n  const h = 2 * width;\n  let x = tf.input({ shape: [8] });\n`;
    for (let i = 0; i < 12; i++) {
      text += `  if (cfg.on) {\n    x = tf.layers.dropout({ rate: 0.${i} }).apply(x) as tf.SymbolicTensor;\n  }\n`;
      text += `  const y${i} = tf.layers.dense({ units: ${i % 3 === 0 ? 10 : 'h'} }).apply(x) as tf.SymbolicTensor;\n`;
    }
    text += `  return tf.model({ inputs: x, outputs: y0 });\n}\n`;
    const at = text.indexOf('  if (cfg.on) {\n    x = tf.layers.dropout({ rate: 0.6 })');
    const typed = `  return x;\n}\nexport function g(width: number, cfg: { on: boolean }) {\n  let x = tf.input({ shape: [width] });\n`;
    const name = 'typing.ts';
    analyze(text, name, { debug: true } as never);
    const counts = new Set<string>();
    for (let k = 1; k <= typed.length; k++) {
      const state = text.slice(0, at) + typed.slice(0, k) + text.slice(at);
      const inc = analyze(state, name, { debug: true } as never);
      const fresh = analyze(state, 'fresh.ts', { debug: true, incremental: false } as never);
      assert.equal(JSON.stringify(inc).replaceAll(name, 'F'), JSON.stringify(fresh).replaceAll('fresh.ts', 'F'), `after typing ${JSON.stringify(typed.slice(0, k))}`);
      counts.add(inc.findings.map((x) => x.rule).join());
    }
    // the split changed what was found (h is not in scope in g)
    assert.ok(counts.size > 1);
  });
});

describe('findings only (mup-lens lint, the ESLint plugin)', () => {
  it('gives exactly the findings of a full analysis, with no layer list or factories, on every fixture and example', () => {
    const files = [...sourceFiles(join(root, 'test/fixtures')), ...sourceFiles(join(root, 'examples'))];
    // and a few files of each bench corpus (many findings of every rule)
    const texts = files.map((p) => ({ p, text: readFileSync(p, 'utf8') }));
    for (let i = 0; i < 4; i++) texts.push({ p: `corpus/model${i}.ts`, text: corpusFile(i, 600) }, { p: `gpt/model${i}.ts`, text: gptCorpusFile(i, 600) });
    let findings = 0;
    let layers = 0;
    for (const { p, text } of texts) {
      const full = analyze(text, p, { incremental: false } as Parameters<typeof analyze>[2]);
      const only = analyze(text, p, { findingsOnly: true, incremental: false } as Parameters<typeof analyze>[2]);
      assert.deepEqual(only.findings, full.findings, p);
      assert.deepEqual(only.layers, [], p);
      assert.deepEqual(only.factories, [], p);
      findings += full.findings.length;
      layers += full.layers.length;
    }
    // (the comparison covers real work: the fixtures hold hundreds of findings and layers)
    assert.ok(files.length > 100 && findings > 500 && layers > 1000, `${texts.length} files, ${findings} findings, ${layers} layers`);
  });
});
