// The one message protocol between the host (extension host or CLI: src/host/workerClient.ts) and the worker
// process (src/worker/main.ts). Both sides import these types, and only plain job types (./jobs); every switch
// over a message type ends in `const _: never = msg`.
//
// Adding a job type: add an entry to `JobKinds` below and a handler to `jobHandlers` in src/worker/jobs.ts; the
// compiler then points at every place that must know about it.
import type { CoordJobParams, CoordJobResult, CoordProgress, TransferJobParams, TransferJobResult, TrialJobParams, TrialJobResult, TrialProgress } from './jobs';

export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Which backend the worker runs on, and why (one line per candidate it tried or skipped). */
export interface BackendInfo {
  name: BackendName;
  /** Where tf came from: 'bundled' or the path of the workspace package (tfjs-node-gpu / tfjs-node). */
  source: string;
  /**
   * Human-readable label for a status bar: e.g. "wasm (bundled)", "tensorflow (tfjs-node-gpu, CUDA)",
   * "webgpu (nvidia hopper, NVIDIA H200)", "webgpu (google swiftshader, SwiftShader driver 5.0.0, software)".
   */
  label: string;
  reasons: string[];
  /**
   * On wasm: the threads its matrix products run on (tfjs' threaded build when > 1, its plain SIMD build at 1; the
   * label then says "2 threads"). Absent on the other backends.
   */
  threads?: number;
  /** On webgpu: the adapter Dawn gave (GPUAdapterInfo), and whether it is a software one (no GPU behind it). */
  adapter?: { vendor: string; architecture: string; description: string; software: boolean };
}

/** Per job kind: what the host sends, what progress the worker streams, what it returns. */
export interface JobKinds {
  coord: { params: CoordJobParams; progress: CoordProgress; result: CoordJobResult };
  /** One sweep trial (src/worker/trialJob.ts): train one width at one LR and seed. */
  trial: { params: TrialJobParams; progress: TrialProgress; result: TrialJobResult };
  /** What muP makes of a tuned sweep at a target width (src/worker/transferJob.ts): the model built, not trained. */
  transfer: { params: TransferJobParams; progress: { phase: string }; result: TransferJobResult };
}
export type JobKind = keyof JobKinds;

/** Worker setup that lives as long as the process: the backend is chosen once, before any user module loads. */
export interface WorkerInit {
  backend: BackendRequest;
  /** Directory to resolve the workspace's @tensorflow/tfjs-node(-gpu) from (the model file's directory). */
  workspaceDir: string;
  /**
   * Threads for the wasm backend (tfjs' threaded build when > 1; src/host/threads.ts picks them from the cores and
   * the workers). Default 1: the plain SIMD build.
   */
  threads?: number;
}

export type HostToWorker =
  | { type: 'init'; init: WorkerInit }
  | { [K in JobKind]: { type: 'job'; id: number; kind: K; params: JobKinds[K]['params'] } }[JobKind];

export type WorkerErrorKind =
  | 'usage' // bad input: missing export, not a function, bad data export, file that does not bundle
  | 'user-code' // the user's module or factory threw
  | 'backend' // the requested backend could not be set up
  | 'nan' // training diverged (NaN or infinity)
  | 'oom' // out of memory (tfjs/wasm allocation failed)
  | 'timeout' // host-side: the job ran past its time limit
  | 'cancelled' // host-side: the user cancelled
  | 'crash' // host-side: the worker process died
  | 'internal';

export interface WorkerError {
  kind: WorkerErrorKind;
  message: string;
  /** The user's source location the error points at (mapped through the bundle's source map). */
  file?: string;
  line?: number;
  stack?: string;
}

export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'backend'; info: BackendInfo }
  | { type: 'init-error'; error: WorkerError }
  | { [K in JobKind]: { type: 'progress'; id: number; kind: K; data: JobKinds[K]['progress'] } }[JobKind]
  | { [K in JobKind]: { type: 'result'; id: number; kind: K; result: JobKinds[K]['result'] } }[JobKind]
  | { type: 'error'; id: number; error: WorkerError }
  /** The job's model is built (its training starts): the host's build time limit ends here. */
  | { type: 'built'; id: number };
