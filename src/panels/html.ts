// The panel's HTML shell: a strict Content Security Policy, a fresh nonce per render, and only the bundle
// from dist/ (no remote loads). Pure, so the policy is unit-tested.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface ShellParts {
  /** webview.cspSource: the origin VS Code serves localResourceRoots from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    // Nothing is allowed unless listed below: no fetch/XHR/WebSocket (connect-src), no frames, no fonts from afar.
    "default-src 'none'",
    // Only our bundle, marked with this render's nonce. No 'unsafe-eval': uPlot and our code need none.
    `script-src 'nonce-${nonce}'`,
    // Relaxation: the stylesheet from dist/ (cspSource) — uPlot's CSS and ours, emitted by esbuild. The nonce
    // admits the one inline <style> below that paints the background before the stylesheet loads (no flash).
    // No 'unsafe-inline': uPlot sizes its elements through element.style (CSSOM), which CSP does not block.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    // Relaxation: images from our own resources, and blob: for the one image the page makes itself: the PNG
    // export rasterises the plots' SVG (built here from the PlotSpecs) at print resolution through a blob URL.
    // No data: and nothing remote.
    `img-src ${cspSource} blob:`,
    // Relaxation: the editor font VS Code exposes through --vscode-editor-font-family may be a webview resource.
    `font-src ${cspSource}`,
  ].join('; ');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function panelHtml(p: ShellParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(p.title)}</title>
<link rel="stylesheet" href="${esc(p.styleUri)}">
<style nonce="${p.nonce}">body { background: var(--vscode-editor-background); }</style>
</head>
<body>
<main id="app" aria-live="off"></main>
<p id="status-line" role="status" aria-live="polite"></p>
<script nonce="${p.nonce}" src="${esc(p.scriptUri)}"></script>
</body>
</html>`;
}
