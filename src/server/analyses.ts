// The language server's analyses: one per document version, shared by its diagnostics, code actions, hovers,
// CodeLenses and `mup/analysis` answers; queued one at a time on the runner (./runner.ts), the newest version
// of each document only. A version that is superseded while queued is dropped, and one superseded while it
// runs is stopped as soon as the newer version's analysis is due: the newer version never waits for it.
// Pure of the protocol: documents are plain snapshots.
import type { AnalysisResult, AnalyzeOptions } from '../analyzer/types';
import { analyzerFileName, DEFAULT_MAX_CHARS, EMPTY_RESULT, type CacheLog, type DocumentSnapshot } from '../languageService/analysisCache';
import type { SkipReason } from '../protocol/lsp';
import { AnalysisCancelled, type AnalysisRunner } from './runner';

export interface Outcome {
  version: number;
  result: AnalysisResult;
  skipped?: Exclude<SkipReason, 'excluded'>;
  detail?: string;
}

/** A request for a version that a newer one replaced before its analysis finished. */
export class Superseded extends Error {
  constructor(uri: string, version: number) {
    super(`${uri} version ${version} was superseded`);
    this.name = 'Superseded';
  }
}

interface Job {
  /** The document's URI, or a unique key for an analysis of text that is no document version (fix-all rounds). */
  key: string;
  uri: string | null;
  version: number;
  gen: number;
  text: string;
  fileName: string;
  resolve(outcome: Outcome): void;
  reject(err: Error): void;
}

export class Analyses {
  private readonly outcomes = new Map<string, Outcome & { gen: number }>();
  private readonly inflight = new Map<string, { version: number; gen: number; promise: Promise<Outcome> }>();
  private readonly queue = new Map<string, Job>();
  private running: Job | undefined;
  private options: AnalyzeOptions = {};
  /** Bumped by every change of options: results of older options are never served. */
  private gen = 0;
  private adhocKeys = 0;
  private readonly reportedTooLarge = new Set<string>();
  private readonly reportedFailure = new Map<string, string>();
  /** Analyses run so far (tests: code actions and hovers of an analysed version must not re-analyse). */
  runs = 0;
  /** Analyses stopped because their version went stale while they ran. */
  stopped = 0;

  constructor(
    private readonly runner: AnalysisRunner,
    private readonly log: CacheLog,
    /** Called with every finished analysis of a document version (the server publishes the current one). */
    private readonly onDidAnalyse: (uri: string, outcome: Outcome) => void = () => {},
    private readonly maxChars = DEFAULT_MAX_CHARS,
  ) {}

  /** New options: every result so far is stale; queued and running analyses are dropped. */
  setOptions(options: AnalyzeOptions): void {
    this.options = options;
    this.gen += 1;
    this.outcomes.clear();
    for (const job of this.queue.values()) job.reject(new Superseded(job.key, job.version));
    this.queue.clear();
    this.inflight.clear();
    if (this.running) this.stop();
  }

  getOptions(): AnalyzeOptions {
    return this.options;
  }

  /** The finished analysis of exactly this version, if there is one. */
  peek(uri: string, version: number): Outcome | undefined {
    const o = this.outcomes.get(uri);
    return o && o.version === version && o.gen === this.gen ? o : undefined;
  }

  /** The analysis of this version of the document: cached, in flight, or queued now. */
  get(doc: DocumentSnapshot): Promise<Outcome> {
    const cached = this.peek(doc.uri, doc.version);
    if (cached) return Promise.resolve(cached);
    const inflight = this.inflight.get(doc.uri);
    if (inflight && inflight.version === doc.version && inflight.gen === this.gen) return inflight.promise;

    const text = doc.getText();
    if (text.length > this.maxChars) {
      if (!this.reportedTooLarge.has(doc.uri)) {
        this.reportedTooLarge.add(doc.uri);
        this.log.info(
          `skipped ${doc.uri}: ${text.length} characters is more than the ${this.maxChars} analysed as you type; run \`mup-lens lint\` on it instead`,
        );
      }
      return Promise.resolve(this.finish(doc.uri, { version: doc.version, result: EMPTY_RESULT, skipped: 'too-large' }));
    }
    this.reportedTooLarge.delete(doc.uri);

    const promise = this.enqueue(doc.uri, doc.uri, doc.version, text, analyzerFileName(doc.fileName, doc.languageId));
    this.inflight.set(doc.uri, { version: doc.version, gen: this.gen, promise });
    return promise;
  }

  /** An analysis of text that is no version of an open document (a fix-all round); never cached. */
  async analyzeText(text: string, fileName: string, languageId: string): Promise<AnalysisResult> {
    const outcome = await this.enqueue(`#text-${++this.adhocKeys}`, null, -1, text, analyzerFileName(fileName, languageId));
    return outcome.result;
  }

  private enqueue(key: string, uri: string | null, version: number, text: string, fileName: string): Promise<Outcome> {
    const promise = new Promise<Outcome>((resolve, reject) => {
      const queued = this.queue.get(key);
      if (queued) queued.reject(new Superseded(key, queued.version));
      // (set on an existing key keeps the document's place in the queue)
      this.queue.set(key, { key, uri, version, gen: this.gen, text, fileName, resolve, reject });
    });
    // The running analysis of an older version of this document is of no use any more.
    const r = this.running;
    if (r && uri !== null && r.uri === uri && r.version < version) this.stop();
    this.pump();
    return promise;
  }

  private stop(): void {
    if (!this.runner.canCancel) return; // it runs to its end; its result is not published (stale)
    this.stopped += 1;
    this.runner.cancel();
  }

  private pump(): void {
    if (this.running || this.queue.size === 0) return;
    const job = this.queue.values().next().value as Job;
    this.queue.delete(job.key);
    this.running = job;
    this.runs += 1;
    this.runner.analyze(job.text, job.fileName, this.options).then(
      (result) => {
        if (!result || !Array.isArray(result.findings)) throw new Error('the analyzer returned no result');
        this.settle(job, { version: job.version, result: { findings: result.findings, layers: result.layers ?? [], factories: result.factories ?? [] } });
      },
      (err: unknown) => {
        if (err instanceof AnalysisCancelled) {
          job.reject(new Superseded(job.key, job.version));
          return;
        }
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
        const key = job.uri ?? '#text';
        if (this.reportedFailure.get(key) !== detail) {
          this.reportedFailure.set(key, detail);
          this.log.error(`analysis of ${job.uri ?? job.fileName} (version ${job.version}) failed: ${detail}`);
        }
        this.settle(job, { version: job.version, result: EMPTY_RESULT, skipped: 'analyzer-failed', detail });
      },
    ).catch((err: unknown) => {
      job.reject(err instanceof Error ? err : new Error(String(err)));
    }).finally(() => {
      if (this.running === job) this.running = undefined;
      this.pump();
    });
  }

  private settle(job: Job, outcome: Outcome): void {
    if (job.uri === null || job.gen !== this.gen) {
      job.resolve(outcome);
      return;
    }
    if (!outcome.skipped) this.reportedFailure.delete(job.uri);
    const inflight = this.inflight.get(job.uri);
    if (inflight && inflight.version === job.version) this.inflight.delete(job.uri);
    job.resolve(this.finish(job.uri, outcome));
  }

  private finish(uri: string, outcome: Outcome): Outcome {
    const latest = this.outcomes.get(uri);
    // Keep the newest version's result (an older one may finish after a newer one when it could not be stopped).
    if (!latest || latest.gen !== this.gen || latest.version <= outcome.version) this.outcomes.set(uri, { ...outcome, gen: this.gen });
    this.onDidAnalyse(uri, outcome);
    return outcome;
  }

  /** A closed document: its analyses are dropped. */
  forget(uri: string): void {
    this.outcomes.delete(uri);
    this.inflight.delete(uri);
    this.reportedTooLarge.delete(uri);
    this.reportedFailure.delete(uri);
    const queued = this.queue.get(uri);
    if (queued) {
      queued.reject(new Superseded(uri, queued.version));
      this.queue.delete(uri);
    }
    if (this.running?.uri === uri) this.stop();
  }

  dispose(): void {
    for (const job of this.queue.values()) job.reject(new Superseded(job.key, job.version));
    this.queue.clear();
    this.runner.dispose();
  }
}
