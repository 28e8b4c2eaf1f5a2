// Deterministic large model factories for bench/lint.ts (issue 15, keystroke latency as the file grows): one
// exported factory whose `model.add` sites sit in for loops, ifs, whiles and switches, the way a generated or
// much-edited model builder looks. `sites` is the number of `model.add(...)` calls.

/** The lines of one block of the factory, with how many `model.add` sites it holds. */
function block(k: number): { text: string; sites: number } {
  switch (k % 5) {
    case 0:
      return { text: `  for (let i${k} = 0; i${k} < cfg.depth; i${k}++) {\n    model.add(tf.layers.dense({ units: width, activation: 'relu' }));\n  }\n`, sites: 1 };
    case 1:
      return { text: `  if (cfg.dropout > ${(k % 7) / 10}) {\n    model.add(tf.layers.dropout({ rate: cfg.dropout }));\n  }\n`, sites: 1 };
    case 2:
      return { text: `  while (cfg.extra-- > ${k % 5}) {\n    model.add(tf.layers.dense({ units: 2 * width }));\n  }\n`, sites: 1 };
    case 3:
      return {
        text: `  switch (cfg.kind) {\n    case ${k}:\n      model.add(tf.layers.layerNormalization());\n      break;\n    default:\n      model.add(tf.layers.dense({ units: width, activation: 'gelu' }));\n  }\n`,
        sites: 2,
      };
    default:
      // if/else, now and then with a bottleneck: a layer with a fixed fan-out after width-sized ones (a readout finding)
      return {
        text: `  if (cfg.depth > ${k % 9}) {\n    model.add(tf.layers.dense({ units: ${k % 3 === 0 ? 16 : 'width'} }));\n  } else {\n    model.add(tf.layers.dense({ units: width, activation: 'tanh' }));\n  }\n`,
        sites: 2,
      };
  }
}

export interface Factory {
  text: string;
  /** Offsets of line starts inside the factory body (where a line of code can be typed). */
  bodyLines: number[];
}

/** A factory with `sites` model.add calls (the input layer and the readout included). */
export function factoryFile(sites: number): Factory {
  let text = `import * as tf from '@tensorflow/tfjs';\n\nexport const BASE_WIDTH = 64;\n\n`;
  text += `export function buildModel(width: number, cfg: { depth: number; dropout: number; extra: number; kind: number }) {\n`;
  text += `  const model = tf.sequential();\n`;
  text += `  model.add(tf.layers.dense({ units: width, inputShape: [32], activation: 'relu' }));\n`;
  const bodyLines: number[] = [];
  let n = 2;
  for (let k = 0; n < sites; k++) {
    const b = block(k);
    if (n + b.sites > sites) continue;
    bodyLines.push(text.length);
    text += b.text;
    n += b.sites;
  }
  bodyLines.push(text.length);
  text += `  model.add(tf.layers.dense({ units: 10 }));\n  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });\n  return model;\n}\n`;
  return { text, bodyLines };
}
