// The analyzer on the hand-labelled real-world corpus (test/fixtures/corpus/, 45 tfjs model files from public
// repositories, labelled from docs/rules.md before the tool was run on them; sources, commits and licences in
// labels.json and the corpus README). Pins precision and recall per error rule at >= 0.9 (issue 10) and the
// analyzer never failing internally on any file.
// `npm run bench -- realworld` prints the same table with every miss and false alarm.
//
// Deliberately hard files (each has a `hard` note in labels.json saying why):
// - tfjs not statically imported: conditional-vae, titanic-browser-demo, flappy-bird-agent, pongbot-model (the
//   page's global `tf`), movie-ratings-worker and story-points-worker (CDN scripts in a worker),
//   roulette-ai-worker (`const tf = self.tf`), genai-nanogpt-* and playground-layer-sizes (tf passed in),
//   lstm-forecast-dynamic-import, ode-model-prototype and sketch-recognizer-train (dynamic imports),
//   reexported-tf-attention (tf re-exported by a local module), mnist-acgan (a `let tf` re-bound).
// - width knobs in other spellings: *Units families (jena, roulette, titanic, xai, eeg), lists of layer sizes
//   (cart-pole, playground, ode-model-prototype, xai), config objects (deep-attention-*, ode-linear-attention),
//   literal-valued constants named like a width (deep-attention-seq2seq, fast-chunk-gpt, optimal-gpt-char,
//   pystudy-timeseries-transformer), channelCount (eeg).
// - attention in other forms: a tensor-field divisor (genai-nanogpt-attention), `** -0.5` through a local
//   (reexported-tf-attention), q pre-scaled before an einsum (tfjs-nlp-multihead-attention), tensor rsqrt/sqrt
//   scales and method softmax (ode-*-attention, pystudy-*), a muP and an SP branch in one file
//   (mup-transformer-port), a tied readout written by hand (tied-embedding-output: the table gathered and
//   multiplied by its transpose through the layers backend's `dot`).
// - precision traps: names that end in Units or Dim but are data sizes (ml5-diy-neural-network, roulette's
//   *OutputUnits, xai's outputLayerUnits, story-points), latentDim (translation-seq2seq), a board width `w`
//   (snake-dqn), an MLX namespace that is not tfjs (mlx-gemma3-attention), additive and linear attention with
//   no 1/sqrt(d) (deep-attention-bahdanau, ode-linear-attention), a correctly muP-scaled MLP (mup-mlp-port).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS_DIR, formatMismatches, scoreCorpus } from '../../../bench/_corpus';

const GOAL = 0.9;
const ERROR_RULES = ['mup/readout-not-scaled', 'mup/attention-sqrt-scaling'] as const;

/** One test per error rule: precision and recall at least `goal` on the scored corpus, the misses listed. */
function itScoresEachErrorRule(score: ReturnType<typeof scoreCorpus>, goal: number): void {
  for (const rule of ERROR_RULES) {
    it(`${rule}: precision and recall >= ${goal}`, () => {
      const r = score.perRule.find((x) => x.rule === rule);
      assert.ok(r, `no score for ${rule}`);
      const misses = formatMismatches({ ...score, mismatches: score.mismatches.filter((m) => m.rule === rule) });
      assert.ok((r.precision ?? 0) >= goal, `${rule}: precision ${r.precision} (tp ${r.tp}, fp ${r.fp})\n${misses}`);
      assert.ok((r.recall ?? 0) >= goal, `${rule}: recall ${r.recall} (tp ${r.tp}, fn ${r.fn})\n${misses}`);
    });
  }
}

describe('real-world corpus', () => {
  const score = scoreCorpus();

  it('the analyzer never fails internally on a corpus file', () => {
    assert.deepEqual(score.errors, []);
  });

  itScoresEachErrorRule(score, GOAL);
});

// The second held-out corpus (test/fixtures/corpus-holdout-2/, issue 24: 27 files from repositories no other
// corpus uses, labelled before any run by someone who does not change the analyzer; its README has the untuned
// score). Pinned at >= 0.95 per error rule once the analyzer work on its misses was done (compiled CommonJS,
// a helper's layer that is a readout at one call, a pretrained base's outputs).
const HOLDOUT2_GOAL = 0.95;

describe('second held-out corpus (issue 24)', () => {
  const score = scoreCorpus(join(CORPUS_DIR, '..', 'corpus-holdout-2'));

  it('is the 27-file corpus, and the analyzer never fails internally on it', () => {
    assert.equal(score.files, 27);
    assert.deepEqual(score.errors, []);
  });

  itScoresEachErrorRule(score, HOLDOUT2_GOAL);
});
