// What both commands that run a user's model do on the extension host before and around the run (the run itself is
// in worker processes, src/host): refuse in an untrusted workspace, find the target (a CodeLens argument, or the
// active editor's exported model factories from the language features' cached analysis), save the files the
// worker will read (the model and its local imports), show progress with Cancel, and offer "Go to code" on an error that points at the user's code.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Finding, ModelFactory } from '../analyzer/types';
import { describeJobError } from '../host/workerPool';
import { WorkerJobError } from '../host/workerClient';
import { localImportClosure } from './localImports';
import { planRun, writtenIn, type Setting, type Written } from '../languageService/parametrization';

/** What the commands need from the rest of the extension. */
export interface CommandDeps {
  log: vscode.LogOutputChannel;
  /** The model factories of a document (the language features' analysis of its current version). */
  factoriesOf(document: vscode.TextDocument): Promise<ModelFactory[]>;
  /** The findings of a document as its Problems show them (the same analysis). */
  findingsOf?(document: vscode.TextDocument): Promise<Finding[]>;
}

const label = (p: Written) => (p === 'mup' ? 'muP' : 'SP');

/**
 * The parametrizations to run: the one the file is written in (`auto`, from the language server's findings and
 * its imports), or the setting's, asked about first (a modal, as task.saveBeforeRun's prompt) when that would be
 * a muP run of a file with muP errors. Undefined when the user cancels. `note` is said with the result.
 */
export async function chooseParametrization(
  target: Target,
  setting: Setting,
  deps: CommandDeps,
  explicit: boolean,
): Promise<{ parametrizations: Written[]; note: string | null } | undefined> {
  const file = vscode.workspace.asRelativePath(target.uri);
  let findings: Finding[] = [];
  let text = '';
  try {
    const doc = await vscode.workspace.openTextDocument(target.uri);
    text = doc.getText();
    findings = deps.findingsOf ? await deps.findingsOf(doc) : [];
  } catch (err) {
    deps.log.warn(`cannot read the findings of ${file} (${message(err)}); running as set (${setting})`);
    if (setting === 'auto') return { parametrizations: ['mup'], note: `could not tell what ${file} is written in (${message(err)}): running it in muP` };
  }
  const w = writtenIn(text, findings);
  deps.log.info(`${file} is written in ${label(w.parametrization)}: ${w.reason}`);
  const plan = planRun(setting, file, w, explicit);
  if (plan.kind === 'run') return plan;
  const sp = 'Run in SP';
  const anyway = `Run in ${plan.asked.map(label).join(' and ')} anyway`;
  const problems = 'Show Problems';
  const a = await vscode.window.showWarningMessage(plan.question, { modal: true, detail: plan.detail }, sp, anyway, problems);
  if (a === sp) return { parametrizations: ['sp'], note: null };
  if (a === anyway) return { parametrizations: plan.asked, note: plan.detail };
  if (a === problems) await vscode.commands.executeCommand('workbench.actions.view.problems');
  return undefined;
}

export interface Target {
  uri: vscode.Uri;
  exportName: string;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** This extension's version (recorded in sweep stores and transfer files). */
export function extensionVersion(): string {
  return String((vscode.extensions.getExtension('mup-lens.mup-lens')?.packageJSON as { version?: string } | undefined)?.version ?? 'unknown');
}

/** False (and says why, with a way to change it) in an untrusted workspace: the commands run the user's code. */
export function trusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showErrorMessage(`muP: ${what} runs your model code, so it is disabled until you trust this workspace.`, manage)
    .then((a) => (a === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined))
    .then(undefined, () => undefined);
  return false;
}

function asUri(u: string | vscode.Uri): vscode.Uri {
  return typeof u !== 'string' ? u : /^([A-Za-z]:[\\/]|\/)/.test(u) ? vscode.Uri.file(u) : vscode.Uri.parse(u);
}

/**
 * The model to run: `{uri, exportName}` from a CodeLens (or a caller), else the active editor's document and its
 * exported model factory (a quick pick when there are several). Undefined, with the reason shown, when there is none.
 */
export async function pickTarget(arg: unknown, command: { name: string; title: string }, deps: CommandDeps): Promise<Target | undefined> {
  const given = (arg ?? {}) as { uri?: unknown; exportName?: unknown };
  const wellFormed =
    typeof given === 'object' &&
    (given.uri === undefined || typeof given.uri === 'string' || typeof (given.uri as vscode.Uri).fsPath === 'string') &&
    (given.exportName === undefined || (typeof given.exportName === 'string' && given.exportName !== ''));
  if (!wellFormed) {
    void vscode.window.showErrorMessage(`muP: ${command.name} takes {uri: string, exportName: string}.`);
    return undefined;
  }
  let doc: vscode.TextDocument | undefined;
  let uri: vscode.Uri;
  if (given.uri !== undefined) uri = asUri(given.uri as string | vscode.Uri);
  else {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !/^(typescript|javascript)(react)?$/.test(editor.document.languageId)) {
      void vscode.window.showErrorMessage(`muP: open the TypeScript or JavaScript file of your model to run ${command.title} on it.`);
      return undefined;
    }
    doc = editor.document;
    uri = doc.uri;
  }
  if (typeof given.exportName === 'string') return { uri, exportName: given.exportName };
  let factories: ModelFactory[];
  try {
    doc ??= await vscode.workspace.openTextDocument(uri);
    factories = (await deps.factoriesOf(doc)).filter((f) => f.exported);
  } catch (err) {
    deps.log.error(`${command.title}: cannot list the model factories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void vscode.window.showErrorMessage(`muP: cannot list the model factories of this file: ${message(err)}`);
    return undefined;
  }
  const names = [...new Set(factories.map((f) => f.name))];
  if (names.length === 0) {
    void vscode.window.showErrorMessage(
      `muP: ${basename(uri.fsPath)} exports no model factory (an exported function with a width parameter that builds tfjs layers).`,
    );
    return undefined;
  }
  if (names.length === 1) return { uri, exportName: names[0]! };
  const picked = await vscode.window.showQuickPick(
    factories.map((f) => ({ label: f.name, description: `line ${f.line}, width parameter '${f.widthParam}'` })),
    { title: `muP: ${command.title}`, placeHolder: 'Which model factory?' },
  );
  return picked ? { uri, exportName: picked.label } : undefined;
}

/**
 * The worker reads the model from disk: unsaved edits would silently not run. Saves the model's file and the
 * local files it imports (transitively), and no other: unrelated dirty files stay as they are (as a task saves
 * only what it needs). False when the target is not a file on disk.
 */
export async function saveForRun(target: Target): Promise<boolean> {
  if (target.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`muP: the model must be a file on disk (got ${target.uri.toString()}).`);
    return false;
  }
  const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [path.resolve(d.uri.fsPath), d]));
  const read = (file: string): string | undefined => {
    const doc = open.get(file);
    if (doc) return doc.getText();
    try {
      return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const needed = localImportClosure(target.uri.fsPath, read);
  for (const file of needed) {
    const d = open.get(file);
    if (d?.isDirty) await d.save();
  }
  return true;
}

/** The workspace folder of the model (where `.mup/` goes), else the model's directory. */
export function workspaceRoot(target: Target): string {
  return vscode.workspace.getWorkspaceFolder(target.uri)?.uri.fsPath ?? dirname(target.uri.fsPath);
}

/** A notification with a progress bar and Cancel; `signal` aborts when Cancel is pressed. */
export function withCancellableProgress<T>(
  title: string,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      return await task(progress, abort.signal);
    } finally {
      sub.dispose();
    }
  });
}

export async function goTo(file: string, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, doc.lineAt(pos.line).range.end) });
}

/**
 * An error notification for a failed run, with "Go to error" when it points at the user's code; logged with its
 * stack. Returns false for a cancel (nothing to show).
 */
export function reportFailure(what: string, err: unknown, log: vscode.LogOutputChannel): boolean {
  if (err instanceof WorkerJobError) {
    const e = err.error;
    if (e.kind === 'cancelled') return false;
    log.error(`${what} failed (${e.kind}): ${describeJobError(e)}${e.stack ? `\n${e.stack}` : ''}`);
    const file = e.file;
    const line = e.line;
    const actions = file && line ? ['Go to error'] : [];
    void vscode.window.showErrorMessage(`muP: ${what} failed: ${e.message}`, ...actions).then(
      (a) => (a && file && line ? goTo(file, line) : undefined),
      (err2: unknown) => log.warn(`cannot open ${file}: ${message(err2)}`),
    );
    return true;
  }
  log.error(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  void vscode.window.showErrorMessage(`muP: ${what} failed: ${message(err)}`);
  return true;
}
