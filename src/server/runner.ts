// Where the language server's analyses run. The worker runner keeps the analyzer on a worker thread
// (./analysisWorker.ts), so the server's main thread never blocks on one, and can stop an analysis that went
// stale: the thread is terminated (V8 stops it even inside the parser) and a fresh one takes over, one kept
// ready in advance once a first analysis had to be stopped, so that the new version's analysis starts at once.
// The inline runner analyses on the calling thread (source runs and unit tests, no bundle to start a thread
// from); it cannot stop an analysis.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisResult, AnalyzeOptions, LayerInfo } from '../analyzer/types';
import type { AnalyzerApi } from '../language/analyzerApi';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol';

export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled: the document changed');
    this.name = 'AnalysisCancelled';
  }
}

export interface HoverInfo {
  layer: LayerInfo;
  markdown: string;
}

export interface RunnerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AnalysisRunner {
  /** One analysis. The caller runs one at a time (./analyses.ts queues them). */
  analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult>;
  /** Stops the analysis in progress, if any: its promise rejects with AnalysisCancelled. */
  cancel(): void;
  /** Whether cancel() stops a running analysis (the inline runner cannot). */
  readonly canCancel: boolean;
  /** The hover of the layer at a 1-based position among `layers` (the analyzer's describeLayer). */
  hover(layers: LayerInfo[], line: number, column: number, baseWidth: number): Promise<HoverInfo | null>;
  dispose(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One analysis thread. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** Why the analyzer could not be loaded in this thread (every request fails with it). */
  loadFailure: string | undefined;
  dead = false;
  private terminating = false;

  constructor(file: string, data: WorkerData, private readonly log: RunnerLog) {
    // stdout/stderr piped here, never to the process's: under --stdio that is the protocol stream.
    this.worker = new Worker(file, { workerData: data, stdout: true, stderr: true });
    this.worker.unref();
    forwardLines(this.worker.stdout, (l) => log.info(`[analysis] ${l}`));
    forwardLines(this.worker.stderr, (l) => log.warn(`[analysis] ${l}`));
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(this.terminating ? new AnalysisCancelled() : new Error(`the analysis thread exited with code ${code}`)));
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.log.info(`analyzer loaded in ${m.loadMs.toFixed(0)} ms (code cache: ${m.codeCache})`);
        break;
      case 'load-failed':
        this.loadFailure = m.message;
        this.log.error(`could not load the muP analyzer: ${m.message}`);
        break;
      case 'analyzed':
        this.settle(m.id, (p) => p.resolve(m.result));
        break;
      case 'hovered':
        this.settle(m.id, (p) => p.resolve(m.hover));
        break;
      case 'failed':
        this.settle(m.id, (p) => p.reject(new Error(m.message)));
        break;
      default: {
        const never: never = m;
        this.log.warn(`unexpected message from the analysis thread: ${JSON.stringify(never)}`);
      }
    }
  }

  private settle(id: number, f: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    f(p);
  }

  request<T>(msg: ToWorker): Promise<T> {
    if (this.dead) return Promise.reject(new Error('the analysis thread is gone'));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(msg);
    });
  }

  private fail(err: Error): void {
    this.dead = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  terminate(): void {
    if (this.dead) return;
    this.terminating = true;
    this.fail(new AnalysisCancelled());
    void this.worker.terminate();
  }
}

function forwardLines(stream: NodeJS.ReadableStream, line: (l: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    const parts = buf.split(/\r?\n/);
    buf = parts.pop()!;
    for (const p of parts) if (p.trim()) line(p);
  });
}

export class WorkerRunner implements AnalysisRunner {
  readonly canCancel = true;
  private active: Slot;
  private standby: Slot | undefined;
  private nextId = 1;
  private running: number | undefined;
  /** Analyses stopped so far: from the first on, a spare thread is kept ready. */
  cancelled = 0;

  constructor(
    private readonly file: string,
    private readonly data: WorkerData,
    private readonly log: RunnerLog,
  ) {
    this.active = this.spawn();
  }

  private spawn(): Slot {
    return new Slot(this.file, this.data, this.log);
  }

  private live(): Slot {
    if (this.active.dead) {
      this.active = this.standby && !this.standby.dead ? this.standby : this.spawn();
      this.standby = undefined;
    }
    return this.active;
  }

  async analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult> {
    const slot = this.live();
    if (slot.loadFailure) throw new Error(`the muP analyzer could not be loaded: ${slot.loadFailure}`);
    const id = this.nextId++;
    this.running = id;
    let result: AnalysisResult;
    try {
      result = await slot.request<AnalysisResult>({ type: 'analyze', id, text, fileName, options });
    } finally {
      if (this.running === id) this.running = undefined;
    }
    // Idle now: the moment to get the spare thread ready (it loads the analyzer, ~0.1-0.2 s of CPU).
    if (this.cancelled > 0 && !this.standby) this.standby = this.spawn();
    return result;
  }

  cancel(): void {
    if (this.running === undefined) return;
    this.running = undefined;
    this.cancelled += 1;
    this.active.terminate();
    this.live();
  }

  async hover(layers: LayerInfo[], line: number, column: number, baseWidth: number): Promise<HoverInfo | null> {
    const slot = this.live();
    if (slot.loadFailure) return null;
    return slot.request<HoverInfo | null>({ type: 'hover', id: this.nextId++, layers, line, column, baseWidth });
  }

  dispose(): void {
    this.active.terminate();
    this.standby?.terminate();
  }
}

export class InlineRunner implements AnalysisRunner {
  readonly canCancel = false;

  constructor(private readonly api: Pick<AnalyzerApi, 'analyze' | 'layerAt' | 'describeLayer'>) {}

  analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult> {
    // On a later turn, as from a thread: messages that arrived meanwhile are handled first.
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(this.api.analyze(text, fileName, options));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }),
    );
  }

  cancel(): void {
    // An analysis on this thread runs to its end.
  }

  async hover(layers: LayerInfo[], line: number, column: number, baseWidth: number): Promise<HoverInfo | null> {
    const layer = this.api.layerAt({ findings: [], layers, factories: [] }, line, column);
    return layer ? { layer, markdown: this.api.describeLayer(layer, baseWidth).markdown } : null;
  }

  dispose(): void {}
}

/**
 * The worker runner when the built thread entry (dist/analysisWorker.js) sits beside this code, else (run from
 * source) the inline runner on the source analyzer.
 */
export function createRunner(log: RunnerLog, data: WorkerData, dir: string = __dirname): AnalysisRunner {
  const workerFile = join(dir, 'analysisWorker.js');
  if (existsSync(workerFile)) return new WorkerRunner(workerFile, data, log);
  // A computed path: esbuild leaves it alone, so no bundle of the server's main thread holds the analyzer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require(join(dir, '..', 'language', 'analyzerBundle')) as AnalyzerApi;
  return new InlineRunner(api);
}
