// The hover on a layer call: what muP wants for it (MUP.md's table, after mup's "Table 8" in Tensor Programs V,
// arXiv 2203.03466), in terms of the user's base width. Used when the analyzer does not describe layers itself.
// Pure: returns markdown text.
import type { LayerInfo, LayerRole } from '../analyzer/types';

interface Treatment {
  what: string;
  init: string;
  adam: string;
  sgd: string;
  output: string;
}

const FAN_IN_INIT = "variance 1/fan_in: `tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })`";

function treatment(layer: LayerInfo, b: number): Treatment {
  const m = `m = width/${b}`;
  switch (layer.role) {
    case 'readout':
      return {
        what: 'readout (width → fixed): vector-like',
        init: `variance constant in width (as at base width ${b}), or zeros (recommended)`,
        adam: '×1 (the global LR)',
        sgd: `×m (${m})`,
        output: `×1/m = ${b}/width: \`MuReadout\`, or \`tf.layers.rescaling({ scale: ${b} / width })\` after it`,
      };
    case 'attention':
      return {
        what: 'attention logits',
        init: 'query projection: zeros (recommended); the others as hidden layers',
        adam: 'as its projections (hidden: ×1/m)',
        sgd: 'as its projections (hidden: ×1)',
        output: 'scores `q·kᵀ × attnMult / d_head` instead of `/ √d_head` (attnMult = √(base d_head), 8 at 64)',
      };
    case 'embedding':
      return {
        what: 'embedding (vocabulary → width): vector-like',
        init: 'variance constant in width (as at base width)',
        adam: '×1 (the global LR)',
        sgd: `×m (${m})`,
        output: '×1',
      };
    case 'norm':
      return {
        what: 'norm gains and biases: vector-like',
        init: 'width-independent (ones and zeros)',
        adam: '×1 (the global LR)',
        sgd: `×m (${m})`,
        output: '×1',
      };
    default:
      return byDimensions(layer, b, m);
  }
}

function byDimensions(layer: LayerInfo, b: number, m: string): Treatment {
  if (layer.fanInScales && layer.fanOutScales) {
    return { what: 'hidden (width → width): matrix-like', init: FAN_IN_INIT, adam: `×1/m (${b}/width)`, sgd: '×1', output: '×1' };
  }
  if (layer.fanOutScales) {
    return { what: 'input (fixed → width): vector-like', init: `${FAN_IN_INIT}, constant in width`, adam: '×1 (the global LR)', sgd: `×m (${m})`, output: '×1' };
  }
  if (layer.fanInScales) {
    // Infinite fan-in, finite fan-out: muP treats it as a readout whatever its position (mup's assert_hidden_size_inf).
    return treatment({ ...layer, role: 'readout' }, b);
  }
  return { what: 'fixed size: no dimension scales with width', init: 'as in SP', adam: '×1', sgd: '×1', output: '×1' };
}

const ROLE_TITLE: Record<LayerRole, string> = {
  input: 'input layer',
  hidden: 'hidden layer',
  readout: 'readout layer',
  attention: 'attention',
  embedding: 'embedding',
  norm: 'normalization layer',
  other: 'layer',
};

function scaledDimensions(layer: LayerInfo): string {
  if (layer.fanInScales && layer.fanOutScales) return 'fan-in and fan-out';
  if (layer.fanInScales) return 'fan-in';
  if (layer.fanOutScales) return 'fan-out';
  return 'none';
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|]/g, (c) => `\\${c}`);
}

export function layerHoverMarkdown(layer: LayerInfo, baseWidth: number): string {
  const t = treatment(layer, baseWidth);
  const name = layer.name ? ` \`${layer.name.replace(/`/g, '')}\`` : '';
  const where = layer.factory ? ` in ${escapeMd(layer.factory)}()` : '';
  const lines = [
    `**muP: ${ROLE_TITLE[layer.role]}**${name} (\`${layer.kind.replace(/`/g, '')}\`${where})`,
    '',
    '| | |',
    '|---|---|',
    `| role | ${t.what} |`,
    `| scales with width | ${scaledDimensions(layer)} |`,
    `| init | ${t.init} |`,
    `| LR multiplier | Adam ${t.adam}; SGD ${t.sgd} |`,
    `| output multiplier | ${t.output} |`,
    '',
    `m = width / ${baseWidth} (base width, \`mupLens.baseWidth\`); at m = 1 muP equals SP.`,
  ];
  if (layer.role === 'readout' || (layer.fanInScales && !layer.fanOutScales && layer.role === 'other')) {
    lines.push('', layer.outputScaled ? '$(check) Output is scaled by 1/m.' : '$(warning) Output is not scaled by 1/m (`mup/readout-not-scaled`).');
  }
  return lines.join('\n');
}
