// The mup-lens language server: the analyzer's findings as diagnostics (rule id as `code`, its docs as
// `codeDescription`), quick fixes (the analyzer's fixes, the preferred one marked, and the suppressions),
// `source.fixAll.mup`, hovers on layer calls, the model-factory CodeLenses (when the client asks for them) and
// `mup/analysis` (./protocol.ts). Documents are synced incrementally; a change is analysed `mupLens.lintDelayMs`
// after the last keystroke, on the analysis thread (./runner.ts), and an analysis whose version went stale is
// stopped (./analyses.ts). Settings come through workspace/configuration (section `mupLens`), or the
// initialization options for clients without it. Used by `mup-lens lsp --stdio` and by the VS Code extension
// (over IPC).
import { fileURLToPath } from 'node:url';
import diff = require('fast-diff');
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  MessageType,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ruleDocUrl } from '../analyzer/ruleDocs';
import type { Finding, RuleId } from '../analyzer/types';
import { DEFAULT_MAX_CHARS, type DocumentSnapshot } from '../languageService/analysisCache';
import { analyzeOptions, DEFAULT_SETTINGS, effectiveSeverity, parseLintSettings, type LintSettings, type RawLintSettings } from '../settings/lint';
import { KeyedDebouncer } from '../languageService/debounce';
import { isLintableDocument } from '../languageService/documents';
import { fixAll } from '../languageService/fixAll';
import { codeActionsForFinding, codeLensesForFactories, DIAGNOSTIC_SOURCE, findingForDiagnostic, problemsMessage, toDiagnostics, toRange0 } from '../languageService/mapping';
import { Analyses, type Outcome } from './analyses';
import {
  ANALYSIS_REQUEST,
  FIX_ALL_KIND,
  SETTINGS_SECTION,
  type AnalysisParams,
  type DocumentAnalysis,
  type InitializationOptions,
} from '../protocol/lsp';
import type { AnalysisRunner, RunnerLog } from './runner';

const SEVERITY: Record<'error' | 'warning' | 'info', DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** How long the first lint waits for the client's settings before it goes on with the defaults. */
const SETTINGS_TIMEOUT_MS = 3000;

export interface ServerOptions {
  /** Where analyses run; called once, at initialize, with the client's code cache folder. */
  createRunner(log: RunnerLog, data: { codeCacheDir?: string }): AnalysisRunner;
}

/** A message to the client that may fail when the connection is gone: nothing to do about it then. */
function quiet(p: Promise<unknown>): void {
  p.catch(() => {});
}

/** `kind` asked for by `only` (a kind covers its sub-kinds: `source` covers `source.fixAll.mup`). */
function asked(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

/** The file name of a document URI as the analyzer sees it (it picks the parse mode from the extension). */
export function fileNameOf(uri: string): string {
  try {
    if (uri.startsWith('file:')) return fileURLToPath(uri);
  } catch {
    // fall through: the URI's path
  }
  const m = /^[a-z][\w+.-]*:(?:\/\/[^/]*)?(.*)$/i.exec(uri);
  return decodeURIComponent(m ? m[1] : uri);
}

function schemeOf(uri: string): string {
  return /^([a-z][\w+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? 'file';
}

function lintable(doc: TextDocument): boolean {
  return isLintableDocument({ languageId: doc.languageId, scheme: schemeOf(doc.uri), path: fileNameOf(doc.uri).replace(/\\/g, '/') });
}

function snapshot(doc: TextDocument): DocumentSnapshot {
  return { uri: doc.uri, version: doc.version, fileName: fileNameOf(doc.uri), languageId: doc.languageId, getText: () => doc.getText() };
}

/** The findings as shown: the settings' severities (rules turned off left out). */
function shown(findings: readonly Finding[], settings: LintSettings): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const severity = effectiveSeverity(f.rule, f.severity, settings);
    if (severity !== null) out.push(severity === f.severity ? f : { ...f, severity });
  }
  return out;
}

/** Edits that turn `before` into `after` (a character diff, so that the cursor and unchanged text stay put). */
export function editsBetween(doc: TextDocument, after: string): TextEdit[] {
  const edits: TextEdit[] = [];
  let offset = 0;
  let pending: { start: number; end: number; newText: string } | undefined;
  const flush = () => {
    if (pending) edits.push({ range: { start: doc.positionAt(pending.start), end: doc.positionAt(pending.end) }, newText: pending.newText });
    pending = undefined;
  };
  for (const [op, text] of diff(doc.getText(), after, undefined, true)) {
    if (op === diff.EQUAL) {
      flush();
      offset += text.length;
    } else if (op === diff.DELETE) {
      pending ??= { start: offset, end: offset, newText: '' };
      pending.end += text.length;
      offset += text.length;
    } else {
      pending ??= { start: offset, end: offset, newText: '' };
      pending.newText += text;
    }
  }
  flush();
  return edits;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const documents = new TextDocuments(TextDocument);
  const log: RunnerLog = {
    info: (m) => connection.console.info(m),
    warn: (m) => connection.console.warn(m),
    error: (m) => connection.console.error(m),
  };
  let settings: LintSettings = DEFAULT_SETTINGS;
  let init: InitializationOptions = {};
  let analyses: Analyses | undefined;
  let runner: AnalysisRunner | undefined;
  let canPullSettings = false;
  let canRegisterConfiguration = false;
  let documentChanges = false;
  let lastProblems = '';
  let settingsReady: Promise<void> = Promise.resolve();
  /** The version first seen on open: its onDidChangeContent (fired on open too) is linted at once, not debounced. */
  const opened = new Map<string, number>();
  const debouncer = new KeyedDebouncer<string>();

  const docUrl = (rule: RuleId) => (init.docsUrl ? ruleDocUrl(rule, init.docsUrl) : ruleDocUrl(rule));

  function publish(uri: string, outcome: Outcome): void {
    const diagnostics: Diagnostic[] = toDiagnostics(outcome.result.findings, settings, docUrl).map((d) => ({
      range: d.range,
      severity: SEVERITY[d.severity],
      source: DIAGNOSTIC_SOURCE,
      code: d.rule,
      codeDescription: { href: d.docUrl },
      message: d.message,
    }));
    // A document not analysed must not look clean in an editor that shows only diagnostics (issue 20 item 8).
    if (outcome.skipped === 'too-large') {
      const chars = documents.get(uri)?.getText().length;
      diagnostics.push({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        message: `not checked for muP: ${chars === undefined ? 'the file' : `${chars} characters`} is more than the ${DEFAULT_MAX_CHARS} analysed as you type; run \`mup-lens lint\` on it`,
      });
    }
    quiet(connection.sendDiagnostics({ uri, version: outcome.version, diagnostics }));
  }

  function onDidAnalyse(uri: string, outcome: Outcome): void {
    const doc = documents.get(uri);
    // A stale version (the document changed while it was analysed) is not shown: its ranges are of older text.
    if (doc && doc.version === outcome.version) publish(uri, outcome);
  }

  function lint(uri: string): void {
    debouncer.cancel(uri);
    void settingsReady.then(() => {
      const doc = documents.get(uri);
      if (!doc || !analyses || !lintable(doc)) return;
      analyses.get(snapshot(doc)).catch(() => {
        // superseded by a newer version, whose own lint is on its way
      });
    });
  }

  function lintAll(): void {
    for (const doc of documents.all()) lint(doc.uri);
  }

  function republishAll(): void {
    for (const doc of documents.all()) {
      const outcome = analyses?.peek(doc.uri, doc.version);
      if (outcome) publish(doc.uri, outcome);
    }
  }

  function applySettings(raw: RawLintSettings | undefined): void {
    const { settings: next, problems } = parseLintSettings(raw ?? {});
    const joined = problems.join('\n');
    if (joined && joined !== lastProblems) {
      for (const p of problems) log.warn(p);
      quiet(
        connection.sendNotification(ShowMessageNotification.type, {
          type: MessageType.Warning,
          message: `muP settings: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, see the muP output)` : ''}`,
        }),
      );
    }
    lastProblems = joined;
    const before = settings;
    settings = next;
    if (!analyses) return;
    if (JSON.stringify(analyzeOptions(before)) !== JSON.stringify(analyzeOptions(next)) || analyses.getOptions().baseWidth === undefined) {
      analyses.setOptions(analyzeOptions(next));
      lintAll();
    } else {
      // Severities only: the same analyses, published again.
      republishAll();
    }
  }

  async function pullSettings(): Promise<RawLintSettings | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        connection.workspace.getConfiguration({ section: SETTINGS_SECTION }) as Promise<RawLintSettings | null>,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => {
            log.warn(`the client did not answer workspace/configuration within ${SETTINGS_TIMEOUT_MS} ms: default settings until it does`);
            resolve(undefined);
          }, SETTINGS_TIMEOUT_MS);
        }),
      ]) ?? undefined;
    } catch (err) {
      log.warn(`could not read the ${SETTINGS_SECTION} settings: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  connection.onInitialize((params): InitializeResult => {
    init = (params.initializationOptions ?? {}) as InitializationOptions;
    const caps = params.capabilities;
    canPullSettings = !!caps.workspace?.configuration;
    canRegisterConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    documentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
    runner = options.createRunner(log, { codeCacheDir: init.codeCacheDir });
    analyses = new Analyses(runner, log, onDidAnalyse);
    // Until the client's settings are in: the initialization options (clients without workspace/configuration).
    applySettings(init.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        codeLensProvider: init.codeLens ? { resolveProvider: false } : undefined,
      },
      serverInfo: { name: 'mup-lens', version: serverVersion() },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) quiet(connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }));
    if (canPullSettings) {
      settingsReady = pullSettings().then((raw) => {
        if (raw !== undefined) applySettings(raw);
      });
    }
  });

  connection.onDidChangeConfiguration((params) => {
    if (canPullSettings) {
      void pullSettings().then((raw) => {
        if (raw !== undefined) applySettings(raw);
      });
    } else {
      const pushed = (params.settings as Record<string, unknown> | null)?.[SETTINGS_SECTION] as RawLintSettings | undefined;
      if (pushed !== undefined) applySettings(pushed);
    }
  });

  documents.onDidOpen((e) => {
    opened.set(e.document.uri, e.document.version);
    lint(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (opened.get(uri) === e.document.version) return; // the open itself, linted above
    opened.delete(uri);
    if (!lintable(e.document)) return;
    debouncer.schedule(uri, settings.lintDelayMs, () => lint(uri));
  });
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    debouncer.cancel(uri);
    opened.delete(uri);
    analyses?.forget(uri);
    quiet(connection.sendDiagnostics({ uri, diagnostics: [] }));
  });

  /** The analysis of the document's current version, or undefined when it changed meanwhile (or is not ours). */
  async function current(uri: string): Promise<{ doc: TextDocument; outcome: Outcome } | undefined> {
    await settingsReady;
    const doc = documents.get(uri);
    if (!doc || !analyses || !lintable(doc)) return undefined;
    const version = doc.version;
    try {
      const outcome = await analyses.get(snapshot(doc));
      return doc.version === version ? { doc, outcome } : undefined;
    } catch {
      return undefined; // superseded
    }
  }

  function workspaceEdit(doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
    return documentChanges
      ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] }
      : { changes: { [doc.uri]: edits } };
  }

  connection.onCodeAction(async (params, token) => {
    const only = params.context.only;
    const quickFixes = asked(only, CodeActionKind.QuickFix);
    const fixAllAsked = only !== undefined && asked(only, FIX_ALL_KIND);
    const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (!fixAllAsked && (!quickFixes || ours.length === 0)) return [];
    const got = await current(params.textDocument.uri);
    if (!got || token.isCancellationRequested) return [];
    const { doc, outcome } = got;
    const text = doc.getText();
    const actions: CodeAction[] = [];
    if (quickFixes) {
      // The error's fix first and the only preferred one (VS Code preselects the first preferred action): a
      // warning's fix on the same line must not be applied ahead of the error's by Ctrl+. Enter.
      const sorted = [...ours].sort((a, b) => (a.severity ?? 1) - (b.severity ?? 1));
      const topSeverity = sorted[0]?.severity ?? 1;
      for (const diagnostic of sorted) {
        const finding = findingForDiagnostic(outcome.result.findings, diagnostic.code, diagnostic.range);
        if (!finding) continue; // from another version: its fixes would not apply
        for (const plain of codeActionsForFinding(finding, text)) {
          actions.push({
            title: plain.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: plain.isPreferred && (diagnostic.severity ?? 1) === topSeverity,
            edit: workspaceEdit(doc, plain.edits.map((e) => ({ range: e.range, newText: e.newText }))),
          });
        }
      }
      // "Fix all muP problems" in the lightbulb too (as ESLint's "Fix all auto-fixable problems"), when the file
      // has more than one fixable problem; the same edit as the source action.
      const fixable = outcome.result.findings.filter((f) => f.fixes.length > 0).length;
      if (fixable >= 2 && actions.length > 0 && !outcome.skipped) {
        const all = await fixAllAction(doc, text, outcome.result.findings, token);
        if (all) actions.push({ ...all, kind: CodeActionKind.QuickFix });
      }
    }
    if (fixAllAsked && !outcome.skipped && outcome.result.findings.length > 0) {
      const all = await fixAllAction(doc, text, outcome.result.findings, token);
      if (all) actions.push(all);
    }
    return actions;
  });

  /** "Fix all muP problems (N fixes)" as a source.fixAll.mup action; null when nothing applies or it is stale. */
  async function fixAllAction(doc: TextDocument, text: string, findings: Finding[], token: CancellationToken): Promise<CodeAction | null> {
    const version = doc.version;
    const fixed = await fixAll(text, async (t) =>
      shown(t === text ? findings : (await analyses!.analyzeText(t, fileNameOf(doc.uri), doc.languageId)).findings, settings),
    ).catch(() => undefined);
    if (!fixed || fixed.applied === 0 || doc.version !== version || token.isCancellationRequested) return null;
    return {
      title: `Fix all muP problems (${fixed.applied} ${fixed.applied === 1 ? 'fix' : 'fixes'})`,
      kind: FIX_ALL_KIND,
      edit: workspaceEdit(doc, editsBetween(doc, fixed.text)),
    };
  }

  connection.onHover(async (params, token): Promise<Hover | null> => {
    const got = await current(params.textDocument.uri);
    if (!got || got.outcome.skipped || !runner || token.isCancellationRequested) return null;
    const hover = await runner
      .hover(got.outcome.result.layers, params.position.line + 1, params.position.character + 1, settings.baseWidth)
      .catch(() => null);
    // The whole text of a finding here whose Problems line was shortened (problemsMessage): the why, in the hover.
    const line = params.position.line + 1;
    const col = params.position.character + 1;
    const detail = got.outcome.result.findings
      .filter((f) => (f.line < line || (f.line === line && f.column <= col)) && (f.endLine > line || (f.endLine === line && f.endColumn >= col)))
      .filter((f) => problemsMessage(f.message) !== f.message && effectiveSeverity(f.rule, f.severity, settings) !== null)
      .map((f) => `**${f.rule}**: ${f.message}`)
      .join('\n\n');
    if (!hover && !detail) return null;
    const markdown = [hover?.markdown, detail].filter(Boolean).join('\n\n---\n\n');
    const value = init.themeIcons ? markdown : markdown.replace(/\$\(warning\)/g, '\u26a0');
    return { contents: { kind: 'markdown', value }, ...(hover ? { range: toRange0(hover.layer) } : {}) };
  });

  connection.onCodeLens(async (params): Promise<CodeLens[]> => {
    if (!init.codeLens) return [];
    const got = await current(params.textDocument.uri);
    if (!got) return [];
    // The findings as the Problems view shows them (severities of the settings, rules turned off left out).
    const shownFindings = got.outcome.result.findings.flatMap((f) => {
      const severity = effectiveSeverity(f.rule, f.severity, settings);
      return severity === null ? [] : [{ ...f, severity }];
    });
    return codeLensesForFactories(got.outcome.result.factories, got.doc.uri, shownFindings).map((l) => ({
      range: l.range,
      command: { title: l.title, command: l.command, arguments: l.arguments, ...(l.tooltip ? { tooltip: l.tooltip } : {}) },
    }));
  });

  connection.onRequest(ANALYSIS_REQUEST, async (params: AnalysisParams): Promise<DocumentAnalysis | null> => {
    const uri = params?.textDocument?.uri;
    if (typeof uri !== 'string') return null;
    const doc = documents.get(uri);
    if (doc) {
      if (!lintable(doc)) return { uri, version: doc.version, findings: [], layers: [], factories: [], skipped: 'excluded' };
      const got = await current(uri);
      if (!got) return null;
      const r = got.outcome.result;
      return { uri, version: got.outcome.version, findings: shown(r.findings, settings), layers: r.layers, factories: r.factories, skipped: got.outcome.skipped };
    }
    if (typeof params.text !== 'string' || !analyses) return null;
    await settingsReady;
    const languageId = params.languageId ?? (/\.tsx$/i.test(uri) ? 'typescriptreact' : /\.jsx$/i.test(uri) ? 'javascriptreact' : /\.[mc]?js$/i.test(uri) ? 'javascript' : 'typescript');
    const r = await analyses.analyzeText(params.text, fileNameOf(uri), languageId);
    return { uri, version: null, findings: shown(r.findings, settings), layers: r.layers, factories: r.factories };
  });

  connection.onShutdown(() => {
    debouncer.dispose();
    analyses?.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

function serverVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
