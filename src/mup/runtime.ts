// `mup-lens/runtime`: the muP runtime bound to the @tensorflow/tfjs that the importing project resolves.
// `import { MuReadout, MuAdam, inferBaseShapes, applyBaseShapes } from 'mup-lens/runtime'`.
// tfjs stays external in dist/runtime.js (scripts/build.mjs), so this `require` is the user's own tfjs.
// The coordinate-check worker maps this import to createMup(<the tfjs instance it selected>) instead, so the
// user's model, the engine and these classes always share one tfjs instance.
// Types: runtime.dist.d.ts (copied to dist/runtime.d.ts) declares exactly these names.
import { createMup } from './index';
import type { MupRuntime, Tf } from './runtime-types';

// A plain require (not `import * as`): the same module object as everyone else's require, so createMup's
// per-instance cache sees one tfjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tfjs: Tf = require('@tensorflow/tfjs');

const mup: MupRuntime = createMup(tfjs);
export default mup;

export const {
  tf,
  inferBaseShapes,
  inferBaseShapesAsync,
  applyBaseShapes,
  paramInfoOf,
  attentionScale,
  muAdamScales,
  muSgdScales,
  muFanIn,
  MuReadoutInit,
  muReadoutInit,
  MuReadout,
  MuSharedReadout,
  muReadout,
  muSharedReadout,
  MuAdam,
  MuSGD,
  fromTransfer,
  branchMultiplier,
  depthScales,
} = mup;
