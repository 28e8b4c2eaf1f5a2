// What loading the extension costs the extension host: requiring dist/extension.js must not load the
// TypeScript compiler (the analyzer bundle is loaded on first lint) or esbuild (sweeps load it when they run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
