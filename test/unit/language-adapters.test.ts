// The thin VS Code adapters, driven through a small fake of the `vscode` module (the real extension host is the
// integration tier's): diagnostics follow open/type/close and settings, quick fixes link to their diagnostics,
// hovers describe the layer under the cursor, CodeLenses wait for workspace trust. The analyzer is the real one.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as analyzer from '../../src/analyzer';
import type { AnalyzerApi } from '../../src/language/analyzerApi';

// ---- a fake of the parts of the vscode API the adapters use -------------------------------------------------
type Listener<T> = (e: T) => void;
class EventEmitter<T> {
  private ls: Listener<T>[] = [];
  event = (l: Listener<T>) => {
    this.ls.push(l);
    return { dispose: () => (this.ls = this.ls.filter((x) => x !== l)) };
  };
  fire(e: T) {
    for (const l of [...this.ls]) l(e);
  }
  dispose() {
    this.ls = [];
  }
}
class Position {
  constructor(public line: number, public character: number) {}
}
class Range {
  start: Position;
  end: Position;
  constructor(a: number, b: number, c: number, d: number) {
    this.start = new Position(a, b);
    this.end = new Position(c, d);
  }
}
class Uri {
  path: string;
  constructor(private s: string, public scheme = s.split(':')[0]) {
    this.path = s.replace(/^[a-z-]+:(\/\/[^/]*)?/, '');
  }
  static parse(s: string) {
    return new Uri(s);
  }
  static file(p: string) {
    return new Uri(`file://${p}`);
  }
  toString() {
    return this.s;
  }
}
class Diagnostic {
  source?: string;
  code?: { value: string; target: Uri };
  constructor(public range: Range, public message: string, public severity: number) {}
}
class Kind {
  constructor(public value: string) {}
  intersects(other: Kind) {
    return this.value.startsWith(other.value) || other.value.startsWith(this.value);
  }
}
class WorkspaceEdit {
  edits: Array<{ uri: Uri; range: Range; newText: string }> = [];
  replace(uri: Uri, range: Range, newText: string) {
    this.edits.push({ uri, range, newText });
  }
}
class CodeAction {
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  edit?: WorkspaceEdit;
  constructor(public title: string, public kind: Kind) {}
}
class MarkdownString {
  supportThemeIcons = false;
  constructor(public value: string) {}
}
class Hover {
  constructor(public contents: MarkdownString, public range: Range) {}
}
class CodeLens {
  constructor(public range: Range, public command: { title: string; command: string; arguments: unknown[] }) {}
}

interface FakeDoc {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  isClosed: boolean;
  text: string;
  getText(): string;
}

const events = {
  open: new EventEmitter<FakeDoc>(),
  change: new EventEmitter<{ document: FakeDoc; contentChanges: unknown[] }>(),
  close: new EventEmitter<FakeDoc>(),
  config: new EventEmitter<{ affectsConfiguration(k: string): boolean }>(),
  trust: new EventEmitter<void>(),
};
const collection = new Map<string, Diagnostic[]>();
const config: Record<string, unknown> = {};
const shown: string[] = [];
const fakeVscode = {
  EventEmitter, Position, Range, Uri, Diagnostic, CodeAction, WorkspaceEdit, MarkdownString, Hover, CodeLens,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  CodeActionKind: { QuickFix: new Kind('quickfix'), Refactor: new Kind('refactor') },
  languages: {
    createDiagnosticCollection: () => ({
      set: (uri: Uri, d: Diagnostic[]) => collection.set(uri.toString(), d),
      delete: (uri: Uri) => collection.delete(uri.toString()),
      dispose() {},
    }),
  },
  workspace: {
    textDocuments: [] as FakeDoc[],
    isTrusted: false,
    onDidOpenTextDocument: events.open.event,
    onDidChangeTextDocument: events.change.event,
    onDidCloseTextDocument: events.close.event,
    onDidChangeConfiguration: events.config.event,
    onDidGrantWorkspaceTrust: events.trust.event,
    getConfiguration: () => ({ get: (k: string) => config[k] }),
  },
  window: {
    visibleTextEditors: [] as Array<{ document: FakeDoc }>,
    showErrorMessage: async (m: string) => void shown.push(m),
    showWarningMessage: async (m: string) => void shown.push(m),
  },
};
const load = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
(Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fakeVscode : load.call(this, request, ...rest);
};

/* eslint-disable @typescript-eslint/no-require-imports */
const { LanguageService } = require('../../src/language/service') as typeof import('../../src/language/service');
const { DiagnosticsController } = require('../../src/language/diagnostics') as typeof import('../../src/language/diagnostics');
const { MupCodeActionProvider } = require('../../src/language/codeActions') as typeof import('../../src/language/codeActions');
const { MupHoverProvider } = require('../../src/language/hover') as typeof import('../../src/language/hover');
const { MupCodeLensProvider } = require('../../src/language/codeLens') as typeof import('../../src/language/codeLens');
const { loadAnalyzer } = require('../../src/language') as typeof import('../../src/language');
/* eslint-enable @typescript-eslint/no-require-imports */

// ---- fixtures ------------------------------------------------------------------------------------------------
const root = join(__dirname, '..', '..');
const spText = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
const logLines: string[] = [];
const log = new Proxy({}, { get: (_t, level: string) => (m: string) => logLines.push(`${level} ${m}`) }) as never;
let docCount = 0;

function makeDoc(text: string, languageId = 'typescript', scheme = 'file', name = `/ws/model${docCount++}.ts`): FakeDoc {
  const doc: FakeDoc = {
    uri: new Uri(scheme === 'file' ? `file://${name}` : `${scheme}:Untitled-${docCount}`), fileName: scheme === 'file' ? name : `Untitled-${docCount}`,
    languageId, version: 1, isClosed: false, text, getText: () => doc.text,
  };
  return doc;
}

function setup(loadAnalyzer: () => AnalyzerApi = () => analyzer) {
  collection.clear();
  const service = new LanguageService(log, root, loadAnalyzer);
  const diagnostics = new DiagnosticsController(service, log);
  return { service, diagnostics, dispose: () => { diagnostics.dispose(); service.dispose(); } };
}

const rulesOf = (uri: Uri) => (collection.get(uri.toString()) ?? []).map((d) => `${d.code?.value}@${d.range.start.line + 1}`);

// ---- tests ---------------------------------------------------------------------------------------------------
test('diagnostics: on open, debounced while typing, cleared on close', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const { service, dispose } = setup();
  try {
    const doc = makeDoc(spText);
    events.open.fire(doc);
    assert.deepEqual(rulesOf(doc.uri), ['mup/init-fan-avg@12', 'mup/init-fan-avg@15', 'mup/readout-not-scaled@15']);
    const d = collection.get(doc.uri.toString())!.find((x) => x.code?.value === 'mup/readout-not-scaled')!;
    assert.equal(d.source, 'muP');
    assert.equal(d.severity, fakeVscode.DiagnosticSeverity.Error);
    assert.match(d.code!.target.toString(), /rules\.md#mupreadout-not-scaled$/);

    // Typing: nothing until the user pauses for mupLens.lintDelayMs (250 by default).
    doc.text = spText.replace("tf.layers.dense({ units: OUT_DIM, name: 'readout' }),", "tf.layers.dense({ units: OUT_DIM, name: 'readout' }),\n      tf.layers.rescaling({ scale: 64 / width }),");
    doc.version = 2;
    events.change.fire({ document: doc, contentChanges: [{}] });
    mock.timers.tick(100);
    assert.ok(rulesOf(doc.uri).includes('mup/readout-not-scaled@15'), 'still the old diagnostics');
    doc.version = 3;
    events.change.fire({ document: doc, contentChanges: [{}] });
    const before = service.cache.analyses;
    mock.timers.tick(249);
    assert.equal(service.cache.analyses, before);
    mock.timers.tick(1);
    assert.equal(service.cache.analyses, before + 1, 'one analysis for the pause');
    assert.ok(!rulesOf(doc.uri).some((r) => r.startsWith('mup/readout-not-scaled')), 'the rescaling fixed the readout');

    events.close.fire(doc);
    assert.equal(collection.has(doc.uri.toString()), false);
  } finally {
    dispose();
    mock.timers.reset();
  }
});

test('diagnostics: settings changes re-lint open documents (severity, off, base width)', async () => {
  const { diagnostics, dispose } = setup();
  try {
    const doc = makeDoc(spText);
    fakeVscode.workspace.textDocuments = [doc];
    events.open.fire(doc);
    config.rules = { 'mup/init-fan-avg': 'off', 'mup/readout-not-scaled': 'warning' };
    config.baseWidth = 128;
    events.config.fire({ affectsConfiguration: (k) => k === 'mupLens.rules' || k === 'mupLens.baseWidth' });
    await diagnostics.whenIdle();
    const diags = collection.get(doc.uri.toString())!;
    assert.deepEqual(diags.map((d) => d.code?.value), ['mup/readout-not-scaled']);
    assert.equal(diags[0].severity, fakeVscode.DiagnosticSeverity.Warning);
    assert.match(diags[0].message, /128/);

    config.rules = { 'mup/readout-not-scaled': 'loud' };
    events.config.fire({ affectsConfiguration: (k) => k === 'mupLens.rules' });
    assert.ok(shown.some((m) => /mupLens\.rules\["mup\/readout-not-scaled"\]: "loud" is not one of/.test(m)), 'the user is told');
  } finally {
    delete config.rules;
    delete config.baseWidth;
    fakeVscode.workspace.textDocuments = [];
    dispose();
  }
});

test('diagnostics: other languages, schemes and node_modules are left alone; untitled TS is linted', () => {
  const { dispose } = setup();
  try {
    const py = makeDoc(spText, 'python');
    const git = makeDoc(spText, 'typescript', 'git');
    const untitled = makeDoc(spText, 'typescript', 'untitled');
    const library = makeDoc(spText, 'javascript', 'file', '/ws/node_modules/some-lib/model.js');
    for (const d of [py, git, untitled, library]) events.open.fire(d);
    assert.equal(collection.has(library.uri.toString()), false);
    assert.equal(collection.has(py.uri.toString()), false);
    assert.equal(collection.has(git.uri.toString()), false);
    assert.equal(rulesOf(untitled.uri).length, 3);
  } finally {
    dispose();
  }
});

test('an analyzer that fails to load is reported once and breaks nothing', () => {
  const { dispose } = setup(() => {
    throw new Error('Cannot find module dist/analyzer.js');
  });
  try {
    shown.length = 0;
    const a = makeDoc(spText);
    const b = makeDoc(spText);
    events.open.fire(a);
    events.open.fire(b);
    assert.deepEqual(rulesOf(a.uri), []);
    assert.equal(shown.filter((m) => m.includes('could not load the analyzer')).length, 1);
    const hover = new MupHoverProvider(new LanguageService(log, root, () => { throw new Error('x'); }), log);
    assert.equal(hover.provideHover(a as never, new Position(14, 20) as never), undefined);
  } finally {
    dispose();
  }
});

test('quick fixes: linked to their diagnostic, preferred fix marked, edits on the document', () => {
  const { service, dispose } = setup();
  try {
    const doc = makeDoc(spText);
    events.open.fire(doc);
    const diags = collection.get(doc.uri.toString())!;
    const provider = new MupCodeActionProvider(service, log);
    const foreign = Object.assign(new Diagnostic(new Range(0, 0, 0, 1), 'x', 0), { source: 'eslint', code: 'no-undef' });
    const readout = diags.find((d) => d.code?.value === 'mup/readout-not-scaled')!;
    const before = service.cache.analyses;
    const actions = provider.provideCodeActions(doc as never, readout.range as never, { diagnostics: [readout, foreign], only: undefined, triggerKind: 1 } as never) as unknown as CodeAction[];
    assert.equal(service.cache.analyses, before, 'no re-analysis for the same version');
    assert.deepEqual(actions.map((a) => [a.title.replace(/ \(.*/, ''), !!a.isPreferred]), [
      ['Insert tf.layers.rescaling({ scale: 64 / width }) after the readout', true],
      ['Suppress mup/readout-not-scaled for this line', false],
      ['Suppress mup/readout-not-scaled for this file', false],
    ]);
    for (const a of actions) {
      assert.deepEqual(a.diagnostics, [readout]);
      assert.equal(a.kind.value, 'quickfix');
      assert.ok(a.edit!.edits.length > 0 && a.edit!.edits.every((e) => e.uri === doc.uri));
    }
    const refactorOnly = provider.provideCodeActions(doc as never, readout.range as never, { diagnostics: [readout], only: new Kind('refactor'), triggerKind: 1 } as never);
    assert.deepEqual(refactorOnly, []);
    // A diagnostic from an older version whose range no longer holds a finding: no stale edits.
    const stale = Object.assign(new Diagnostic(new Range(2, 0, 2, 5), 'old', 0), { source: 'muP', code: { value: 'mup/readout-not-scaled', target: Uri.parse('x:y') } });
    assert.deepEqual(provider.provideCodeActions(doc as never, stale.range as never, { diagnostics: [stale], only: undefined, triggerKind: 1 } as never), []);
  } finally {
    dispose();
  }
});

test('hover on a layer call: the readout says how muP wants it scaled; elsewhere no hover', () => {
  const { service, dispose } = setup();
  try {
    const doc = makeDoc(spText);
    const lines = spText.split('\n');
    const line = lines.findIndex((l) => l.includes("name: 'readout'"));
    const hover = new MupHoverProvider(service, log).provideHover(doc as never, new Position(line, lines[line].indexOf('OUT_DIM')) as never) as unknown as Hover;
    assert.ok(hover);
    assert.match(hover.contents.value, /readout/);
    assert.match(hover.contents.value, /64\/width/);
    assert.equal(hover.contents.supportThemeIcons, true);
    assert.equal(lines[hover.range.start.line].slice(hover.range.start.character).startsWith('tf.layers.dense({ units: OUT_DIM'), true);
    assert.equal(new MupHoverProvider(service, log).provideHover(doc as never, new Position(0, 3) as never), undefined);
  } finally {
    dispose();
  }
});

test('CodeLenses only in a trusted workspace, refreshed when trust is granted', () => {
  const { service, dispose } = setup();
  const lenses = new MupCodeLensProvider(service, log);
  try {
    const doc = makeDoc(spText);
    fakeVscode.workspace.isTrusted = false;
    assert.deepEqual(lenses.provideCodeLenses(doc as never), []);
    let refreshed = 0;
    lenses.onDidChangeCodeLenses(() => refreshed++);
    fakeVscode.workspace.isTrusted = true;
    events.trust.fire();
    assert.equal(refreshed, 1);
    const shownLenses = lenses.provideCodeLenses(doc as never) as unknown as CodeLens[];
    assert.deepEqual(shownLenses.map((l) => [l.range.start.line + 1, l.command.title, l.command.command, l.command.arguments]), [
      [9, '$(beaker) Coordinate check', 'mupLens.runCoordinateCheck', [{ uri: doc.uri.toString(), exportName: 'mlp' }]],
      [9, 'LR sweep', 'mupLens.runSweep', [{ uri: doc.uri.toString(), exportName: 'mlp' }]],
    ]);
    config.codeLens = false;
    events.config.fire({ affectsConfiguration: (k) => k === 'mupLens.codeLens' });
    assert.equal(refreshed, 2);
    assert.deepEqual(lenses.provideCodeLenses(doc as never), []);
  } finally {
    delete config.codeLens;
    fakeVscode.workspace.isTrusted = false;
    lenses.dispose();
    dispose();
  }
});

test('loadAnalyzer(): one shared analyzer for host code, loaded on first use (here from source, no bundle)', () => {
  const a = loadAnalyzer();
  assert.equal(loadAnalyzer(), a);
  const r = a.analyze(spText, '/ws/shared.ts');
  assert.deepEqual(r.factories.filter((f) => f.exported).map((f) => f.name), ['mlp']);
});

test('a full re-lint goes visible documents first, one per event-loop turn', async () => {
  const { diagnostics, dispose } = setup();
  try {
    const docs = [0, 1, 2, 3].map(() => makeDoc(spText));
    fakeVscode.workspace.textDocuments = docs;
    fakeVscode.window.visibleTextEditors = [{ document: docs[2] }];
    const order: string[] = [];
    diagnostics.onDidLint((e) => order.push(e.uri.toString()));
    diagnostics.lintAllOpen();
    assert.deepEqual(order, [], 'nothing synchronously');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [docs[2].uri.toString()], 'the visible one, alone in the first turn');
    docs[3].isClosed = true;
    await diagnostics.whenIdle();
    assert.deepEqual(order, [docs[2], docs[0], docs[1]].map((d) => d.uri.toString()), 'then the others; a closed one is skipped');
  } finally {
    fakeVscode.workspace.textDocuments = [];
    fakeVscode.window.visibleTextEditors = [];
    dispose();
  }
});
