// The rules: the five of docs/contracts.md, and mup/analysis-incomplete (a file the analyzer could not analyse whole;
// incomplete.ts). Ids, default severities, one-line summaries (SARIF, docs, hovers).
import type { RuleId, Severity } from '../types';

export interface RuleMeta {
  severity: Severity;
  summary: string;
}

export const RULES: Record<RuleId, RuleMeta> = {
  'mup/readout-not-scaled': {
    severity: 'error',
    summary: 'A readout (width fan-in, fixed fan-out) whose output is not multiplied by 1/width_mult.',
  },
  'mup/attention-sqrt-scaling': {
    severity: 'error',
    summary: 'Attention logits scaled by 1/sqrt(d_head) instead of muP\'s attn_mult/d_head.',
  },
  'mup/init-fan-avg': {
    severity: 'warning',
    summary: 'An input or readout layer left on the fan-average (glorot) initializer.',
  },
  'mup/init-constant-std': {
    severity: 'warning',
    summary: 'A width-scaled layer initialised with a fixed standard deviation.',
  },
  'mup/optimizer-global-lr': {
    severity: 'warning',
    summary: 'One optimizer learning rate for a model that has hidden (width x width) matrices.',
  },
  'mup/residual-depth-unscaled': {
    severity: 'warning',
    summary: 'A residual addition inside a block repeated over a depth knob whose branch has no depth multiplier (SP in depth, alpha = 0).',
  },
  'mup/analysis-incomplete': {
    severity: 'warning',
    summary: 'A file the analyzer could not analyse whole (nesting too deep for the parser, a chain too long to follow, an internal error): findings may be missing.',
  },
};

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export { RULE_DOCS_PATH, RULE_DOCS_URL, ruleAnchor, ruleDocUrl } from '../ruleDocs';
