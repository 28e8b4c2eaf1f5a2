// The job handlers the worker runs, one per job kind of protocol.ts. To add a kind (the sweep's `trial`),
// add it to `JobKinds` in protocol.ts and a handler here: `{ coord: ..., trial: runTrialJob, transfer: runTransferJob }`.
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LayerInfo } from '../analyzer/types';
import type { MupRuntime } from '../mup/runtime-types';
import type { BackendInfo, JobKind, JobKinds } from '../protocol/worker';
import { runCoordCheck } from './coordJob';
import { layerSite } from './loadModule';
import { runTransferJob } from './transferJob';
import { runTrialJob } from './trialJob';

export interface JobContext<K extends JobKind> {
  /** The one tf instance of this worker (backend already set). */
  tf: typeof tfjs;
  backend: BackendInfo;
  /** Bundles and evaluates a user file (cached per file), with tfjs and `mup-lens/runtime` mapped to this worker's. */
  loadModule(file: string): Promise<Record<string, unknown>>;
  /** `createMup(tf)` of src/mup; throws a clear error when the runtime is not available. */
  mup(): MupRuntime;
  progress(data: JobKinds[K]['progress']): void;
  /** The job's model is built and training starts (the host's build time limit ends). */
  built?(): void;
  /** Frees what the backend keeps after a width finished (webgpu: its GPU buffer pool); also done after each job. */
  releaseMemory(): void;
}

export type JobHandler<K extends JobKind> = (params: JobKinds[K]['params'], ctx: JobContext<K>) => Promise<JobKinds[K]['result']>;

type Analyze = (text: string, fileName: string) => { layers: LayerInfo[] };
let analyzeFn: Analyze | null = null;

/**
 * The analyzer, loaded on first use: dist/analyzer.js next to this bundle (it holds the TypeScript compiler, so
 * the worker does not parse it at start-up), or the source when running under tsx.
 */
function analyzer(): Analyze {
  if (!analyzeFn) {
    const load = createRequire(__filename);
    const built = join(__dirname, 'analyzer.js');
    const mod = (existsSync(built) ? load(built) : load(join(__dirname, '../analyzer/index.ts'))) as { analyze: Analyze };
    analyzeFn = mod.analyze;
  }
  return analyzeFn;
}

/** The analyzer's layers of a file (for source lines); null when it cannot run. Pure syntax, never user code. */
function sourceLayers(file: string): LayerInfo[] | null {
  try {
    return analyzer()(readFileSync(file, 'utf8'), file).layers;
  } catch {
    return null; // source lines are a convenience: a check runs without them
  }
}

export const jobHandlers: { [K in JobKind]: JobHandler<K> } = {
  coord: async (params, ctx) => {
    const exports = await ctx.loadModule(params.file);
    const dataExports = params.data && params.data.file !== params.file ? await ctx.loadModule(params.data.file) : undefined;
    const helperLayers = new Map<string, LayerInfo[] | null>();
    return runCoordCheck(ctx.tf, params, {
      exports,
      dataExports,
      sourceLayers: sourceLayers(params.file),
      sourceLayersOf: (file) => {
        if (!helperLayers.has(file)) helperLayers.set(file, /\.(m|c)?[jt]sx?$/.test(file) ? sourceLayers(file) : null);
        return helperLayers.get(file)!;
      },
      layerSite,
      mup: ctx.mup,
      progress: ctx.progress,
      releaseMemory: ctx.releaseMemory,
    });
  },
  trial: (params, ctx) => runTrialJob(params, ctx),
  transfer: (params, ctx) => runTransferJob(params, ctx),
};
