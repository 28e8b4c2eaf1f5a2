// `mup-lens/eslint`: the analyzer's five rules as an ESLint (flat config) plugin, so that teams that already
// run ESLint everywhere (editor, pre-commit, CI) get the muP findings there. Each rule reads the file's source
// text (ESLint's default parser or typescript-eslint's: the AST is not used), and all five share one analysis
// per file (keyed by ESLint's SourceCode object). The preferred fix of a finding is its ESLint fix (applied by
// `eslint --fix`, in rounds, like `mup-lens lint --fix`); its other fixes are suggestions. ESLint's disable
// comments work as for any rule; `// mup-ignore-*` directives are honoured by the analyzer itself.
//
//   import mup from 'mup-lens/eslint';
//   export default [mup.configs.recommended];
//
// With the plugin registered as `mup`, rule ids read exactly as in `mup-lens lint`: `mup/readout-not-scaled`.
// `settings: { mup: { baseWidth: 128 } }` sets the base width used in messages and fixes (default 64).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ESLint, Linter, Rule, SourceCode } from 'eslint';
import type { AnalysisResult, Fix, RuleId } from '../analyzer/types';
import type { AnalyzerApi } from '../languageService/analyzerApi';
import { analyzerFixes } from '../languageService/fixes';

/** The analyzer: dist/analyzer.js beside this bundle (dist/eslint.js), or the source module when run from source. */
function loadAnalyzer(): AnalyzerApi {
  const bundle = join(__dirname, 'analyzer.js');
  // Computed paths: esbuild leaves them alone, so the TypeScript compiler is not bundled twice.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(existsSync(bundle) ? bundle : join(__dirname, '..', 'languageService', 'analyzerBundle')) as AnalyzerApi;
}

const analyzer = loadAnalyzer();
const RULE_IDS = Object.keys(analyzer.RULES) as RuleId[];

const KNOWN_EXTENSION = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;

/** The file name the analyzer sees (it picks TS/JS parsing from the extension). */
function fileNameOf(context: Rule.RuleContext): string {
  const name = context.filename;
  if (KNOWN_EXTENSION.test(name)) return name;
  // `<input>` (stdin) or a processor's block: the parser says which language it is.
  const parser = context.languageOptions?.parser as { meta?: { name?: string } } | undefined;
  return `${name}${/typescript/i.test(parser?.meta?.name ?? '') ? '.ts' : '.js'}`;
}

function baseWidthOf(context: Rule.RuleContext): number | undefined {
  const value = (context.settings?.mup as { baseWidth?: unknown } | undefined)?.baseWidth;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`mup-lens/eslint: settings.mup.baseWidth must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** One analysis per file (per SourceCode, which ESLint shares between the rules of one pass over a file). */
const analyses = new WeakMap<SourceCode, { baseWidth: number | undefined; result: AnalysisResult }>();

function analysisOf(context: Rule.RuleContext): AnalysisResult {
  const sourceCode = context.sourceCode;
  const baseWidth = baseWidthOf(context);
  let entry = analyses.get(sourceCode);
  if (!entry || entry.baseWidth !== baseWidth) {
    entry = { baseWidth, result: analyzer.analyze(sourceCode.text, fileNameOf(context), { baseWidth, findingsOnly: true }) };
    analyses.set(sourceCode, entry);
  }
  return entry.result;
}

function fixer(sourceCode: SourceCode, fix: Fix): Rule.ReportFixer {
  const index = (line: number, column: number) => sourceCode.getIndexFromLoc({ line, column: column - 1 });
  return (f) => fix.edits.map((e) => f.replaceTextRange([index(e.line, e.column), index(e.endLine, e.endColumn)], e.newText));
}

function makeRule(rule: RuleId): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description: analyzer.RULES[rule].summary, url: analyzer.ruleDocUrl(rule), recommended: true },
      fixable: 'code',
      hasSuggestions: true,
      schema: [],
    },
    create(context) {
      return {
        Program() {
          const sourceCode = context.sourceCode;
          for (const finding of analysisOf(context).findings) {
            if (finding.rule !== rule) continue;
            const fixes = analyzerFixes(finding, sourceCode.text);
            const preferred = fixes.find((x) => x.isPreferred);
            context.report({
              loc: { start: { line: finding.line, column: finding.column - 1 }, end: { line: finding.endLine, column: finding.endColumn - 1 } },
              message: finding.message,
              fix: preferred ? fixer(sourceCode, preferred) : null,
              suggest: fixes.filter((x) => x !== preferred).map((x) => ({ desc: x.title, fix: fixer(sourceCode, x) })),
            });
          }
        },
      };
    },
  };
}

const SEVERITY: Record<'error' | 'warning' | 'info', Linter.RuleSeverity> = { error: 'error', warning: 'warn', info: 'warn' };

interface MupPlugin extends ESLint.Plugin {
  rules: Record<string, Rule.RuleModule>;
  configs: { recommended: Linter.Config };
}

const plugin: MupPlugin = {
  meta: { name: 'mup-lens', version: packageVersion() },
  rules: Object.fromEntries(RULE_IDS.map((id) => [id.replace(/^mup\//, ''), makeRule(id)])),
  configs: { recommended: {} },
};

plugin.configs.recommended = {
  name: 'mup-lens/recommended',
  plugins: { mup: plugin },
  rules: Object.fromEntries(RULE_IDS.map((id) => [id, SEVERITY[analyzer.RULES[id].severity]])),
};

function packageVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export = plugin;
