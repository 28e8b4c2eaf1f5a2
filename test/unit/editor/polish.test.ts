// Issue 23.9: examples/ opened as a folder type-checks (its own tsconfig.json), and the rule links point at the
// repository package.json names (the packaged extension links its own docs/rules.md, which the package ships).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RULE_DOCS_PATH, RULE_DOCS_URL } from '../../../src/analyzer/ruleDocs';

const root = join(__dirname, '..', '..', '..');

test('rule links: the repository of package.json, and the docs the package ships', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string } };
  const repo = pkg.repository.url.replace(/\.git$/, '').replace(/^git\+/, '');
  assert.equal(RULE_DOCS_URL, `${repo}/blob/main/${RULE_DOCS_PATH}`);
  assert.ok(existsSync(join(root, RULE_DOCS_PATH)));
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!docs\/\*\*$/m, 'the .vsix ships docs/');
});

test('examples/ type-checks on its own tsconfig.json (as when opened as a folder)', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'examples')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
