// "muP Runs" in the Explorer (issue 23.7): the stored coordinate checks, sweeps and transfers of the workspace, as
// the Testing view lists tests: each with what it concluded; a click opens it in the results panel, the inline
// actions open its report or transfer a finished muP sweep. Reads `.mup/` (src/panels/storedRuns.ts) and the
// `*.transfer.json` files written next to the models; refreshed when they change.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runInfo, type RunInfo } from './runInfo';
import { listStoredRuns } from './storedRuns';

export const RUNS_VIEW = 'mupLens.runs';

type Node =
  | { kind: 'group'; group: 'coord' | 'sweep' | 'transfer'; count: number }
  | { kind: 'run'; info: RunInfo }
  | { kind: 'transfer'; uri: vscode.Uri };

const GROUPS = { coord: 'Coordinate checks', sweep: 'LR sweeps', transfer: 'Transfers' } as const;

class RunsProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private cache: { runs: RunInfo[]; transfers: vscode.Uri[] } | null = null;

  constructor(private readonly log?: vscode.LogOutputChannel) {}

  refresh(): void {
    this.cache = null;
    this.changed.fire(undefined);
  }

  async snapshot(): Promise<{ runs: RunInfo[]; transfers: vscode.Uri[] }> {
    if (this.cache) return this.cache;
    const folders = vscode.workspace.workspaceFolders ?? [];
    // A store being written (or removed) while it is listed must not empty the view: each folder on its own.
    const runs = folders
      .flatMap((f) => {
        try {
          return listStoredRuns(path.join(f.uri.fsPath, '.mup'));
        } catch (err) {
          this.log?.warn(`stored runs of ${f.name}: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        }
      })
      .map(runInfo);
    const transfers = folders.length ? await Promise.resolve(vscode.workspace.findFiles('**/*.transfer.json', '**/node_modules/**', 200)).catch(() => []) : [];
    transfers.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    this.cache = { runs, transfers };
    return this.cache;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const { runs, transfers } = await this.snapshot();
    if (!node) {
      const count = (g: 'coord' | 'sweep') => runs.filter((r) => r.entry.kind === g).length;
      const groups: Node[] = [
        { kind: 'group', group: 'coord', count: count('coord') },
        { kind: 'group', group: 'sweep', count: count('sweep') },
        { kind: 'group', group: 'transfer', count: transfers.length },
      ];
      // Nothing stored: the view's welcome text (package.json viewsWelcome) says how to make some.
      return runs.length + transfers.length === 0 ? [] : groups.filter((g) => g.kind === 'group' && g.count > 0);
    }
    if (node.kind !== 'group') return [];
    if (node.group === 'transfer') return transfers.map((uri) => ({ kind: 'transfer', uri }));
    return runs.filter((r) => r.entry.kind === node.group).map((info) => ({ kind: 'run', info }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(GROUPS[node.group], vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.count);
      item.contextValue = `mupRuns.${node.group}s`;
      return item;
    }
    if (node.kind === 'transfer') {
      const item = new vscode.TreeItem(path.basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.None);
      item.description = vscode.workspace.asRelativePath(path.dirname(node.uri.fsPath));
      item.iconPath = new vscode.ThemeIcon('arrow-swap');
      item.resourceUri = node.uri;
      item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
      item.contextValue = 'mupRun.transfer';
      return item;
    }
    const { info } = node;
    const item = new vscode.TreeItem(info.label, vscode.TreeItemCollapsibleState.None);
    item.id = info.entry.dir;
    item.description = info.description;
    const failed = /\bfail\b|does not transfer/.test(info.description);
    const undecided = /\binconclusive\b/.test(info.description);
    item.iconPath = info.problem
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : undecided
        ? new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : !info.finished
        ? new vscode.ThemeIcon('circle-large-outline')
        : failed
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    item.tooltip = new vscode.MarkdownString(
      `**${info.entry.kind === 'coord' ? 'Coordinate check' : 'LR sweep'}** ${info.label}\n\n${info.description}\n\n\`${vscode.workspace.asRelativePath(info.entry.dir)}\`` +
        (info.entry.mtimeMs ? `\n\n${new Date(info.entry.mtimeMs).toLocaleString()}` : '') +
        (info.problem ? `\n\n${info.problem}` : ''),
    );
    item.command = { command: 'mupLens.openResults', title: 'Open Results', arguments: [info.entry.dir] };
    const flags = [info.entry.kind, info.report ? 'report' : '', info.entry.kind === 'sweep' && info.finished && info.parametrizations.includes('mup') ? 'transferable' : ''];
    item.contextValue = `mupRun.${flags.filter(Boolean).join('.')}`;
    return item;
  }
}

export interface RunsView {
  refresh(): void;
  /** What the view lists (for the host tests): group, label, description. */
  items(): Promise<Array<{ group: string; label: string; description: string }>>;
}

export function registerRunsView(context: vscode.ExtensionContext, openReport: (file: string) => unknown, log?: vscode.LogOutputChannel): RunsView {
  const provider = new RunsProvider(log);
  const view = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  let timer: NodeJS.Timeout | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => provider.refresh(), 300);
  };
  const watchers = ['**/.mup/**', '**/*.transfer.json'].map((g) => vscode.workspace.createFileSystemWatcher(g));
  for (const w of watchers) context.subscriptions.push(w, w.onDidCreate(later), w.onDidChange(later), w.onDidDelete(later));
  const runOf = (n: Node | undefined) => (n?.kind === 'run' ? n.info : undefined);
  context.subscriptions.push(
    view,
    { dispose: () => clearTimeout(timer) },
    vscode.workspace.onDidChangeWorkspaceFolders(() => provider.refresh()),
    vscode.commands.registerCommand('mupLens.runs.refresh', () => provider.refresh()),
    vscode.commands.registerCommand('mupLens.runs.openReport', (n?: Node) => {
      const r = runOf(n);
      if (r?.report) openReport(r.report);
    }),
    vscode.commands.registerCommand('mupLens.runs.transfer', (n?: Node) => {
      const r = runOf(n);
      if (r) return vscode.commands.executeCommand('mupLens.transferHyperparameters', { storeDir: r.entry.dir });
      return undefined;
    }),
    vscode.commands.registerCommand('mupLens.runs.reveal', (n?: Node) => {
      const r = runOf(n);
      if (r) return vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.entry.dir));
      return undefined;
    }),
  );
  return {
    refresh: () => provider.refresh(),
    async items() {
      provider.refresh();
      const out: Array<{ group: string; label: string; description: string }> = [];
      for (const g of await provider.getChildren()) {
        if (g.kind !== 'group') continue;
        for (const c of await provider.getChildren(g)) {
          const item = provider.getTreeItem(c);
          out.push({ group: g.group, label: String(item.label), description: String(item.description ?? '') });
        }
      }
      return out;
    },
  };
}
