// What a run saves (issue 23.4): the model's file and the local files it imports, transitively, and no other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localImportClosure, relativeSpecifiers } from '../../../src/commands/localImports';

const files: Record<string, string> = {
  '/w/mlp/sp.ts': "import * as tf from '@tensorflow/tfjs';\nimport { block } from './layers.js';\nexport const x = require('../shared/util');",
  '/w/mlp/layers.ts': "export { a } from './deep';\nimport type { T } from './types';",
  '/w/mlp/deep/index.ts': 'export const a = 1;',
  '/w/mlp/types.ts': "import { back } from './sp';",
  '/w/shared/util.js': 'module.exports = 1;',
  '/w/gpt/sp.ts': "import { block } from '../mlp/layers';",
};

test('the closure follows relative imports (./x.js names x.ts, folders their index) and leaves other files out', () => {
  const got = localImportClosure('/w/mlp/sp.ts', (f) => files[f]).sort();
  assert.deepEqual(got, ['/w/mlp/deep/index.ts', '/w/mlp/layers.ts', '/w/mlp/sp.ts', '/w/mlp/types.ts', '/w/shared/util.js']);
  assert.ok(!got.includes('/w/gpt/sp.ts'));
});

test('specifiers: packages are not local; dynamic imports and re-exports are', () => {
  assert.deepEqual(relativeSpecifiers("import a from 'tfjs'; export * from './b'; await import('../c.js'); import './d';"), ['./b', '../c.js', './d']);
});
