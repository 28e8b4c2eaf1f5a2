// The webview shell's security: strict CSP, fresh nonce, nothing remote; and the protocol guard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../src/panels/html';
import { isWebviewMessage } from '../../../src/protocol/webview';

const parts = (nonce: string) => ({
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  nonce,
  title: 'muP <coord>',
});

describe('panel HTML', () => {
  it("denies everything by default and allows scripts only by this render's nonce", () => {
    const csp = contentSecurityPolicy('vscode-src', 'abc123');
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], ["'nonce-abc123'"]);
    assert.deepEqual(directives['style-src'], ['vscode-src', "'nonce-abc123'"]);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('*'));
    assert.equal(directives['connect-src'], undefined);
  });

  it('uses a fresh nonce per render on every script and inline style', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    const html = panelHtml(parts(a));
    const scripts = html.match(/<script[^>]*>/g)!;
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${a}"`));
    assert.ok(html.includes(`<style nonce="${a}">`));
  });

  it('loads only the bundle from dist and escapes the title', () => {
    const html = panelHtml(parts(makeNonce()));
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(urls.map((u) => u.split('/').pop()), ['webview.css', 'webview.js']);
    assert.ok(html.includes('<title>muP &lt;coord&gt;</title>'));
    assert.ok(html.includes('id="app"') && html.includes('role="status"'));
  });
});

describe('webview message guard', () => {
  it('accepts the protocol messages and rejects anything else', () => {
    assert.ok(isWebviewMessage({ type: 'panel/ready' }));
    assert.ok(isWebviewMessage({ type: 'panel/reveal', layer: 'x', file: 'a.ts', line: 3 }));
    for (const bad of [null, 1, 'panel/ready', {}, { type: 'coord/show' }, { type: 'panel/evil' }]) assert.equal(isWebviewMessage(bad), false);
  });
});
