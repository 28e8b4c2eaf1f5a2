// Real tfjs model code from public repositories (test/fixtures/realworld/, source and license at the top of
// each file): the exact findings per file, every quick fix leaves code that parses and loses its finding,
// and the analyzer never throws on any of it. A change in what the analyzer sees in real code shows here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyFix, lint, syntaxErrors } from './helpers';

const dir = join(__dirname, '../../fixtures/realworld');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

const READOUT = 'mup/readout-not-scaled';
const FAN_AVG = 'mup/init-fan-avg';
const ATTN = 'mup/attention-sqrt-scaling';
const GLOBAL_LR = 'mup/optimizer-global-lr';

/** line:rule, in the order the analyzer reports them (by line, then column, then rule). */
const EXPECTED: Record<string, string[]> = {
  // hiddenSize knob; the readout is the dense inside timeDistributed; the first RNN is the input layer.
  'addition-rnn.js': [`13:${FAN_AVG}`, `20:${FAN_AVG}`, `27:${FAN_AVG}`, `63:${FAN_AVG}`, `63:${READOUT}`, `67:${GLOBAL_LR}`],
  // lstmUnits and embeddingDims are constants, but a name spelled like a width is the knob whatever its value
  // (issue 10's decision: `const lstmUnits = 64` is what a user widens): the timeDistributed dense on the
  // lstmUnits-wide decoder is the readout, the LSTMs (recurrent lstmUnits x 4*lstmUnits) make the string
  // 'adam' a global LR. Luong attention has no scale: no attention finding.
  'date-conversion-attention-model.js': [`93:${FAN_AVG}`, `93:${READOUT}`, `105:${GLOBAL_LR}`],
  // intermediateDim knob: the input denses (encoder, decoder) and the three readouts (z_mean, z_log_var, decoder output).
  'fashion-mnist-vae-model.js': [
    `12:${FAN_AVG}`, `14:${FAN_AVG}`, `14:${READOUT}`, `16:${FAN_AVG}`, `16:${READOUT}`, `69:${FAN_AVG}`, `74:${FAN_AVG}`, `74:${READOUT}`,
  ],
  // dim knob: q/kv projections map the width to a fixed heads * dimHead (readouts by docs/mup.md's definition),
  // the output projection maps it back (an input layer: fixed fan-in after the reshape), q pre-scaled by d^-0.5.
  'flash-attention-paraphrase.ts': [`22:${FAN_AVG}`, `22:${READOUT}`, `23:${FAN_AVG}`, `23:${READOUT}`, `24:${FAN_AVG}`, `28:${ATTN}`],
  'gpt-tfjs-mixed.js': [`55:${ATTN}`],
  'gpt-tfjs-model.ts': [`147:${ATTN}`, `338:${FAN_AVG}`, `338:${READOUT}`],
  // lstmLayerSizes knob: the first LSTM is the input layer, the softmax dense the readout; the LSTMs'
  // recurrent kernels (and the stacked ones' kernels) are width x width, so compileModel's one rmsprop LR,
  // in a function with no layers of its own, is judged by the file's model.
  'lstm-text-generation-model.js': [`14:${FAN_AVG}`, `21:${FAN_AVG}`, `21:${READOUT}`, `27:${GLOBAL_LR}`],
  // embeddingSize knob, layers picked by if/else: conv1d(250), simpleRNN(32), lstm(32) and the bidirectional
  // LSTM each map the embedding to a fixed size, and the final dense(1) does on the 'flatten' path.
  'sentiment-train.js': [
    `41:${FAN_AVG}`, `41:${READOUT}`, `51:${FAN_AVG}`, `51:${READOUT}`, `53:${FAN_AVG}`, `53:${READOUT}`, `56:${FAN_AVG}`, `56:${READOUT}`,
    `61:${FAN_AVG}`, `61:${READOUT}`,
  ],
};

describe('real-world tfjs models', () => {
  it('the fixture folder holds exactly the files with expectations', () => {
    assert.deepEqual(readdirSync(dir).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: the expected findings, on their lines`, () => {
      // lint() runs the analyzer with debug on: an internal error throws instead of being swallowed.
      const r = lint(read(file), file);
      assert.deepEqual(r.findings.map((f) => `${f.line}:${f.rule}`), expected);
    });
  }

  it('every quick fix parses and removes its own finding', () => {
    let checked = 0;
    for (const file of Object.keys(EXPECTED)) {
      const text = read(file);
      const before = lint(text, file).findings;
      for (const f of before) {
        for (const fix of f.fixes) {
          if (fix.title.startsWith('Suppress')) continue;
          const after = applyFix(text, fix);
          assert.deepEqual(syntaxErrors(after, file), [], `${file}:${f.line} ${fix.title}`);
          const found = lint(after, file).findings;
          const again = found.filter((g) => g.rule === f.rule && g.line === f.line && g.column === f.column);
          assert.deepEqual(again, [], `${file}:${f.line} ${f.rule} still there after "${fix.title}"`);
          // and not just moved (a fix that wraps the call shifts its column): the rule has fewer findings (a
          // rescaling can settle a later layer too)
          const count = (xs: typeof found) => xs.filter((g) => g.rule === f.rule).length;
          assert.ok(count(found) < count(before), `${file}:${f.line} ${f.rule}: "${fix.title}" left ${count(found)} of ${count(before)}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 30, `checked ${checked} fixes`);
  });

  it('every readout finding offers a rescaling fix that names a width the code has', () => {
    for (const file of Object.keys(EXPECTED)) {
      const text = read(file);
      for (const f of lint(text, file).findings.filter((x) => x.rule === READOUT)) {
        const fix = f.fixes.find((x) => !x.title.startsWith('Suppress'));
        assert.ok(fix, `${file}:${f.line} has no fix`);
        const scale = /by (\S+ \/ .+?) \(1\/width_mult\)|scale: (.+?) \}/.exec(fix.title);
        assert.ok(scale, fix.title);
        const expr = scale[1] ?? scale[2];
        // `width` is not defined in any of these files: the fix must use their own knob.
        assert.doesNotMatch(expr, /\bwidth\b/, `${file}:${f.line} ${fix.title}`);
      }
    }
  });

  it('gpt-tfjs: the attention fix stays a tensor op (a Tensor divided by a number is NaN in JS)', () => {
    const text = read('gpt-tfjs-model.ts');
    const f = lint(text, 'gpt-tfjs-model.ts').findings.find((x) => x.rule === ATTN)!;
    const after = applyFix(text, f.fixes[0]);
    assert.match(after, /tf\.div\(8, tf\.cast\(k\.shape\[k\.shape\.length - 1\], "float32"\)\),\n\s+\);/);
    assert.doesNotMatch(after, /tf\.cast\([^)]*\) \/ 8/);
  });

  it('gpt-tfjs: the lm_head rescaling uses config.nEmbd, the knob its factory reads', () => {
    const text = read('gpt-tfjs-model.ts');
    const f = lint(text, 'gpt-tfjs-model.ts').findings.find((x) => x.rule === READOUT)!;
    assert.match(f.message, /scale 64\/config\.nEmbd/);
    assert.match(applyFix(text, f.fixes[0]), /x = tf\.layers\.rescaling\(\{ scale: 64 \/ config\.nEmbd \}\)\.apply\(tf\.layers\n\s+\.dense\(\{\n\s+name: "lm_head"/);
  });
});
