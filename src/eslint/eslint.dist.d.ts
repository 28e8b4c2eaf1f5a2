// Declarations of `mup-lens/eslint` (copied to dist/eslint.d.ts by the build): the plugin object of
// src/eslint/index.ts. Types only; `eslint` is an optional peer dependency.
import type { ESLint, Linter, Rule } from 'eslint';

declare const plugin: ESLint.Plugin & {
  rules: Record<'readout-not-scaled' | 'attention-sqrt-scaling' | 'init-fan-avg' | 'init-constant-std' | 'optimizer-global-lr', Rule.RuleModule>;
  configs: {
    /** Registers the plugin as `mup` with the analyzer's default severities (`mup/readout-not-scaled`: error, ...). */
    recommended: Linter.Config;
  };
};

export = plugin;
