// Helpers for the tests that run inside the VS Code extension host. Tests wait on events
// (diagnostics changing, activation) with a deadline, never on fixed sleeps.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, watch } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mup-lens.mup-lens';
/** The `source` of every diagnostic the extension publishes. */
export const DIAGNOSTIC_SOURCE = 'muP';

/**
 * Resolves once `predicate()` holds: checked now, then after every `event`. Rejects after `timeoutMs`
 * with `describe()` (the state it last saw) in the message, so a failure says what was there instead.
 */
export function waitFor<T>(
  event: vscode.Event<T>,
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
  describe: () => string = () => '',
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const sub = event(() => {
      let ok: boolean;
      try {
        ok = predicate();
      } catch (err) {
        done();
        reject(err);
        return;
      }
      if (ok) {
        done();
        resolve();
      }
    });
    const timer = setTimeout(() => {
      done();
      const seen = describe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`));
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
    }
  });
}

/** The rule id of a diagnostic: `code` may be a plain string or `{value, target}` (a link to the rule's docs). */
export function ruleOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (code === undefined) return '';
  return String(typeof code === 'object' ? code.value : code);
}

export function muPDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
}

const SEVERITY: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** `rule@line:severity` with a 1-based line, as in the lint JSON: the form expectations are written in. */
export function summarize(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics.map((d) => `${ruleOf(d)}@${d.range.start.line + 1}:${SEVERITY[d.severity]}`).sort();
}

/** Waits until the muP diagnostics of `uri` are exactly `expected` (in `summarize` form). */
export async function waitForDiagnostics(uri: vscode.Uri, expected: string[], timeoutMs = 20_000): Promise<void> {
  const want = [...expected].sort();
  const matches = () => JSON.stringify(summarize(muPDiagnostics(uri))) === JSON.stringify(want);
  await waitFor(
    vscode.languages.onDidChangeDiagnostics,
    matches,
    timeoutMs,
    `muP diagnostics [${want.join(', ')}] on ${uri.path.split('/').pop()}`,
    () => `[${summarize(muPDiagnostics(uri)).join(', ')}]`,
  );
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open (runTest.ts passes it to VS Code)');
  return folder.uri;
}

export function fixtureUri(name: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), name);
}

/**
 * Opens a fixture in an editor (which is what makes the extension analyse it, as for a user), checking
 * that its text is still the committed one: an earlier test's edit that got saved would shift every line.
 */
export async function openFixture(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const committed = ext && join(ext.extensionPath, 'test', 'fixtures', 'workspace', name);
  if (committed && existsSync(committed)) {
    assert.equal(doc.getText(), readFileSync(committed, 'utf8'), `${name} in the test workspace differs from ${committed} (an edit was saved?)`);
  }
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Throws away unsaved test edits, so the next test (and the next run) sees the fixture as committed. */
export async function revert(doc: vscode.TextDocument): Promise<void> {
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  assert.equal(doc.isDirty, false, `could not revert ${doc.uri.path}`);
}

/** The 1-based line of the only line of `doc` containing `text`. */
export function lineContaining(doc: vscode.TextDocument, text: string): number {
  const lines: number[] = [];
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) lines.push(i + 1);
  assert.equal(lines.length, 1, `expected exactly one line containing ${JSON.stringify(text)} in ${doc.uri.path}, found ${lines.length}`);
  return lines[0];
}

/** The extension, activated; its exports are what `activate()` returned. */
export async function activatedExtension(): Promise<vscode.Extension<{ activationMs: number }>> {
  const ext = vscode.extensions.getExtension<{ activationMs: number }>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (is extensionDevelopmentPath the repository root?)`);
  await ext.activate();
  return ext;
}

export function hoverText(hovers: readonly vscode.Hover[]): string[] {
  return hovers.map((h) =>
    h.contents
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n'),
  );
}

/**
 * Logs `line` (the console relay, codeAutomationLog, carries it to scripts/vscode-launcher.mjs) and waits
 * until the launcher has written `file` (as .tmp, then renamed: once it exists it is complete).
 */
function askLauncher(line: string, dir: string, file: string, timeoutMs: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const watcher = watch(dir, () => {
      if (existsSync(file)) finish();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`the launcher wrote no ${what} ${file} within ${timeoutMs} ms`));
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      watcher.close();
      resolve();
    }
    console.log(line);
    if (existsSync(file)) finish();
  });
}

/**
 * Asks the launcher (scripts/vscode-launcher.mjs, code-server only) to screenshot the page now, and waits
 * until the PNG is written. Returns false when no launcher is listening (VS Code desktop): nothing to wait for.
 * `waitFor`: page selectors the launcher waits for (5 s each) first; default: a squiggle and the quick-fix menu.
 */
export async function requestScreenshot(name: string, timeoutMs = 20_000, waitFor?: string[]): Promise<boolean> {
  const dir = process.env.MUP_LENS_SCREENSHOT_DIR;
  if (!dir || !existsSync(dir)) return false;
  const file = join(dir, `${name}.png`);
  rmSync(file, { force: true });
  const opts = waitFor ? ` ${JSON.stringify({ waitFor })}` : '';
  await askLauncher(`MUP_LENS_SCREENSHOT ${name}${opts}`, dir, file, timeoutMs, 'screenshot');
  return true;
}

/** What a webview drew, read from its DOM by the launcher: the `data-*` attributes of `#app` and of each `section[data-parametrization]`. */
export interface WebviewDom {
  app: Record<string, string>;
  sections: Record<string, string>[];
  /** Webview frames with an `#app[data-view]` on the page when it was read. */
  frames: number;
  /** The data attributes of each `figure[data-plot]` (data-x-ticks: the painted tick labels' boxes). */
  figures?: Record<string, string>[];
  /** Each `button[data-action]`: its action and whether it is disabled. */
  actions?: Array<{ action: string; disabled: boolean }>;
  /** Each recommendation (`.rec`): its data attributes and text. */
  recs?: Array<Record<string, string> & { text: string }>;
  /** The runs' status lines. */
  status?: string[];
  /** `#app`'s width in CSS px. */
  width?: number;
}

/**
 * Asks the launcher to read the DOM of the webview frame that matches `selector` (it waits up to 30 s for one,
 * e.g. `#app[data-view="coord"]`). Returns undefined when no launcher is listening (VS Code desktop); throws
 * with what the launcher saw when no frame matched.
 */
export async function readWebviewDom(name: string, selector: string, timeoutMs = 45_000): Promise<WebviewDom | undefined> {
  const dir = process.env.MUP_LENS_SCREENSHOT_DIR;
  if (!dir || !existsSync(dir)) return undefined;
  const file = join(dir, `${name}.dom.json`);
  rmSync(file, { force: true });
  await askLauncher(`MUP_LENS_WEBVIEW_DOM ${name} ${selector}`, dir, file, timeoutMs, 'webview DOM');
  const got = JSON.parse(readFileSync(file, 'utf8')) as WebviewDom | { error: string; seen: unknown[] };
  if ('error' in got) throw new Error(`${got.error}; webviews seen (#app data attributes): ${JSON.stringify(got.seen)}`);
  return got;
}

/** An input box as the user saw it: its title, its prompt, the text it was pre-filled with. */
export interface SeenInputBox {
  title: string;
  prompt: string;
  value: string;
}

/**
 * Answers the next input boxes with `answers`, in order, as a user would. Under code-server the launcher types them
 * into the workbench (scripts/vscode-launcher.mjs, MUP_LENS_QUICK_INPUT); on VS Code desktop (no launcher) each
 * `vscode.window.showInputBox` call gets its answer instead, after the box's own validateInput accepted it (the
 * extension and this suite share one `vscode` API object). Call it before the command that asks; `seen()` resolves
 * with what each box showed once all are answered.
 */
export function answerInputBoxes(name: string, answers: string[], timeoutMs = 60_000): { seen(): Promise<SeenInputBox[]> } {
  const dir = process.env.MUP_LENS_SCREENSHOT_DIR;
  if (dir && existsSync(dir)) {
    const file = join(dir, `${name}.input.json`);
    rmSync(file, { force: true });
    const written = askLauncher(`MUP_LENS_QUICK_INPUT ${name} ${JSON.stringify(answers)}`, dir, file, timeoutMs, 'input box answers');
    return {
      async seen() {
        await written;
        const got = JSON.parse(readFileSync(file, 'utf8')) as (SeenInputBox | { error: string })[];
        const bad = got.find((g): g is { error: string } => 'error' in g);
        if (bad) throw new Error(`${bad.error}; input boxes seen before: ${JSON.stringify(got.filter((g) => !('error' in g)))}`);
        return got as SeenInputBox[];
      },
    };
  }
  const original = vscode.window.showInputBox;
  const seen: SeenInputBox[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  (vscode.window as { showInputBox: unknown }).showInputBox = async (opts?: vscode.InputBoxOptions) => {
    const text = answers[seen.length];
    seen.push({ title: opts?.title ?? '', prompt: opts?.prompt ?? '', value: opts?.value ?? '' });
    if (seen.length >= answers.length) {
      (vscode.window as { showInputBox: unknown }).showInputBox = original;
      done();
    }
    if (text === undefined) return undefined;
    const invalid = await opts?.validateInput?.(text);
    if (invalid) throw new Error(`input box '${opts?.title}' refused '${text}': ${typeof invalid === 'string' ? invalid : invalid.message}`);
    return text;
  };
  const timer = setTimeout(() => {
    (vscode.window as { showInputBox: unknown }).showInputBox = original;
    done();
  }, timeoutMs);
  return {
    async seen() {
      await all;
      clearTimeout(timer);
      return seen;
    },
  };
}
