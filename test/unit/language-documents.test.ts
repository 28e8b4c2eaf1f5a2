// Which documents get muP diagnostics, hovers and lenses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLintableDocument } from '../../src/languageService/documents';

test('JS/TS files on disk and untitled ones are linted', () => {
  for (const languageId of ['typescript', 'typescriptreact', 'javascript', 'javascriptreact']) {
    assert.ok(isLintableDocument({ languageId, scheme: 'file', path: '/ws/src/model.ts' }), languageId);
    assert.ok(isLintableDocument({ languageId, scheme: 'untitled', path: 'Untitled-1' }), languageId);
  }
});

test('other languages, other schemes (git diffs, output), packages and declaration files are not', () => {
  assert.ok(!isLintableDocument({ languageId: 'python', scheme: 'file', path: '/ws/model.py' }));
  assert.ok(!isLintableDocument({ languageId: 'typescript', scheme: 'git', path: '/ws/model.ts' }));
  assert.ok(!isLintableDocument({ languageId: 'typescript', scheme: 'vscode-notebook-cell', path: '/ws/nb.ipynb' }));
  assert.ok(!isLintableDocument({ languageId: 'javascript', scheme: 'file', path: '/ws/node_modules/@tensorflow/tfjs-layers/dist/tf-layers.js' }));
  assert.ok(!isLintableDocument({ languageId: 'typescript', scheme: 'file', path: '/ws/types/model.d.ts' }));
  assert.ok(!isLintableDocument({ languageId: 'typescript', scheme: 'file', path: '/ws/types/model.d.mts' }));
  assert.ok(isLintableDocument({ languageId: 'typescript', scheme: 'file', path: '/ws/my_node_modules_notes/model.ts' }));
});
