// Plain data shared by the analyzer and its fronts (CLI formatters, VS Code adapters).
// Positions are 1-based lines and columns, as in the `lint` JSON contract of docs/contracts.md.

export type RuleId =
  | 'mup/readout-not-scaled'
  | 'mup/attention-sqrt-scaling'
  | 'mup/init-fan-avg'
  | 'mup/init-constant-std'
  | 'mup/optimizer-global-lr'
  | 'mup/analysis-incomplete'
  | 'mup/residual-depth-unscaled';

export type Severity = 'error' | 'warning' | 'info';

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface TextEdit extends Range {
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The one safe fix a quick-fix menu should preselect. Not part of the JSON contract. */
  isPreferred?: boolean;
}

export interface Finding extends Range {
  file: string;
  rule: RuleId;
  severity: Severity;
  message: string;
  fixes: Fix[];
}

export type LayerRole = 'input' | 'hidden' | 'readout' | 'attention' | 'embedding' | 'norm' | 'other';

/** One tfjs layer definition found in the source, with what muP needs to know about it. */
export interface LayerInfo extends Range {
  /** Name given in the config (`name: 'fc1'`) or derived from the variable it is assigned to. */
  name: string | null;
  /** The constructor as written, e.g. `tf.layers.dense`, `MuReadout`. */
  kind: string;
  role: LayerRole;
  fanInScales: boolean;
  fanOutScales: boolean;
  /** Whether the layer's output is multiplied by 1/width_mult (readouts). */
  outputScaled: boolean;
  /** The enclosing model factory, when there is one. */
  factory: string | null;
  /**
   * How the analyzer recognised tfjs (or the runtime) for this layer's constructor, in words: "static import
   * of @tensorflow/tfjs", "browser global `tf`", "namespace passed in as parameter `tf` ...", "dynamic import
   * of @tensorflow/tfjs, kept in `this.tf`", ... (the hover says it). Absent when unknown.
   */
  reachedBy?: string;
  /** Additive (issue 22): for a residual `tf.layers.add` in a block repeated over a depth knob, the depth scheme
   *  its branch implements (which alpha), or that it has none; the hover shows it. */
  depth?: string;
  /** Additive: the layer's weight init as written in its config (`kernelInitializer: ...`, source text, shortened),
   *  or tfjs' default when the config leaves it out; absent when the analyzer cannot tell. The hover sets it
   *  beside muP's ("yours vs muP's"). */
  writtenInit?: string;
}

/** A function with a width parameter that builds tfjs layers: what a CodeLens runs. */
export interface ModelFactory extends Range {
  /** Export name when exported (`export function mlp`, `export const gpt = ...`), else the local name. */
  name: string;
  exported: boolean;
  widthParam: string;
}

export interface AnalysisResult {
  findings: Finding[];
  layers: LayerInfo[];
  factories: ModelFactory[];
}

export interface AnalyzeOptions {
  /** Base width used in messages and fixes (muP's B). Default 64. */
  baseWidth?: number;
  /** Severity override per rule; 'off' disables it. */
  rules?: Partial<Record<RuleId, Severity | 'off'>>;
  /**
   * Only the findings: `layers` and `factories` come back empty, and what only they need (the model factories,
   * each layer's range, factory, reach and depth note) is not worked out. For callers that show findings and
   * nothing else (`mup-lens lint`, the ESLint plugin); the editor's hovers and code lenses need the rest.
   */
  findingsOnly?: boolean;
}
