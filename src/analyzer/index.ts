// The muP analyzer: text in, findings, layers and model factories out. Pure (no vscode, no fs, no
// tfjs), syntax-level, and it never throws: whatever parses gets analysed.
//
// The pipeline, one file per concern: source.ts (parse, positions) -> collect.ts (one walk: the facts)
// -> bindings.ts (which names are tfjs; reach.ts: the browser global, namespaces passed in, dynamic
// imports; reachApi.ts: what tfjs's API looks like) -> width.ts (width knobs, what derives from them) and
// values.ts (assignments, arithmetic)
// -> layers.ts: discovery.ts (the layers and their uses; models.ts: models passed to helpers; helperUses.ts: a
// helper's layer per call), sequence.ts on
// controlFlow.ts (the order of layers in a model), shape.ts (fan-in and output sizes), roles.ts (muP
// roles, scaled readouts) -> rules/ (findings and fixes; tiedReadout.ts: h @ E^T; attention/: scores to a
// softmax, scales in their normal form, scales of layer classes, fixes), factories.ts, suppress.ts (comment
// directives). attention/fileIndex.ts (a file's functions, their calls and callers) carries the
// interprocedural flow of the width, the stream and the model (docs/architecture.md).
import { fileIndex } from './attention/fileIndex';
import { Bindings } from './bindings';
import { collect } from './collect';
import type { Ctx } from './context';
import { findFactories, type FactoryRec } from './factories';
import { Gaps, gapFinding } from './incomplete';
import { LayerModel } from './layers';
import { beginAnalysis, endAnalysis } from './memo';
import { attentionRule, findScoreSites, type ScoreSite } from './rules/attention';
import { initRules } from './rules/init';
import { writtenInit } from './writtenInit';
import { RULES } from './rules/meta';
import { optimizerRule } from './rules/optimizer';
import { readoutRule } from './rules/readout';
import { residualDepthNotes, residualDepthRule } from './rules/residualDepth';
import type * as ts from 'typescript';
import { enclosingClass, enclosingFunction, isReparse, parse, rangeOf } from './source';
import { isSuppressed, readDirectives, type Directives } from './suppress';
import type { AnalysisResult, AnalyzeOptions, Finding, LayerInfo } from './types';
import { Values } from './values';
import { WidthModel } from './width';

export type * from './types';
export { describeLayer, layerAt, type LayerDescription } from './describe';
export { RULES, RULE_IDS, RULE_DOCS_PATH, RULE_DOCS_URL, ruleAnchor, ruleDocUrl, type RuleMeta } from './rules/meta';

export interface AnalyzeInternals {
  /** Re-parse incrementally from the last text analysed under the same file name (default true). */
  incremental?: boolean;
  /** Rethrow internal errors instead of returning partial results (tests only). */
  debug?: boolean;
}

// The cheap text pre-check: the file names tfjs or the runtime, or calls something that only tfjs's API has
// (`layers.dense(`, `sequential(`, `train.adam(`, `matMul(`, `tf.x(`: tfjs reached as the browser global, a
// namespace passed in, a field or a re-export; reach.ts decides on the parsed file).
const MODULE_HINT = /@tensorflow\/tfjs|mup-lens\/runtime|mup\/runtime|\blayers\.[a-zA-Z]+\(|\btrain\.[a-z]+\(|\b(?:sequential|matMul)\(|\btf\.\w+\(/;

export function analyze(text: string, fileName: string, options: AnalyzeOptions & AnalyzeInternals = {}): AnalysisResult {
  beginAnalysis();
  try {
    return analyzeText(text, fileName, options);
  } finally {
    // (the memos of this analysis go now, and die young with its tree: memo.ts)
    endAnalysis();
  }
}

function analyzeText(text: string, fileName: string, options: AnalyzeOptions & AnalyzeInternals): AnalysisResult {
  const result: AnalysisResult = { findings: [], layers: [], factories: [] };
  // A file that neither names tfjs or the runtime nor calls tfjs's API has nothing to check: skip even the
  // parse (`mup-lens lint .` over a whole repository).
  if (!MODULE_HINT.test(text)) return result;
  // What could not be analysed (the parser gave up, a bound was hit, an internal error): said in a finding.
  const gaps = new Gaps();
  const findings: Finding[] = [];
  let sf: ts.SourceFile | undefined;
  let directives: Directives | undefined;
  let stage = 'the parse';
  try {
    const incremental = options.incremental !== false;
    try {
      sf = parse(text, fileName, incremental);
    } catch (err) {
      // TypeScript's own limit (it recurses per level of nesting): not an error of the analyzer's.
      gaps.parser(text, fileName, err);
    }
    if (sf) {
      stage = 'collecting the facts of the file';
      const facts = collect(sf, incremental);
      directives = readDirectives(sf);
      stage = 'reading the imports';
      const b = new Bindings(facts, isReparse(sf));
      // Nothing from tfjs or the runtime in this file: nothing to check.
      if (b.isEmpty) return result;
      stage = 'the width model';
      // (a parameter of a function of the file is width-derived when a call of it passes a width there)
      const ix = fileIndex(facts, b);
      const w = new WidthModel(facts, directives.widthNames, (id) => ix.argumentsFor(id));
      stage = 'finding attention scores';
      const sites = findScoreSites(facts, b);
      const attentionClasses = new Set(sites.map((s) => enclosingClass(s.call)).filter((c) => c !== undefined));
      stage = 'the layer model';
      const values = new Values(facts, w);
      const layers = new LayerModel(facts, b, w, values, attentionClasses, gaps);
      const baseWidth = directives.base ?? options.baseWidth ?? 64;
      const ctx: Ctx = { fileName, sf, facts, b, w, values, layers, baseWidth };
      // One part failing loses only its own results (and says so).
      const guard = <T>(what: string, f: () => T, fallback: T): T => {
        try {
          return f();
        } catch (err) {
          if (options.debug) throw err;
          gaps.internal(what, err);
          return fallback;
        }
      };
      if (!options.findingsOnly) {
        const factories = guard('finding the model factories', () => findFactories(ctx), []);
        result.factories = factories.map(({ node: _node, ...f }) => f);
        stage = 'listing the layers';
        result.layers = layerInfos(ctx, factories);
      }
      for (const [what, run] of RULE_RUNS) for (const f of guard(what, () => run(ctx, sites), [])) findings.push(f);
    }
  } catch (err) {
    // Never throw into an editor keystroke: return what was found so far, and say what is missing.
    if (options.debug) throw err;
    gaps.internal(stage, err);
  }
  try {
    const gap = gapFinding(fileName, text, gaps, sf);
    if (gap) findings.push(gap);
    // (directives are read from the text when it could not be parsed: an explicit suppression still holds)
    directives ??= readDirectives(text);
    const rules = options.rules ?? {};
    for (const f of findings) {
      const sev = rules[f.rule] ?? RULES[f.rule].severity;
      if (sev === 'off' || isSuppressed(f, directives)) continue;
      f.severity = sev;
      result.findings.push(f);
    }
    result.findings.sort((a, c) => a.line - c.line || a.column - c.column || a.rule.localeCompare(c.rule));
  } catch (err) {
    if (options.debug) throw err;
  }
  return result;
}

/** The rules, each run on its own: one that fails loses only its own findings. */
const RULE_RUNS: [string, (ctx: Ctx, sites: ScoreSite[]) => Finding[]][] = [
  ['the readout rule (mup/readout-not-scaled)', (ctx) => readoutRule(ctx)],
  ['the attention rule (mup/attention-sqrt-scaling)', (ctx, sites) => attentionRule(ctx, sites)],
  ['the init rules (mup/init-fan-avg, mup/init-constant-std)', (ctx) => initRules(ctx)],
  ['the optimizer rule (mup/optimizer-global-lr)', (ctx) => optimizerRule(ctx)],
  ['the residual depth rule (mup/residual-depth-unscaled)', (ctx) => residualDepthRule(ctx)],
];

/** The layers as the API gives them: positions, role, what scales, the factory they are built in. */
function layerInfos(ctx: Ctx, factories: FactoryRec[]): LayerInfo[] {
  const factoryOf = new Map<ts.Node, string>(factories.map((f) => [f.node, f.name]));
  // (issue 22: the depth scheme of each residual addition, for its hover; never fails the layer list)
  let depthNotes = new Map<ts.Node, string>();
  try {
    depthNotes = residualDepthNotes(ctx);
  } catch {
    // the rule itself reports through RULE_RUNS' guard
  }
  return ctx.layers.layers.map((l): LayerInfo => {
    let fac: string | undefined;
    if (factoryOf.size > 0) for (let fn = enclosingFunction(l.node); fn && fac === undefined; fn = enclosingFunction(fn)) fac = factoryOf.get(fn);
    const r = rangeOf(ctx.sf, l.node);
    // (built field by field: an object spread here cost more than the rest of the layer list)
    const info: LayerInfo = {
      line: r.line,
      column: r.column,
      endLine: r.endLine,
      endColumn: r.endColumn,
      name: l.name,
      kind: l.kind,
      role: l.role,
      fanInScales: l.fanIn,
      fanOutScales: l.fanOut,
      outputScaled: l.outputScaled,
      factory: fac ?? null,
      reachedBy: ctx.b.reachedBy(l.node.expression, l.node) ?? ctx.b.tfReach,
    };
    const note = depthNotes.size > 0 ? depthNotes.get(l.node) : undefined;
    if (note !== undefined) info.depth = note;
    const init = writtenInit(l.ctor, l.config, ctx.sf);
    if (init !== undefined) info.writtenInit = init;
    return info;
  });
}

