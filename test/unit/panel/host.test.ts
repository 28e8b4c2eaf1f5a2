// The host side of the panel without VS Code: a minimal fake `vscode` module records what the panel does.
// Checks the ready handshake, live trial batching, SP/muP joining one panel, the webview's actions
// (reveal, export, copy, write setting), malformed messages, and restore after a reload.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { HostMessage, WebviewMessage } from '../../../src/protocol/webview';
import { coordFixture, MUP_SWEEP, range, SP_LAWS, SP_SWEEP, sweepTrials } from './fixtures';

const ws = mkdtempSync(join(tmpdir(), 'mup-host-'));
after(() => rmSync(ws, { recursive: true, force: true }));
writeFileSync(join(ws, 'model.ts'), 'line 1\nline 2\n  const out = tf.layers.dense({units: 10});\n');

type Listener<T> = (e: T) => void;
class Emitter<T> {
  private ls: Array<Listener<T>> = [];
  event = (l: Listener<T>) => {
    this.ls.push(l);
    return { dispose: () => (this.ls = this.ls.filter((x) => x !== l)) };
  };
  fire(e: T) {
    for (const l of [...this.ls]) l(e);
  }
}

interface FakePanel {
  viewType: string;
  title: string;
  posted: HostMessage[];
  html: string;
  send(m: WebviewMessage | unknown): Promise<void>;
  dispose(): void;
}

const state = {
  panels: [] as FakePanel[],
  opened: [] as Array<{ path: string; line: number }>,
  warnings: [] as string[],
  clipboard: '',
  saveTo: undefined as string | undefined,
  written: new Map<string, Buffer>(),
  config: {} as Record<string, unknown>,
  serializer: undefined as undefined | { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> },
  commands: new Map<string, () => unknown>(),
  executed: [] as Array<{ id: string; args: unknown[] }>,
};

const uri = (p: string) => ({ fsPath: p, path: p, toString: () => `file://${p}` });

function makePanel(viewType: string): FakePanel & Record<string, unknown> {
  const msg = new Emitter<unknown>();
  const disposed = new Emitter<void>();
  const p = {
    viewType,
    title: '',
    posted: [] as HostMessage[],
    html: '',
    webview: {
      options: {},
      cspSource: 'vscode-resource:',
      set html(v: string) {
        p.html = v;
      },
      asWebviewUri: (u: { path: string }) => uri(u.path),
      postMessage: (m: HostMessage) => {
        p.posted.push(m);
        return Promise.resolve(true);
      },
      onDidReceiveMessage: msg.event,
    },
    onDidDispose: disposed.event,
    reveal: () => undefined,
    async send(m: unknown) {
      msg.fire(m);
      // let the async handler run to completion
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    },
    dispose: () => disposed.fire(),
  };
  Object.defineProperty(p.webview, 'html', { set: (v: string) => (p.html = v), get: () => p.html });
  return p as unknown as FakePanel & Record<string, unknown>;
}

const fakeVscode = {
  Uri: { file: uri, joinPath: (b: { path: string }, ...s: string[]) => uri(join(b.path, ...s)) },
  ViewColumn: { One: 1, Beside: -2 },
  ConfigurationTarget: { Global: 1, Workspace: 2 },
  Range: class {
    constructor(public sl: number, public sc: number, public el: number, public ec: number) {}
  },
  window: {
    createWebviewPanel: (viewType: string) => {
      const p = makePanel(viewType);
      state.panels.push(p);
      return p;
    },
    registerWebviewPanelSerializer: (_t: string, s: typeof state.serializer) => {
      state.serializer = s;
      return { dispose() {} };
    },
    showWarningMessage: (m: string) => state.warnings.push(m),
    showInformationMessage: (m: string) => state.warnings.push(m),
    showErrorMessage: (m: string) => state.warnings.push(m),
    showSaveDialog: async () => (state.saveTo ? uri(state.saveTo) : undefined),
    showTextDocument: async (doc: { path: string }, o: { selection: { sl: number } }) => {
      state.opened.push({ path: doc.path, line: o.selection.sl + 1 });
    },
    showQuickPick: async () => undefined,
  },
  workspace: {
    workspaceFolders: [{ uri: uri(ws) }],
    fs: {
      stat: async (u: { fsPath: string }) => {
        readFileSync(u.fsPath);
        return {};
      },
      writeFile: async (u: { fsPath: string }, b: Uint8Array) => {
        state.written.set(u.fsPath, Buffer.from(b));
      },
    },
    openTextDocument: async (u: { fsPath: string }) => {
      const lines = readFileSync(u.fsPath, 'utf8').split('\n');
      return {
        path: u.fsPath,
        lineCount: lines.length,
        lineAt: (i: number) => ({ text: lines[i], firstNonWhitespaceCharacterIndex: lines[i].length - lines[i].trimStart().length }),
      };
    },
    asRelativePath: (u: { fsPath: string } | string) => (typeof u === 'string' ? u : u.fsPath).replace(ws + '/', ''),
    getConfiguration: () => ({
      get: (k: string) => state.config[k],
      update: async (k: string, v: unknown) => {
        state.config[k] = v;
      },
    }),
  },
  env: { clipboard: { writeText: async (t: string) => void (state.clipboard = t) } },
  commands: {
    registerCommand: (id: string, f: () => unknown) => {
      state.commands.set(id, f);
      return { dispose() {} };
    },
    executeCommand: async (id: string, ...args: unknown[]) => {
      state.executed.push({ id, args });
      return id === 'mupLens.transferHyperparameters' ? { transfers: true, written: `${ws}/model.mlp.w4096.transfer.json` } : undefined;
    },
  },
};

// Route `require('vscode')` (the panel modules are CommonJS under tsx) to the fake.
const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
const origLoad = M._load;
M._load = function (req: string, ...rest: unknown[]) {
  return req === 'vscode' ? fakeVscode : origLoad.call(this, req, ...rest);
};
const panels = require('../../../src/panels') as typeof import('../../../src/panels');
const log = { info() {}, warn() {}, error() {} };
panels.registerPanel({ extensionUri: uri('/ext'), subscriptions: [] } as never, log as never);

const meta = { title: 'mlp', modelFile: 'model.ts', exportName: 'mlp', parametrization: 'sp' as const };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('panel host', () => {
  beforeEach(() => {
    state.opened = [];
    state.warnings = [];
  });

  it('posts nothing before the webview says ready, then the whole view', async () => {
    const result = coordFixture(SP_LAWS);
    panels.showCoordResult(result, meta);
    const p = state.panels.at(-1)!;
    assert.equal(p.viewType, 'mupLens.results');
    assert.match(p.html, /script-src 'nonce-[A-Za-z0-9]+'/);
    assert.match(p.title, /muP coord: mlp \(SP\)/);
    assert.equal(p.posted.length, 0);
    await p.send({ type: 'panel/ready' });
    assert.equal(p.posted.length, 1);
    assert.equal(p.posted[0].type, 'coord/show');
    // the same model+parametrization reuses the panel
    panels.showCoordResult(result, meta);
    assert.equal(state.panels.at(-1), p);
    assert.equal(p.posted.length, 2);
  });

  it('opens the layer definition the webview asks for, relative to the workspace', async () => {
    const p = state.panels.at(-1)!;
    await p.send({ type: 'panel/reveal', layer: 'readout', file: 'model.ts', line: 3 });
    assert.deepEqual(state.opened, [{ path: join(ws, 'model.ts'), line: 3 }]);
    await p.send({ type: 'panel/reveal', layer: 'gone', file: 'moved.ts', line: 1 });
    assert.match(state.warnings[0], /cannot find moved\.ts \(layer gone\)/);
  });

  it('ignores malformed messages instead of failing', async () => {
    const p = state.panels.at(-1)!;
    const before = p.posted.length;
    await p.send({ type: 'panel/steal' });
    await p.send('panel/ready');
    await p.send({ type: 'panel/reveal', layer: 'x', file: 42, line: 'x' });
    assert.equal(p.posted.length, before);
    assert.match(state.warnings[0], /no source location for layer x/);
  });

  it('saves exports where the user picks, PNG decoded from its data URL, and answers by id', async () => {
    const p = state.panels.at(-1)!;
    state.saveTo = join(ws, 'plot.png');
    await p.send({ type: 'panel/export', id: 7, format: 'png', suggestedName: 'plot.png', data: 'data:image/png;base64,' + Buffer.from('PNGDATA').toString('base64') });
    assert.equal(state.written.get(join(ws, 'plot.png'))!.toString(), 'PNGDATA');
    assert.deepEqual(p.posted.at(-1), { type: 'panel/response', id: 7, ok: true, message: 'Saved plot.png.' });
    await p.send({ type: 'panel/export', id: 8, format: 'png', suggestedName: 'x.png', data: 'not a png' });
    assert.deepEqual(p.posted.at(-1), { type: 'panel/response', id: 8, ok: false, message: 'Export failed: the plot did not produce a PNG.' });
    state.saveTo = undefined;
    await p.send({ type: 'panel/export', id: 9, format: 'csv', suggestedName: 'x.csv', data: 'a,b\n' });
    assert.equal((p.posted.at(-1) as { message: string }).message, 'Export cancelled.');
  });

  it('streams a live sweep in batches, puts muP beside SP, and marks it done with the result', async () => {
    const sp = panels.showSweep({ ...meta, parametrization: 'sp' });
    const p = state.panels.at(-1)!;
    const trials = sweepTrials(SP_SWEEP, [64, 128], range(-10, -4), 2);
    sp.addTrial(trials[0]); // before ready: kept, sent with the snapshot
    await p.send({ type: 'panel/ready' });
    const snap = p.posted.at(-1) as Extract<HostMessage, { type: 'sweep/show' }>;
    assert.equal(snap.type, 'sweep/show');
    assert.equal(snap.view.runs[0].trials.length, 1);
    for (const t of trials.slice(1)) sp.addTrial(t);
    await wait(150);
    const batches = p.posted.filter((m) => m.type === 'sweep/trials') as Array<Extract<HostMessage, { type: 'sweep/trials' }>>;
    assert.equal(batches.reduce((a, b) => a + b.trials.length, 0), trials.length - 1);
    assert.ok(batches.length <= 2, `batched into ${batches.length} messages`);

    const mup = panels.showSweep({ ...meta, parametrization: 'mup' });
    assert.equal(state.panels.at(-1), p, 'the muP sweep of the same model joins the SP panel');
    const both = p.posted.at(-1) as Extract<HostMessage, { type: 'sweep/show' }>;
    assert.deepEqual(both.view.runs.map((r) => r.meta.parametrization), ['sp', 'mup']);
    assert.equal(both.view.runs[0].trials.length, trials.length);
    for (const t of sweepTrials(MUP_SWEEP, [64], [-8], 1)) mup.addTrial(t);
    mup.setStatus('cancelled', 'by the user');
    const last = p.posted.slice(-2);
    assert.equal(last[0].type, 'sweep/trials', 'pending trials are flushed before the status');
    assert.deepEqual(last[1], { type: 'sweep/status', parametrization: 'mup', status: 'cancelled', message: 'by the user' });
    sp.setResult({ trials, optimum: [], shiftOctaves: 0, transfers: true, reused: 0 });
    assert.deepEqual(p.posted.at(-1), { type: 'sweep/status', parametrization: 'sp', status: 'done' });
  });

  it('starts a sweep panel at the target width it is given (mupLens.sweep.targetWidth); a join without one keeps it', async () => {
    const m2 = { ...meta, modelFile: 'wide.ts', title: 'wide' };
    const sp = panels.showSweep({ ...m2, parametrization: 'sp' }, { targetWidth: 2048 });
    const p = state.panels.at(-1)!;
    await p.send({ type: 'panel/ready' });
    const shown = () => p.posted.filter((m) => m.type === 'sweep/show').at(-1) as Extract<HostMessage, { type: 'sweep/show' }>;
    assert.equal(shown().view.targetWidth, 2048);
    panels.showSweep({ ...m2, parametrization: 'mup' });
    assert.equal(state.panels.at(-1), p);
    assert.equal(shown().view.targetWidth, 2048, 'joined without a target width: kept');
    panels.showSweep({ ...m2, parametrization: 'mup' }, { targetWidth: 0 });
    assert.equal(shown().view.targetWidth, 2048, '0 (the setting default) is no target width');
    panels.showSweep({ ...m2, parametrization: 'mup' }, { targetWidth: 512 });
    assert.equal(shown().view.targetWidth, 512);
    // the engine's report goes to the webview whole: its recommended target width is the panel's default
    const trials = sweepTrials(SP_SWEEP, [64], [-8], 1);
    sp.setResult({ trials, optimum: [], shiftOctaves: 0, transfers: true, reused: 0, recommended: { targetWidth: 512 } });
    const res = p.posted.find((m) => m.type === 'sweep/result') as Extract<HostMessage, { type: 'sweep/result' }>;
    assert.equal(res.result.recommended?.targetWidth, 512);
  });

  it('copies and writes the recommended LR to the workspace setting', async () => {
    const p = state.panels.at(-1)!;
    await p.send({ type: 'panel/copy', id: 1, text: '0.00391' });
    assert.equal(state.clipboard, '0.00391');
    await p.send({ type: 'panel/writeSetting', id: 2, modelFile: 'model.ts', exportName: 'mlp', parametrization: 'mup', lr: 0.00390625, targetWidth: 4096 });
    assert.deepEqual(state.config.recommendedLearningRates, { 'model.ts#mlp': { lr: 0.003906, targetWidth: 4096, parametrization: 'mup' } });
    assert.match((p.posted.at(-1) as { message: string }).message, /workspace setting mupLens\.recommendedLearningRates\["model\.ts#mlp"\]/);
    await p.send({ type: 'panel/writeSetting', id: 3, modelFile: 'model.ts', exportName: 'mlp', parametrization: 'mup', lr: -1, targetWidth: 4096 });
    assert.deepEqual(p.posted.at(-1), { type: 'panel/response', id: 3, ok: false, message: 'the learning rate to write is not a positive number' });
  });

  it('opens a stored run given by path (no quick pick), and says when a path is not a run', async () => {
    const dir = join(ws, '.mup', 'coord', 'model-mlp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ ...coordFixture(SP_LAWS), meta: { modelFile: 'other.ts', exportName: 'mlp2', parametrization: 'sp' } }));
    const n = state.panels.length;
    await (state.commands.get('mupLens.openResults') as (t: string) => Promise<void>)(join(dir, 'result.json'));
    assert.equal(state.panels.length, n + 1);
    assert.match(state.panels.at(-1)!.title, /muP coord: mlp2 \(SP\)/);
    await (state.commands.get('mupLens.openResults') as (t: string) => Promise<void>)(join(ws, 'model.ts'));
    assert.match(state.warnings.at(-1)!, /is not a stored run/);
    const st = (state.commands.get('mupLens._panelState') as () => Array<{ key: string; kind: string }>)();
    assert.ok(st.some((p) => p.kind === 'coord' && p.key === 'coord:other.ts#mlp2:sp'));
  });

  it('after a window reload, restores the view from the webview state; a running sweep becomes interrupted', async () => {
    const restored = makePanel('mupLens.results');
    const view = { kind: 'sweep', targetWidth: 512, runs: [{ meta: { ...meta }, trials: sweepTrials(SP_SWEEP, [64], [-8], 1), result: null, status: 'running' }] };
    await state.serializer!.deserializeWebviewPanel(restored, { view });
    assert.match(restored.html, /webview\.js/);
    await restored.send({ type: 'panel/ready' });
    const shown = restored.posted[0] as Extract<HostMessage, { type: 'sweep/show' }>;
    assert.equal(shown.view.runs[0].status, 'interrupted');
    assert.equal(shown.view.targetWidth, 512);
    assert.equal(shown.view.runs[0].trials.length, 1);
  });

  it('"Transfer to the target width" runs the transfer command on the muP run\'s store; its result shows in that panel', async () => {
    const m3 = { ...meta, modelFile: 'hp.ts', title: 'hp' };
    panels.showSweep({ ...m3, parametrization: 'sp', storeDir: `${ws}/.mup/sweeps/hp.sp` });
    panels.showSweep({ ...m3, parametrization: 'mup', storeDir: `${ws}/.mup/sweeps/hp.mup` });
    const p = state.panels.at(-1)!;
    await p.send({ type: 'panel/ready' });
    await p.send({ type: 'panel/transfer', id: 7, targetWidth: 4096, verify: true });
    assert.deepEqual(state.executed.at(-1), { id: 'mupLens.transferHyperparameters', args: [{ storeDir: `${ws}/.mup/sweeps/hp.mup`, targetWidth: 4096, askTarget: true, verify: true }] });
    assert.deepEqual(p.posted.at(-1), { type: 'panel/response', id: 7, ok: true, message: 'Wrote model.mlp.w4096.transfer.json.' });
    await p.send({ type: 'panel/transfer', id: 8, targetWidth: 1.5, verify: false });
    assert.deepEqual(p.posted.at(-1), { type: 'panel/response', id: 8, ok: false, message: 'the target width must be a positive whole number' });
    // what the command shows: posted to the panel whose run is stored there, and kept for a restore
    panels.showTransfer(`${ws}/.mup/sweeps/hp.mup`, { targetWidth: 4096, verify: true, status: 'running' });
    assert.deepEqual(p.posted.at(-1), { type: 'sweep/transfer', transfer: { targetWidth: 4096, verify: true, status: 'running' } });
    const st = (state.commands.get('mupLens._panelState') as () => Array<{ key: string }>)();
    assert.ok(st.some((x) => x.key === 'sweep:hp.ts#mlp'));
  });
});
