// The VS Code command without VS Code: a minimal fake `vscode` module records what the command shows.
// The check itself runs for real in the worker process (tiny widths, cpu backend).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import type { CoordCommandResult } from '../../../src/commands/coordCheck';

const models = join(__dirname, '../../fixtures/models');
const storage = mkdtempSync(join(tmpdir(), 'mup-coordcmd-'));
after(() => rmSync(storage, { recursive: true, force: true }));

type Shown = { level: 'error' | 'warning' | 'info'; text: string; actions: string[] };
const state = {
  trusted: true,
  shown: [] as Shown[],
  answer: undefined as string | undefined,
  opened: [] as { file: string; line: number }[],
  progress: [] as string[],
  config: {} as Record<string, unknown>,
  commands: new Map<string, (...a: unknown[]) => unknown>(),
  status: { text: '', tooltip: '', visible: false, history: [] as string[] },
  cancelAfterFirstProgress: false,
  /** Press Cancel at the first progress message that matches. */
  cancelAt: null as RegExp | null,
};

const uri = (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` });
const show = (level: Shown['level']) => (text: string, ...actions: string[]) => {
  state.shown.push({ level, text, actions });
  return Promise.resolve(state.answer && actions.includes(state.answer) ? state.answer : undefined);
};

const fakeVscode = {
  Uri: { file: uri, parse: (s: string) => uri(s.replace(/^file:\/\//, '')) },
  Position: class {
    constructor(public line: number, public character: number) {}
  },
  Range: class {
    constructor(public start: { line: number }, public end: unknown) {}
  },
  ProgressLocation: { Notification: 15 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  window: {
    createStatusBarItem: () => {
      const item = {
        name: '',
        set text(v: string) {
          state.status.text = v;
          state.status.history.push(v);
        },
        get text() {
          return state.status.text;
        },
        get tooltip() {
          return state.status.tooltip;
        },
        set tooltip(v: string) {
          state.status.tooltip = v;
        },
        show: () => void (state.status.visible = true),
        hide: () => void (state.status.visible = false),
        dispose: () => undefined,
      };
      return item;
    },
    showErrorMessage: show('error'),
    showWarningMessage: show('warning'),
    showInformationMessage: show('info'),
    showQuickPick: async () => undefined,
    activeTextEditor: undefined,
    showTextDocument: async (doc: { fsPath: string }, o: { selection: { start: { line: number } } }) => {
      state.opened.push({ file: doc.fsPath, line: o.selection.start.line + 1 });
    },
    withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) => {
      const listeners: (() => void)[] = [];
      const token = { onCancellationRequested: (l: () => void) => (listeners.push(l), { dispose: () => undefined }) };
      const progress = {
        report: (r: { message?: string }) => {
          state.progress.push(r.message ?? '');
          if (state.cancelAfterFirstProgress || (state.cancelAt && state.cancelAt.test(r.message ?? ''))) {
            state.cancelAt = null;
            for (const l of listeners) l();
          }
        },
      };
      return task(progress, token);
    },
  },
  workspace: {
    get isTrusted() {
      return state.trusted;
    },
    textDocuments: [],
    getWorkspaceFolder: () => undefined,
    asRelativePath: (p: string | { fsPath: string }) => (typeof p === 'string' ? p : p.fsPath),
    getConfiguration: () => ({ get: (k: string) => state.config[k] }),
    openTextDocument: async (u: { fsPath: string }) => ({ fsPath: u.fsPath, lineAt: () => ({ range: { end: 0 } }) }),
  },
  env: { openExternal: async () => true },
  commands: {
    registerCommand: (id: string, f: (...a: unknown[]) => unknown) => {
      state.commands.set(id, f);
      return { dispose() {} };
    },
    executeCommand: async () => undefined,
  },
};

const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
const origLoad = M._load;
M._load = function (req: string, ...rest: unknown[]) {
  return req === 'vscode' ? fakeVscode : origLoad.call(this, req, ...rest);
};
const { registerCoordinateCheck } = require('../../../src/commands/coordCheck') as typeof import('../../../src/commands/coordCheck');
const logged: string[] = [];
const log = { info: (s: string) => logged.push(s), warn: (s: string) => logged.push(s), error: (s: string) => logged.push(s) };
const subscriptions: { dispose(): void }[] = [];
registerCoordinateCheck({ subscriptions, globalStorageUri: uri(storage) } as never, { log: log as never, factoriesOf: async () => [] });
after(() => subscriptions.forEach((d) => d.dispose()));
const run = (arg?: unknown) => state.commands.get('mupLens.runCoordinateCheck')!(arg) as Promise<CoordCommandResult | undefined>;

beforeEach(() => {
  state.shown = [];
  state.opened = [];
  state.progress = [];
  state.answer = undefined;
  state.trusted = true;
  state.cancelAfterFirstProgress = false;
  state.cancelAt = null;
  state.config = { 'coordCheck.widths': [16, 32], 'coordCheck.steps': 2, 'coordCheck.seeds': 1, 'coordCheck.backend': 'cpu', 'coordCheck.parametrization': 'sp' };
});

test('refused in an untrusted workspace, before anything runs', async () => {
  state.trusted = false;
  assert.equal(await run({ uri: `file://${join(models, 'mlp_sp.ts')}`, exportName: 'mlp' }), undefined);
  assert.deepEqual(state.shown, [{ level: 'error', text: 'muP: a coordinate check runs your model code, so it is disabled until you trust this workspace.', actions: ['Manage Workspace Trust'] }]);
  assert.deepEqual(state.progress, []);
});

test('from a CodeLens target: progress, a failing verdict with Go to layer, report on disk, backend in the status bar', async () => {
  state.answer = 'Go to layer';
  state.config = { ...state.config, 'coordCheck.widths': [32, 64, 128], 'coordCheck.steps': 3 };
  const out = await run({ uri: `file://${join(models, 'mlp_sp.ts')}`, exportName: 'mlp' });
  assert.ok(out);
  assert.ok(state.progress.includes('width 128, seed 1/1, step 3/3'), state.progress.join('|'));
  assert.deepEqual(state.status.history.slice(-2), ['$(sync~spin) muP: checking mlp', '$(pulse) muP: cpu']);
  assert.match(state.status.tooltip, /^Coordinate checks run on cpu \(workspace tfjs\)\nusing the workspace's @tensorflow\/tfjs from /);
  assert.equal(state.status.visible, true);
  const [msg] = state.shown;
  // SP is caught even at widths 32..128 (the readout grows with width once Adam has stepped).
  assert.equal(out.result.verdict.pass, false);
  assert.equal(msg.level, 'error');
  assert.match(msg.text, /^muP: mlp \(SP\): FAIL: largest \|slope\| \d\.\d\d at layer '\w+', t = \d .* at .*mlp_sp\.ts:\d+(; slope .*)?$/);
  assert.deepEqual(msg.actions, ['Go to layer', 'Open Report']);
  assert.ok(existsSync(out.reportPath));
  assert.match(readFileSync(out.reportPath, 'utf8'), /<svg /);
  assert.ok(out.reportPath.startsWith(storage));
  await new Promise((r) => setImmediate(r));
  assert.equal(state.opened[0]?.file, join(models, 'mlp_sp.ts'));
  assert.ok(logged.some((l) => /^layer\s+role/m.test(l)), 'the slopes table is in the output channel');
});

test('a factory that throws: an error notification with Go to error at the user line', async () => {
  state.answer = 'Go to error';
  const out = await run({ uri: `file://${join(models, 'throws.ts')}`, exportName: 'mlp' });
  assert.equal(out, undefined);
  assert.deepEqual(state.shown, [{ level: 'error', text: 'muP: coordinate check failed: mlp(32) threw: width 32 is too wide for this model', actions: ['Go to error'] }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(state.opened, [{ file: join(models, 'throws_helper.ts'), line: 3 }]);
});

test('bad settings and bad arguments are messages, not crashes', async () => {
  state.config = { 'coordCheck.widths': [64] };
  assert.equal(await run({ uri: `file://${join(models, 'mlp_sp.ts')}`, exportName: 'mlp' }), undefined);
  assert.match(state.shown[0].text, /^muP: mupLens\.coordCheck\.widths must be a list of at least two different positive integers/);
  state.shown = [];
  assert.equal(await run({ exportName: 3 }), undefined);
  assert.equal(state.shown[0].text, 'muP: runCoordinateCheck takes {uri: string, exportName: string}.');
  state.shown = [];
  assert.equal(await run(), undefined);
  assert.match(state.shown[0].text, /open the TypeScript or JavaScript file of your model/);
});

test('Cancel stops the worker and shows no error', async () => {
  state.cancelAfterFirstProgress = true;
  assert.equal(await run({ uri: `file://${join(models, 'mlp_sp.ts')}`, exportName: 'mlp' }), undefined);
  assert.deepEqual(state.shown, []);
  assert.ok(logged.includes('coordinate check cancelled'));
  assert.ok(state.status.history.includes('$(sync~spin) muP: checking mlp'));
  assert.ok(!state.status.text.startsWith('$(sync~spin)'), `the status bar still spins: ${state.status.text}`);
});

test('Cancel after some widths finished: the check is judged on them and says it was interrupted', async () => {
  // Two workers: one runs width 2048, the other 8, 16, 32 (a few ms each); by 2048's second step those have
  // long finished.
  state.config = { 'coordCheck.widths': [8, 16, 32, 2048], 'coordCheck.steps': 3, 'coordCheck.seeds': 1, 'coordCheck.backend': 'cpu', 'coordCheck.parametrization': 'sp' };
  state.cancelAt = /^width 2048, seed 1\/1, step 2\/3/;
  const r = await run({ uri: `file://${join(models, 'mlp_sp.ts')}`, exportName: 'mlp' });
  assert.ok(r, `a result; log: ${logged.slice(-3).join(' / ')}; progress: ${state.progress.join(' / ')}`);
  assert.deepEqual(r.result.widths, [8, 16, 32]);
  assert.equal(r.interrupted, true);
  assert.equal(state.shown.length, 1);
  assert.match(state.shown[0].text, /^muP: mlp \(SP\): (PASS|WARN|FAIL).*\(interrupted at width 2048; judged on the 3 smaller widths\)$/);
  assert.ok(!state.status.text.startsWith('$(sync~spin)'));
});
