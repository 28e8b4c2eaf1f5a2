// The analyzer's whole output (findings with their fixes, layers, factories) on every fixture, example and file of
// the bench corpora, plus re-analysis while typing into a 2,000-line file, as one JSON: what a speed change must
// leave equal. `node --import tsx bench/_analyzerOutput.ts /tmp/before.json`, change, run again to /tmp/after.json,
// `cmp` the two (docs/architecture.md, "What the analysis costs").
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../src/analyzer';
import { gptCorpusFile } from './_gptCorpus';
import { corpusFile } from './_lintCorpus';
import { sourceFiles } from '../test/unit/analyzer/helpers';
import { factoryFile } from './_factoryCorpus';
const root = join(__dirname, '..');
const files = [...sourceFiles(join(root, 'test/fixtures')), ...sourceFiles(join(root, 'examples'))].map((p) => ({ name: p.slice(root.length + 1), text: readFileSync(p, 'utf8') }));
for (let i = 0; i < 60; i++) files.push({ name: `corpus/model${i}.ts`, text: corpusFile(i, 1500) });
for (let i = 0; i < 60; i++) files.push({ name: `gpt/model${i}.ts`, text: gptCorpusFile(i, 1360) });
files.push({ name: 'factory1000.ts', text: factoryFile(1000).text });
const out: Record<string, unknown> = {};
let n = 0;
for (const f of files) { const r = analyze(f.text, f.name, { incremental: false } as never); n += r.findings.length; out[f.name] = r; }
// incremental: type into a file a char at a time at a few places, compare whole results
const big = corpusFile(1000, 2000);
const snip = "model.add(tf.layers.dense({ units: width, activation: 'relu' }));\n";
let seed = 3;
for (let s = 0; s < 6; s++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  const at = big.indexOf('\n', seed % big.length) + 1;
  for (let k = 1; k <= snip.length; k += 7) out[`inc${s}.${k}`] = analyze(big.slice(0, at) + snip.slice(0, k) + big.slice(at), 'editor/inc.ts');
}
const target = process.argv[2] ?? join(root, 'bench-results', 'analyzer-output.json');
writeFileSync(target, JSON.stringify(out));
console.log(files.length, 'files', n, 'findings ->', target);
