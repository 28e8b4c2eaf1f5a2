// Diagnostics on open and as you type (debounced by `mupLens.lintDelayMs`), cleared on close, recomputed for
// every open document when the settings change. Each diagnostic carries `source: 'muP'` and `code: {value: rule,
// target: docs}`, which the code action provider keys on.
import * as vscode from 'vscode';
import { KeyedDebouncer } from './debounce';
import { toDiagnostics, type PlainDiagnostic } from './mapping';
import { isLintable, type LanguageService } from './service';

const SEVERITY: Record<PlainDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The settings that change what the diagnostics say (the other `mupLens.*` settings belong to other features). */
const LINT_SETTINGS = ['mupLens.rules', 'mupLens.baseWidth', 'mupLens.lintDelayMs'];

export function toVsRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class DiagnosticsController implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('muP');
  private readonly debouncer = new KeyedDebouncer<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lintedEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; version: number; count: number }>();
  /** Fires after a document's diagnostics were set (for tests and other features). */
  readonly onDidLint = this.lintedEmitter.event;
  /** Documents waiting for a full re-lint (activation, settings change), linted one per event-loop turn. */
  private readonly queue = new Map<string, vscode.TextDocument>();
  private pump: NodeJS.Immediate | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly service: LanguageService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.collection,
      this.lintedEmitter,
      vscode.workspace.onDidOpenTextDocument((doc) => this.lintNow(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.lintSoon(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (LINT_SETTINGS.some((k) => e.affectsConfiguration(k))) {
          this.service.reloadSettings();
          this.lintAllOpen();
        }
      }),
    );
    // The document that activated the extension is already open: lint it (and the others) right after
    // activation, not inside it, so that loading the analyzer does not count as activation time.
    this.debouncer.schedule('*', 0, () => this.lintAllOpen());
  }

  /**
   * Re-lints every open document, visible ones first, one per event-loop turn: a window that restores many
   * tabs (or a settings change) does not freeze the host for all of them at once.
   */
  lintAllOpen(): void {
    const visible = new Set((vscode.window.visibleTextEditors ?? []).map((e) => e.document.uri.toString()));
    const docs = vscode.workspace.textDocuments.filter((d) => isLintable(d));
    docs.sort((a, b) => Number(visible.has(b.uri.toString())) - Number(visible.has(a.uri.toString())));
    for (const doc of docs) this.queue.set(doc.uri.toString(), doc);
    this.pump ??= setImmediate(() => this.lintQueued());
  }

  private lintQueued(): void {
    this.pump = undefined;
    const next = this.queue.values().next();
    if (next.done) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    this.queue.delete(next.value.uri.toString());
    if (!next.value.isClosed) this.lintNow(next.value);
    this.pump = setImmediate(() => this.lintQueued());
  }

  /** Resolves once no full re-lint is pending (for tests). */
  whenIdle(): Promise<void> {
    if (this.queue.size === 0 && !this.pump) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  lintSoon(doc: vscode.TextDocument): void {
    if (!isLintable(doc)) return;
    const key = doc.uri.toString();
    this.debouncer.schedule(key, this.service.settings.lintDelayMs, () => {
      // The document object stays current; it may have been closed meanwhile.
      if (!doc.isClosed) this.lintNow(doc);
    });
  }

  lintNow(doc: vscode.TextDocument): void {
    if (!isLintable(doc)) return;
    try {
      this.debouncer.cancel(doc.uri.toString());
      this.queue.delete(doc.uri.toString());
      const outcome = this.service.analysisFor(doc);
      const plain = toDiagnostics(outcome.result.findings, this.service.settings, (rule) => this.service.ruleDocUrl(rule));
      const diagnostics = plain.map((d) => this.toDiagnostic(d));
      this.collection.set(doc.uri, diagnostics);
      this.lintedEmitter.fire({ uri: doc.uri, version: doc.version, count: diagnostics.length });
    } catch (err) {
      // Never into the host: a bad finding (or a bug here) costs this document its diagnostics, nothing more.
      this.log.error(`diagnostics for ${doc.uri.toString()} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private toDiagnostic(d: PlainDiagnostic): vscode.Diagnostic {
    const diag = new vscode.Diagnostic(toVsRange(d.range), d.message, SEVERITY[d.severity]);
    diag.source = d.source;
    diag.code = { value: d.rule, target: vscode.Uri.parse(d.docUrl) };
    return diag;
  }

  private clear(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    this.queue.delete(key);
    this.collection.delete(doc.uri);
    this.service.forget(doc);
  }

  dispose(): void {
    this.debouncer.dispose();
    if (this.pump) clearImmediate(this.pump);
    this.queue.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    for (const d of this.disposables) d.dispose();
  }
}
