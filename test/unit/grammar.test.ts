// The injection grammar that colours `@mup width=<name>` and `mup-ignore-*` directives inside JS/TS comments.
// It is loaded the way VS Code loads it (package.json `contributes.grammars[].injectTo`), injected into a minimal
// host grammar (test/fixtures) and into the real TypeScript/TSX/JS/JSX grammars VS Code ships (tm-grammars),
// and each line's tokens are checked: the annotation parts get their scopes, ordinary comments and strings none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import * as ts from 'typescript';
import { readDirectives } from '../../src/analyzer/suppress';

const root = join(__dirname, '..', '..');

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  language?: string;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { grammars: GrammarContribution[] };
};
const injection = manifest.contributes.grammars.find((g) => g.path.includes('mup-annotations'));

let onigReady: Promise<void> | undefined;
function onigLib(): Promise<vsctm.IOnigLib> {
  onigReady ??= oniguruma.loadWASM(readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer as ArrayBuffer);
  return onigReady.then(() => ({
    createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  }));
}

/** Loads `hostScope` from `hostFile` with our injection applied as VS Code applies it. */
async function loadHost(hostScope: string, hostFile: string): Promise<vsctm.IGrammar> {
  assert.ok(injection, 'package.json contributes a grammar whose path names mup-annotations');
  const registry = new vsctm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName) => {
      const file = scopeName === hostScope ? hostFile : scopeName === injection.scopeName ? join(root, injection.path) : null;
      // Embedded languages of the real grammars (CSS in template strings, ...) are not needed here.
      if (!file) return null;
      return vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
    getInjections: (scopeName) => ((injection.injectTo ?? []).includes(scopeName) ? [injection.scopeName] : undefined),
  });
  const grammar = await registry.loadGrammar(hostScope);
  assert.ok(grammar, `host grammar ${hostScope} loads`);
  return grammar;
}

interface Token {
  text: string;
  start: number;
  scopes: string[];
}

function tokenize(grammar: vsctm.IGrammar, source: string): Token[][] {
  let state = vsctm.INITIAL;
  return source.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes }));
  });
}

/**
 * The scopes of the last token on that line that is exactly `text` (fails when the text is split or merged).
 * The last, because annotations sit in trailing comments after code that may hold the same text.
 */
function scopesOf(line: Token[], text: string): string[] {
  const tok = line.filter((t) => t.text === text).at(-1);
  assert.ok(tok, `a token "${text}" in ${JSON.stringify(line.map((t) => t.text))}`);
  return tok.scopes;
}

/** The scopes at a column, whatever the token boundaries are there. */
function scopesAt(line: Token[], column: number): string[] {
  const tok = line.filter((t) => t.start <= column).at(-1);
  assert.ok(tok, `a token at column ${column}`);
  return tok.scopes;
}

function mupScopes(lines: Token[][]): string[] {
  return lines.flat().flatMap((t) => t.scopes.filter((s) => s.endsWith('.mup')).map((s) => `${t.text.trim()}:${s}`));
}

const mini = join(root, 'test/fixtures/grammars/ts-mini.tmLanguage.json');
const real = (name: string) => join(root, 'node_modules/tm-grammars/grammars', `${name}.json`);
const hosts: Array<{ label: string; scope: string; file: string }> = [
  { label: 'minimal TS host', scope: 'source.ts', file: mini },
  { label: 'TypeScript', scope: 'source.ts', file: real('typescript') },
  { label: 'TypeScript React', scope: 'source.tsx', file: real('tsx') },
  { label: 'JavaScript', scope: 'source.js', file: real('javascript') },
  { label: 'JavaScript React', scope: 'source.js.jsx', file: real('jsx') },
];

test('package.json contributes the injection for every JS/TS grammar', () => {
  assert.ok(injection);
  assert.equal(injection.scopeName, 'comment.mup.annotation.injection');
  assert.ok(existsSync(join(root, injection.path)), `${injection.path} exists`);
  assert.deepEqual([...(injection.injectTo ?? [])].sort(), ['source.js', 'source.js.jsx', 'source.ts', 'source.tsx']);
  const raw = JSON.parse(readFileSync(join(root, injection.path), 'utf8')) as { scopeName: string; injectionSelector: string };
  assert.equal(raw.scopeName, injection.scopeName);
  assert.equal(raw.injectionSelector, 'L:comment');
});

for (const host of hosts) {
  test(`${host.label}: @mup width=<name> / base=<n> at the start of line, block and doc comments`, async () => {
    const g = await loadHost(host.scope, host.file);
    const [line, block, doc, multiStart, multiMid, baseOnly] = tokenize(
      g,
      [
        'const dModel = 256; // @mup width=dModel',
        'function f(/* @mup width=cfg.nEmbd */ cfg) {}',
        '/** @mup width=hiddenSize */',
        '/*',
        ' * @mup width=d base=64',
        ' */ //@mup base=32 depth=4',
      ].join('\n'),
    );
    for (const l of [line, block, doc, multiMid]) {
      assert.ok(scopesOf(l, '@mup').includes('keyword.other.annotation.mup'));
      assert.ok(scopesOf(l, 'width').includes('variable.parameter.annotation.mup'));
      assert.ok(scopesOf(l, '=').includes('keyword.operator.assignment.mup'));
      // Still a comment for themes and for VS Code's own comment-aware features.
      assert.ok(scopesOf(l, '@mup').some((s) => s.startsWith('comment.')));
    }
    assert.ok(scopesOf(line, 'dModel').includes('variable.other.readwrite.mup'));
    assert.ok(scopesOf(block, 'cfg.nEmbd').includes('variable.other.readwrite.mup'));
    assert.ok(scopesOf(doc, 'hiddenSize').includes('variable.other.readwrite.mup'));
    assert.ok(scopesOf(multiMid, 'd').includes('variable.other.readwrite.mup'));
    assert.ok(scopesOf(multiMid, 'base').includes('variable.parameter.annotation.mup'));
    assert.ok(scopesOf(multiMid, '64').includes('constant.numeric.mup'));
    assert.ok(scopesOf(baseOnly, '@mup').includes('keyword.other.annotation.mup'));
    assert.ok(scopesOf(baseOnly, '32').includes('constant.numeric.mup'));
    // Keys the analyzer does not read stay plain comment text.
    assert.deepEqual(mupScopes([baseOnly]).filter((s) => /^(depth|4|=4)/.test(s) && !s.includes(':meta.')), []);
    assert.ok(mupScopes([baseOnly]).some((s) => s.startsWith('depth')), 'but they are inside the annotation');
    // The block comment still ends where it did: the code after `*/` is not a comment.
    const afterComment = scopesAt(block, 'function f(/* @mup width=cfg.nEmbd */ c'.length - 1);
    assert.ok(!afterComment.some((s) => s.startsWith('comment.') || s.endsWith('.mup')), 'code after */ is no comment');
    assert.deepEqual(mupScopes([multiStart]), []);
  });

  test(`${host.label}: mup-ignore-next-line / mup-ignore-file [rules] [-- reason]`, async () => {
    const g = await loadHost(host.scope, host.file);
    const [next, bare, inBlock, file, reason] = tokenize(
      g,
      [
        '  // mup-ignore-next-line mup/readout-not-scaled, mup/init-fan-avg',
        '// mup-ignore-next-line',
        '/* mup-ignore-next-line mup/attention-sqrt-scaling */ const s = 1;',
        '// mup-ignore-file mup/optimizer-global-lr',
        '//mup-ignore-next-line mup/init-constant-std -- tied to mup/init-fan-avg, see #12',
      ].join('\n'),
    );
    assert.ok(scopesOf(next, 'mup-ignore-next-line').includes('keyword.other.directive.mup'));
    assert.ok(scopesOf(next, 'mup/readout-not-scaled').includes('constant.other.rule.mup'));
    assert.ok(scopesOf(next, 'mup/init-fan-avg').includes('constant.other.rule.mup'));
    assert.ok(scopesOf(next, ',').includes('punctuation.separator.comma.mup'));
    assert.ok(scopesOf(bare, 'mup-ignore-next-line').includes('keyword.other.directive.mup'));
    assert.ok(scopesOf(inBlock, 'mup/attention-sqrt-scaling').includes('constant.other.rule.mup'));
    assert.ok(scopesOf(inBlock, 'mup-ignore-next-line').some((s) => s.startsWith('comment.block')));
    assert.ok(!scopesAt(inBlock, inBlock.at(-1)!.start).some((s) => s.endsWith('.mup')), 'code after */ is no directive');
    assert.ok(scopesOf(file, 'mup-ignore-file').includes('keyword.other.directive.mup'));
    assert.ok(scopesOf(file, 'mup/optimizer-global-lr').includes('constant.other.rule.mup'));
    assert.ok(scopesOf(reason, 'mup/init-constant-std').includes('constant.other.rule.mup'));
    // After ` -- ` comes the reason, which the analyzer does not read as rules.
    assert.deepEqual(
      mupScopes([reason]).filter((s) => s.includes('constant.other.rule.mup')),
      ['mup/init-constant-std:constant.other.rule.mup'],
    );
  });

  test(`${host.label}: ordinary comments, mid-comment look-alikes, strings and code get no muP scopes`, async () => {
    const g = await loadHost(host.scope, host.file);
    const lines = tokenize(
      g,
      [
        '// the width=4 model, see mup docs',
        '// mail me@mup.dev or @mupx width=3',
        '// mup-ignore-next-lines and xmup-ignore-file are not directives',
        '// see mup-ignore-file in the docs; TODO @mup width=d',
        '/** Builds the MLP. @mup width=hiddenSize (not read: not at the start) */',
        '/* mup/readout-not-scaled is only a rule inside a directive */',
        'const s = "// @mup width=d"; const t = \'mup-ignore-file\';',
        'const mup = 1; const width = mup; // plain',
      ].join('\n'),
    );
    assert.deepEqual(mupScopes(lines), []);
  });
}

test('the grammar colours a directive exactly when the analyzer reads it', async () => {
  const g = await loadHost('source.ts', real('typescript'));
  const samples = [
    '// @mup width=dModel',
    '//@mup width=cfg.nEmbd',
    '/* @mup width=w */',
    '/** @mup base=128 */',
    '/**\n * @mup width=hidden\n */',
    '// mup-ignore-next-line',
    '// mup-ignore-next-line mup/readout-not-scaled',
    '/* mup-ignore-file */',
    '// mup-ignore-file mup/init-fan-avg, mup/init-constant-std -- legacy',
    '// note: @mup width=d',
    '// see mup-ignore-file',
    '/** Builds it. @mup width=d */',
    '// mup ignore next line',
    '// @mupwidth=d',
  ];
  for (const sample of samples) {
    const sf = ts.createSourceFile('x.ts', `${sample}\nconst y = 1;\n`, ts.ScriptTarget.Latest, true);
    const d = readDirectives(sf);
    const analyzerReads = d.widthNames.size > 0 || d.base !== undefined || d.file !== null || d.nextLine.size > 0;
    const coloured = tokenize(g, sample).flat().some((t) => t.scopes.some((s) => /^keyword\.other\.(annotation|directive)\.mup$/.test(s)));
    assert.equal(coloured, analyzerReads, `${JSON.stringify(sample)}: coloured ${coloured}, analyzer reads it ${analyzerReads}`);
  }
});
