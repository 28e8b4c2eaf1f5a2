// `mup-lens/runtime`: the muP runtime bound to the @tensorflow/tfjs that the importing project resolves.
// `import { MuReadout, MuAdam, inferBaseShapes, applyBaseShapes } from 'mup-lens/runtime'`.
// The coordinate-check worker maps this import to createMup(<the tfjs instance it selected>) instead, so the
// user's model, the engine and these classes always share one tfjs instance.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import tf = require('@tensorflow/tfjs');
import { createMup } from './index';

const mup = createMup(tf);

export = mup;
