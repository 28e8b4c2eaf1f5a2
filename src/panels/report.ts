// "Open Report": the HTML report of a check or sweep in an editor tab (a webview), never a `file://` path of the
// extension host handed to the client's browser (issue 23.3: in code-server, Remote-SSH and Codespaces that path
// is on another machine, and openExternal of it did nothing or worse). The reports are self-contained (inline SVG
// and styles, their own CSP with `default-src 'none'`); the webview runs no script and loads nothing.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

export const REPORT_VIEW_TYPE = 'mupLens.report';

const open = new Map<string, vscode.WebviewPanel>();

/** Shows the report at `file` (reuses its tab); a missing or unreadable file is said in one line. */
export function openReport(file: string, title?: string): vscode.WebviewPanel | undefined {
  let html: string;
  try {
    html = readFileSync(file, 'utf8');
  } catch (err) {
    void vscode.window.showErrorMessage(`muP: cannot open the report ${basename(file)}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const tabTitle = title ?? `muP report: ${basename(dirname(file))}`;
  let panel = open.get(file);
  if (!panel) {
    panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, tabTitle, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: false,
      enableFindWidget: true,
      localResourceRoots: [],
    });
    const created = panel;
    open.set(file, created);
    created.onDidDispose(() => {
      if (open.get(file) === created) open.delete(file);
    });
  } else {
    panel.title = tabTitle;
    panel.reveal(undefined, false);
  }
  panel.webview.html = withCsp(html);
  return panel;
}

/** The report's own CSP is kept; one is added to a report written without it (older versions). */
export function withCsp(html: string): string {
  if (/http-equiv=["']Content-Security-Policy["']/i.test(html)) return html;
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (h) => h + csp) : csp + html;
}

/** The tabs open now (for tests): file and title. */
export function openReports(): Array<{ file: string; title: string }> {
  return [...open].map(([file, p]) => ({ file, title: p.title }));
}
