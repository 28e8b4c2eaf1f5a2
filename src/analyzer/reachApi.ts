// What tfjs's API looks like from the outside, for reach.ts: the packages (and CDN URLs) that are tfjs, and the
// member chains only tfjs's namespace has (`x.layers.dense`, `x.train.adam`, `x.sequential`), so that a name
// bound as a parameter or a field counts as tfjs by how it is used.
import ts = require('typescript');
import { unwrap } from './source';

const TF_PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

/**
 * The tfjs package a module specifier names: the package itself, or a URL whose path names it
 * (`https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js`; a CDN bundle of tfjs-core or
 * tfjs-layers sets the same global `tf`).
 */
export function tfPackageOf(spec: string): string | undefined {
  if (TF_PACKAGES.has(spec)) return spec;
  if (!/^(https?:)?\/\//.test(spec)) return undefined;
  const m = /\/(@tensorflow\/tfjs(?:-core|-layers|-node|-node-gpu)?)(?:@[^/?#]*)?(?:[/?#]|$)/.exec(spec);
  return m ? m[1] : undefined;
}

// Uses that only tfjs's API has (checked on the chain of names after the root: `x.layers.dense` -> [layers, dense]).
const STRONG_TOP = new Set([
  'sequential', 'matMul', 'tensor1d', 'tensor2d', 'tensor3d', 'tensor4d', 'tensor5d', 'tensor6d', 'scalar',
  'loadLayersModel', 'loadGraphModel', 'setBackend', 'getBackend', 'oneHot', 'randomNormal', 'truncatedNormal',
]);
const NAMESPACES = new Set(['losses', 'initializers', 'regularizers', 'constraints', 'metrics']);
const OPTIMIZERS = new Set(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamax', 'adadelta']);
const LAYERS = new Set([
  'dense', 'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'conv3dTranspose', 'separableConv2d', 'depthwiseConv2d',
  'simpleRNN', 'lstm', 'gru', 'rnn', 'lstmCell', 'gruCell', 'simpleRNNCell', 'stackedRNNCells', 'embedding', 'dropout',
  'flatten', 'reshape', 'permute', 'repeatVector', 'activation', 'layerNormalization', 'batchNormalization',
  'maxPooling1d', 'maxPooling2d', 'averagePooling1d', 'averagePooling2d', 'globalAveragePooling1d',
  'globalAveragePooling2d', 'globalMaxPooling1d', 'globalMaxPooling2d', 'concatenate', 'add', 'multiply', 'dot',
  'average', 'maximum', 'minimum', 'timeDistributed', 'bidirectional', 'leakyReLU', 'reLU', 'elu', 'softmax',
  'prelu', 'thresholdedReLU', 'rescaling', 'zeroPadding2d', 'upSampling2d', 'cropping2D', 'spatialDropout1d',
  'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'masking', 'inputLayer', 'Layer',
]);

/** Whether the first two member names after a namespace (`layers`, `dense`) are tfjs's own API. */
export function looks(a: string, b: string | undefined): boolean {
  if (STRONG_TOP.has(a)) return true;
  if (b === undefined) return false;
  if (a === 'layers') return LAYERS.has(b);
  if (a === 'train') return OPTIMIZERS.has(b);
  return NAMESPACES.has(a);
}

/** `x.a.b` -> its root `x` (an identifier or `this`); undefined for anything else. */
export function chainRoot(e: ts.Expression): ts.Expression | undefined {
  e = unwrap(e);
  while (ts.isPropertyAccessExpression(e)) e = unwrap(e.expression);
  return ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword ? e : undefined;
}

/** Objects a browser global hangs from (`self.tf`, `window.tf`). */
export const GLOBAL_OBJECTS = new Set(['self', 'window', 'globalThis', 'global']);
