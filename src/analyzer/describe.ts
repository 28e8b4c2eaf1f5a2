// What a hover on a layer shows: its muP role and what muP wants for it (docs/mup.md's table, TP-V Table 8).
import type { AnalysisResult, LayerInfo, LayerRole } from './types';

export interface LayerDescription {
  role: LayerRole;
  /** e.g. "readout (width -> fixed)" */
  title: string;
  /** Which dimensions scale with width, in words. */
  scaling: string;
  init: string;
  adamLr: string;
  sgdLr: string;
  outputMultiplier: string;
  /** A problem with this layer as analysed (readout not scaled), or null. */
  status: string | null;
  markdown: string;
}

function dims(l: LayerInfo): string {
  if (l.fanInScales && l.fanOutScales) return 'fan-in and fan-out scale with width';
  if (l.fanInScales) return 'fan-in scales with width, fan-out is fixed';
  if (l.fanOutScales) return 'fan-out scales with width, fan-in is fixed';
  return 'no dimension scales with width';
}

/** A table cell: pipes and backticks of source text would break the markdown table. */
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/`/g, "'");

/**
 * muP's values, and beside them the layer's own where the analyzer knows them ("yours vs muP's"): the init as
 * written (or tfjs' default), and a readout's output multiplier. The LR is one optimizer's for the whole model, so
 * no layer has its own to show.
 */
function table(layer: LayerInfo, init: string, adamLr: string, sgdLr: string, output: string): string[] {
  const yoursOutput = layer.role === 'readout' ? (layer.outputScaled ? 'x 1/width_mult' : 'x1 (not scaled)') : undefined;
  if (layer.writtenInit === undefined && yoursOutput === undefined) {
    return ['| | muP |', '|---|---|', `| init | ${init} |`, `| Adam LR | ${adamLr} |`, `| SGD LR | ${sgdLr} |`, `| output | ${output} |`];
  }
  const yours = (v: string | undefined) => (v === undefined ? '' : cell(v));
  return [
    "| | yours | muP's |",
    '|---|---|---|',
    `| init | ${layer.writtenInit === undefined ? '' : `\`${cell(layer.writtenInit)}\``} | ${init} |`,
    `| Adam LR | | ${adamLr} |`,
    `| SGD LR | | ${sgdLr} |`,
    `| output | ${yours(yoursOutput)} | ${output} |`,
  ];
}

export function describeLayer(layer: LayerInfo, baseWidth = 64): LayerDescription {
  const B = baseWidth;
  const m = `width_mult = width/${B}`;
  let title: string;
  let init: string;
  let adamLr: string;
  let sgdLr: string;
  let outputMultiplier = 'x1';
  let status: string | null = null;
  switch (layer.role) {
    case 'input':
      title = 'input layer (fixed -> width)';
      init = "variance 1/fan_in, constant in width: varianceScaling({scale: 1, mode: 'fanIn'})";
      adamLr = 'lr';
      sgdLr = `lr x width_mult (lr*width/${B})`;
      break;
    case 'hidden':
      title = 'hidden layer (width -> width)';
      init = "variance 1/fan_in: varianceScaling({scale: 1, mode: 'fanIn'})";
      adamLr = `lr / width_mult (lr*${B}/width)`;
      sgdLr = 'lr';
      break;
    case 'readout':
      title = 'readout (width -> fixed)';
      init = 'zeros (recommended), or a variance constant in width as at the base width';
      adamLr = 'lr';
      sgdLr = `lr x width_mult (lr*width/${B})`;
      outputMultiplier = `x 1/width_mult (${B}/width)`;
      if (!layer.outputScaled) status = `output not multiplied by ${B}/width: add a rescaling after it or use MuReadout`;
      break;
    case 'attention':
      title = 'attention (width -> width)';
      init = "projections: variance 1/fan_in; query projection zeros (recommended)";
      adamLr = `projections lr / width_mult (lr*${B}/width)`;
      sgdLr = 'projections lr';
      outputMultiplier = 'logits q.k x attn_mult/d_head (not 1/sqrt(d_head))';
      break;
    case 'embedding':
      title = 'embedding (vocab -> width)';
      init = 'width-independent (input weights: variance constant in width)';
      adamLr = 'lr';
      sgdLr = `lr x width_mult (lr*width/${B})`;
      break;
    case 'norm':
      title = 'normalization (gains and biases)';
      init = 'ones / zeros (width-independent)';
      adamLr = 'lr';
      sgdLr = `lr x width_mult (lr*width/${B})`;
      break;
    default:
      title = 'layer with no width-scaled weights of its own';
      init = 'unchanged';
      adamLr = 'lr';
      sgdLr = 'lr';
  }
  const scaling = dims(layer);
  const name = layer.name ? ` \`${layer.name}\`` : '';
  const markdown = [
    `**muP: ${title}**${name} (\`${layer.kind}\`)`,
    '',
    `${scaling}; ${m}`,
    '',
    ...table(layer, init, adamLr, sgdLr, outputMultiplier),
    ...(status ? ['', `$(warning) ${status}`] : []),
    ...(layer.depth ? ['', `depth: ${layer.depth}`] : []),
    ...(layer.reachedBy ? ['', `tfjs: ${layer.reachedBy}`] : []),
  ].join('\n');
  return { role: layer.role, title, scaling, init, adamLr, sgdLr, outputMultiplier, status, markdown };
}

/** The innermost layer whose constructing call contains the 1-based position (for hovers). */
export function layerAt(result: AnalysisResult, line: number, column: number): LayerInfo | undefined {
  let best: LayerInfo | undefined;
  for (const l of result.layers) {
    const after = line > l.line || (line === l.line && column >= l.column);
    const before = line < l.endLine || (line === l.endLine && column <= l.endColumn);
    if (!after || !before) continue;
    if (!best || l.line > best.line || (l.line === best.line && l.column > best.column)) best = l;
  }
  return best;
}
