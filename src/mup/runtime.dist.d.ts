// Declarations of dist/runtime.js (`mup-lens/runtime`): scripts/build.mjs copies this file to
// dist/runtime.d.ts and runtime-types.ts to dist/runtime-types.d.ts. Keep the names equal to runtime.ts's
// exports (test/unit/mup/exports.test.ts checks it).
import type { MupRuntime } from './runtime-types';

export type * from './runtime-types';

declare const mup: MupRuntime;
export default mup;

export declare const tf: MupRuntime['tf'];
export declare const inferBaseShapes: MupRuntime['inferBaseShapes'];
export declare const inferBaseShapesAsync: MupRuntime['inferBaseShapesAsync'];
export declare const applyBaseShapes: MupRuntime['applyBaseShapes'];
export declare const paramInfoOf: MupRuntime['paramInfoOf'];
export declare const attentionScale: MupRuntime['attentionScale'];
export declare const muAdamScales: MupRuntime['muAdamScales'];
export declare const muSgdScales: MupRuntime['muSgdScales'];
export declare const muFanIn: MupRuntime['muFanIn'];
export declare const MuReadoutInit: MupRuntime['MuReadoutInit'];
export declare const muReadoutInit: MupRuntime['muReadoutInit'];
export declare const MuReadout: MupRuntime['MuReadout'];
export declare const MuSharedReadout: MupRuntime['MuSharedReadout'];
export declare const muReadout: MupRuntime['muReadout'];
export declare const muSharedReadout: MupRuntime['muSharedReadout'];
export declare const MuAdam: MupRuntime['MuAdam'];
export declare const MuSGD: MupRuntime['MuSGD'];
export declare const fromTransfer: MupRuntime['fromTransfer'];
export declare const branchMultiplier: MupRuntime['branchMultiplier'];
export declare const depthScales: MupRuntime['depthScales'];
