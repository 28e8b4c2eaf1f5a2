// What loading the extension costs the extension host: requiring dist/extension.js must not load the
// TypeScript compiler (the analyzer runs in the language server), vscode-languageclient (loaded right after
// activation, from its own bundle) or esbuild (sweeps load it when they run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '../..');
const bundle = join(root, 'dist/extension.js');

const child = String.raw`
const Module = require('node:module');
const deep = (name) => new Proxy(function () {}, {
  get: (_t, p) => (p === 'then' ? undefined : p === Symbol.iterator ? function* () {} : p === Symbol.toPrimitive ? () => name : deep(name + '.' + String(p))),
  apply: () => deep(name + '()'),
  construct: () => deep('new ' + name),
});
const load = Module._load;
// (an object whose prototype is the proxy: esbuild's __toESM copies own keys, and inherits the rest)
const vscode = Object.create(deep('vscode'));
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
require(process.argv[1]);
console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/](typescript|esbuild)[\\/]/.test(k))));
`;

test('requiring the extension bundle loads neither TypeScript nor esbuild', { skip: existsSync(bundle) ? false : 'dist/extension.js not built (npm run build)' }, () => {
  const r = spawnSync(process.execPath, ['-e', child, bundle], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), []);
});

test('the extension host bundle holds neither the analyzer nor the language client: each has its own, loaded later', { skip: existsSync(bundle) ? false : 'dist/extension.js not built (npm run build)' }, () => {
  const sources = (file: string) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
  const host = sources(bundle);
  const offending = host.filter((s) => /node_modules\/(typescript|vscode-languageclient|vscode-languageserver|vscode-jsonrpc)\/|src\/analyzer\/(index|collect|layers)\.ts/.test(s));
  assert.deepEqual(offending, []);
  // ...and the language server's main thread does not hold the analyzer either: its analysis thread loads it.
  const server = sources(join(root, 'dist/server.js'));
  assert.deepEqual(server.filter((s) => /node_modules\/typescript\/|src\/analyzer\/index\.ts/.test(s)), []);
  assert.ok(sources(join(root, 'dist/languageClient.js')).some((s) => s.includes('node_modules/vscode-languageclient/')));
});
