// What the fixture workspace (test/fixtures/workspace) must produce, per docs/contracts.md's rule ids and
// "line is where the offending expression starts" (1-based). Written by hand from the fixture files.

/** sp_mlp.ts: input dense on glorot (11), unscaled readout (14), one global Adam LR (17). */
export const SP_MLP = 'sp_mlp.ts';
export const EXPECTED_SP_MLP = [
  'mup/init-fan-avg@11:warning',
  'mup/readout-not-scaled@14:error',
  'mup/optimizer-global-lr@17:warning',
];
/** The readout's layer call, where the hover and the quick fix are asked for. */
export const SP_MLP_READOUT = { line: 14, call: 'tf.layers.dense({ units: 10' };
export const SP_MLP_HIDDEN = { line: 12, call: "tf.layers.dense({ units: width, activation: 'relu', kernelInitializer" };

/** mup_mlp.ts: the same MLP in muP form, clean; without its rescaling line the readout is unscaled. */
export const MUP_MLP = 'mup_mlp.ts';
export const MUP_MLP_RESCALING = 'tf.layers.rescaling(';
export const MUP_MLP_READOUT_CALL = 'tf.layers.dense({ units: 10';

/** sp_attention.ts: logits divided by Math.sqrt(dHead) (7). */
export const SP_ATTENTION = 'sp_attention.ts';
export const EXPECTED_SP_ATTENTION = ['mup/attention-sqrt-scaling@7:error'];
