// Where the language server's analyses run. The worker runner keeps the analyzer on worker threads
// (./analysisWorker.ts), so the server's main thread never blocks on an analysis, and a new version never waits
// for a stale one: when the thread is still busy with an analysis of an older version (the document changed
// while it ran), the new version runs on a second thread, started (and warmed up on the file) as soon as a
// document takes more than SLOW_ANALYSIS_MS. The stale analysis finishes on its thread, its result dropped:
// a thread with the analyzer is ~70 MB, and a fresh one analyses several times slower than a warm one, so
// keeping two warm threads costs less than terminating one. Queued stale versions never run (./analyses.ts).
// An analysis that runs past ANALYSIS_TIMEOUT_MS is stopped by terminating its thread.
// The inline runner analyses on the calling thread (source runs and unit tests, no bundle to start a thread
// from); it cannot leave an analysis behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisResult, AnalyzeOptions, LayerInfo } from '../analyzer/types';
import type { AnalyzerApi } from '../languageService/analyzerApi';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol';
import { tuneHeapForAnalysis } from '../languageService/heap';

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
  /** The id of the last analysis it was given (dispatch takes the thread idle longest). */
  lastUsed = 0;
  /** Settles once the analyzer is loaded in this thread (or failed to load, or the thread is gone). */
  readonly loaded: Promise<void>;
  isLoaded = false;
  private resolveLoaded!: () => void;
  private markLoaded(): void {
    this.isLoaded = true;
    this.resolveLoaded();
  }
  private terminating = false;

  constructor(file: string, data: WorkerData, private readonly log: RunnerLog) {
    this.loaded = new Promise<void>((resolve) => (this.resolveLoaded = resolve));
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
        this.markLoaded();
        break;
      case 'load-failed':
        this.loadFailure = m.message;
        this.log.error(`could not load the muP analyzer: ${m.message}`);
        this.markLoaded();
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
    if (id === this.analysing) this.becomeIdle();
    f(p);
  }

  /** The analysis the thread is working on (whether anyone still waits for it or not). */
  private analysing: number | undefined;
  private idleWaiters: (() => void)[] = [];

  get busy(): boolean {
    return this.analysing !== undefined && !this.dead;
  }

  /** Resolves when the thread has finished its analysis (or is gone). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private becomeIdle(): void {
    this.analysing = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  request<T>(msg: ToWorker): Promise<T> {
    if (this.dead) return Promise.reject(new Error('the analysis thread is gone'));
    if (msg.type === 'analyze') this.analysing = msg.id;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(msg);
    });
  }

  /** An analysis whose result nobody waits for (it does not make the thread busy: work queued after it waits behind it). */
  warmUp(msg: ToWorker): void {
    if (this.dead) return;
    this.pending.set(msg.id, { resolve: () => {}, reject: () => {} });
    this.worker.postMessage(msg);
  }

  private fail(err: Error): void {
    this.dead = true;
    this.markLoaded();
    this.becomeIdle();
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

/** An analysis slower than this starts the second thread (the file will see stale analyses as its user types). */
const SLOW_ANALYSIS_MS = 50;
/** An analysis still running after this is stopped (its thread terminated): nothing a user types can hang the server. */
export const ANALYSIS_TIMEOUT_MS = 30_000;
const THREADS = 2;

export class WorkerRunner implements AnalysisRunner {
  readonly canCancel = true;
  private readonly threads: Slot[] = [];
  private nextId = 1;
  /** The analysis whose caller waits. */
  private running: { id: number; reject: (err: Error) => void } | undefined;
  /** Analyses whose caller stopped waiting (the document changed). */
  cancelled = 0;
  /** The last analysis posted: what a new thread warms up on. */
  private latest: { text: string; fileName: string; options: AnalyzeOptions } | undefined;

  constructor(
    private readonly file: string,
    private readonly data: WorkerData,
    private readonly log: RunnerLog,
    private readonly timeoutMs = ANALYSIS_TIMEOUT_MS,
  ) {
    this.spawn(false);
  }

  /**
   * A thread. The second one, once loaded, analyses the latest text once, result unused: a fresh thread's first
   * analysis of a large file costs several times a warm one's (V8 has not optimised the analyzer yet, and the
   * incremental re-parse has no earlier version), so it is warm for the file being edited when it is needed.
   */
  private spawn(warm: boolean): Slot {
    const slot = new Slot(this.file, this.data, this.log);
    this.threads.push(slot);
    if (warm) {
      void slot.loaded.then(() => {
        const latest = this.latest;
        if (latest && !slot.dead && !slot.loadFailure && !slot.busy) void slot.request({ type: 'analyze', id: this.nextId++, ...latest }).catch(() => {});
      });
    }
    return slot;
  }

  private live(): Slot[] {
    for (let i = this.threads.length - 1; i >= 0; i--) if (this.threads[i].dead) this.threads.splice(i, 1);
    if (this.threads.length === 0) this.spawn(false);
    return this.threads;
  }

  async analyze(text: string, fileName: string, options: AnalyzeOptions): Promise<AnalysisResult> {
    const id = this.nextId++;
    let stop!: (err: Error) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => {});
    const me = { id, reject: stop };
    this.running = me;
    try {
      for (;;) {
        const threads = this.live();
        const failed = threads.find((t) => t.loadFailure);
        if (failed) throw new Error(`the muP analyzer could not be loaded: ${failed.loadFailure}`);
        // Of the free threads, the one idle longest: both keep up with the file being edited (incremental
        // re-parse state, optimised code), so either can take the next version when the other is busy.
        const free = threads.filter((t) => t.isLoaded && !t.busy && !t.dead).sort((a, b) => a.lastUsed - b.lastUsed)[0];
        if (free) return await this.run(free, id, { text, fileName, options }, stopped);
        // Every thread is loading, or busy with an analysis nobody waits for any more (the document changed while
        // it ran): the second thread, if there is none yet; then whichever is free first.
        if (threads.length < THREADS && threads.every((t) => t.busy)) this.spawn(true);
        await Promise.race([...this.threads.map((t) => (t.isLoaded ? t.idle() : t.loaded)), stopped]);
      }
    } finally {
      if (this.running === me) this.running = undefined;
    }
  }

  private async run(slot: Slot, id: number, job: { text: string; fileName: string; options: AnalyzeOptions }, stopped: Promise<never>): Promise<AnalysisResult> {
    const started = performance.now();
    this.latest = job;
    slot.lastUsed = id;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // (rejected first: the terminated thread's own rejection must not win the race)
        reject(new Error(`the analysis took more than ${this.timeoutMs / 1000} s and was stopped; run \`mup-lens lint\` on the file`));
        slot.terminate();
      }, this.timeoutMs);
    });
    try {
      const result = await Promise.race([slot.request<AnalysisResult>({ type: 'analyze', id, ...job }), stopped, timedOut]);
      if (performance.now() - started > SLOW_ANALYSIS_MS && this.live().length < THREADS) this.spawn(true);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  cancel(): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.cancelled += 1;
    // Its caller stops waiting now, and the next analysis runs on a free thread; this one's thread finishes it
    // (cheaper than a fresh thread, whose first analyses run several times slower) and its result is dropped.
    running.reject(new AnalysisCancelled());
  }

  async hover(layers: LayerInfo[], line: number, column: number, baseWidth: number): Promise<HoverInfo | null> {
    const threads = this.live();
    const slot = threads.find((t) => t.isLoaded && !t.busy) ?? threads[0];
    await slot.loaded;
    if (slot.loadFailure || slot.dead) return null;
    return slot.request<HoverInfo | null>({ type: 'hover', id: this.nextId++, layers, line, column, baseWidth });
  }

  dispose(): void {
    this.running?.reject(new AnalysisCancelled());
    this.running = undefined;
    for (const t of this.threads.splice(0)) t.terminate();
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
  // V8's settings are the process's: set here, they hold for the analysis thread too (../languageService/heap.ts)
  tuneHeapForAnalysis();
  const workerFile = join(dir, 'analysisWorker.js');
  if (existsSync(workerFile)) return new WorkerRunner(workerFile, data, log);
  // A computed path: esbuild leaves it alone, so no bundle of the server's main thread holds the analyzer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require(join(dir, '..', 'languageService', 'analyzerBundle')) as AnalyzerApi;
  return new InlineRunner(api);
}
