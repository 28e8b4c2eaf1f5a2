// ESLint (flat config) for mup-lens itself: typescript-eslint with type information, promises that are never left
// floating, and the process boundaries of docs/architecture.md as import rules per folder (the folder graph and
// file sizes are checked by test/unit/architecture.test.ts).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a folder must not make at run time (`import type` stays allowed: it is erased). */
function forbid(files, patterns, message) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: patterns, message, allowTypeImports: true }] }],
    },
  };
}

const HOST = ['src/extension.ts', 'src/cli.ts', 'src/host/**', 'src/cli/**', 'src/commands/**', 'src/client/**', 'src/languageService/**', 'src/panels/**', 'src/server/**', 'src/eslint/**'];
const WORKER_SIDE = ['@tensorflow/*', '**/job', '**/job/*', '**/worker', '**/worker/*', '**/backend/*', '**/kernels', '**/kernels/*', '**/mup/*', '!**/mup/runtime-types'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.tools/**', '.mup/**', 'test/fixtures/**', 'examples/**', 'bench-results/**', 'test-results/**', 'demo-output/**', '.gl/**', '.whl/**', '.package/**', '.gpubench/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection: in the extension host that is an error nobody sees.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `import ts = require('typescript')` keeps the compiler a plain CommonJS require in the bundles.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Functions the launcher evaluates inside the page (playwright's page.evaluate).
    files: ['scripts/vscode-launcher.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests and benches load modules under fakes and by path (require after mocking `vscode`).
      '@typescript-eslint/no-require-imports': 'off',
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
    },
  },
  // The process boundaries (docs/architecture.md): the extension host and the CLI never load tfjs or worker code.
  forbid(HOST, WORKER_SIDE, 'the host side never loads tfjs or worker-side code (docs/architecture.md): send a job to the worker instead'),
  // The language server, the CLI and the ESLint plugin run outside VS Code: they never import the editor-side
  // folders (those holding a file that imports `vscode`; test/unit/architecture.test.ts finds them from the sources).
  forbid(['src/server/**', 'src/cli/**', 'src/eslint/**', 'src/languageService/**'], ['vscode', '**/client', '**/client/*', '**/commands/*', '**/panels/*', '**/extension'], 'the language server, the CLI and the ESLint plugin never import the VS Code side (src/client, src/commands, src/panels, src/extension.ts): shared pieces go to src/languageService (docs/architecture.md)'),
  // The analyzer is pure: text in, findings out.
  // (That it imports nothing else of src/ is checked by test/unit/architecture.test.ts, which resolves the paths.)
  forbid(['src/analyzer/**'], ['vscode', '@tensorflow/*', 'fs', 'node:fs', 'child_process', 'node:child_process'], 'the analyzer is pure (docs/architecture.md): no vscode, tfjs or file system'),
  // The webview bundle runs in a browser: only the protocol, the plot model and its own files.
  forbid(['webview/src/**'], ['vscode', 'node:*', '@tensorflow/*', '../../src/*', '!../../src/protocol', '!../../src/plot'], 'the webview imports only src/protocol and src/plot (docs/architecture.md)'),
  // Plain types and pure modules that both sides (and the browser) import.
  forbid(['src/protocol/**', 'src/plot/**', 'src/coord/**', 'src/sweep/**', 'src/settings/**', 'src/report/**'], ['vscode', '@tensorflow/*', 'node:fs', 'fs', 'node:child_process', '**/host/*', '**/worker/*', '**/job/*'], 'this folder is pure (docs/architecture.md)'),
);
