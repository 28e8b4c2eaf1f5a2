// The analyzer's settings (`mupLens.baseWidth`, `mupLens.rules`, `mupLens.lintDelayMs`), read by the language
// server into analyzer options. As for every setting (src/settings/read.ts), a value a user got wrong (the settings
// UI validates against the schema, settings.json does not) is its default plus one line naming it. Pure.
import { RULE_IDS } from '../analyzer/rules/meta';
import type { AnalyzeOptions, RuleId, Severity } from '../analyzer/types';
import type { RawLintSettings } from '../protocol/lsp';

/** Every rule id, from the analyzer's own list (a new rule is a valid `mupLens.rules` key the moment it exists). */
export { RULE_IDS };

export type RuleSetting = Severity | 'off';
const RULE_SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'off'];

export interface LintSettings {
  baseWidth: number;
  rules: Partial<Record<RuleId, RuleSetting>>;
  lintDelayMs: number;
}

export const DEFAULT_SETTINGS: LintSettings = { baseWidth: 64, rules: {}, lintDelayMs: 250 };

// The raw values as a client sends them (workspace/configuration, settings.json): src/protocol/lsp.ts.
export type { RawLintSettings };

export function isRuleId(value: unknown): value is RuleId {
  return typeof value === 'string' && (RULE_IDS as readonly string[]).includes(value);
}

/** Valid settings (defaults where a value is wrong) and one message per wrong value. */
export function parseLintSettings(raw: RawLintSettings): { settings: LintSettings; problems: string[] } {
  const problems: string[] = [];
  const settings: LintSettings = { ...DEFAULT_SETTINGS, rules: {} };

  if (raw.baseWidth !== undefined && raw.baseWidth !== null) {
    if (typeof raw.baseWidth === 'number' && Number.isFinite(raw.baseWidth) && raw.baseWidth >= 1) {
      settings.baseWidth = raw.baseWidth;
    } else {
      problems.push(
        `mupLens.baseWidth: ${JSON.stringify(raw.baseWidth)} is not a width; use a number >= 1 (default ${DEFAULT_SETTINGS.baseWidth}).`,
      );
    }
  }

  if (raw.lintDelayMs !== undefined && raw.lintDelayMs !== null) {
    if (typeof raw.lintDelayMs === 'number' && Number.isFinite(raw.lintDelayMs) && raw.lintDelayMs >= 0) {
      settings.lintDelayMs = raw.lintDelayMs;
    } else {
      problems.push(
        `mupLens.lintDelayMs: ${JSON.stringify(raw.lintDelayMs)} is not a delay; use milliseconds >= 0 (default ${DEFAULT_SETTINGS.lintDelayMs}).`,
      );
    }
  }

  if (raw.rules !== undefined && raw.rules !== null) {
    if (typeof raw.rules !== 'object' || Array.isArray(raw.rules)) {
      problems.push(`mupLens.rules: expected an object like {"mup/init-fan-avg": "off"}, got ${JSON.stringify(raw.rules)}.`);
    } else {
      for (const [rule, value] of Object.entries(raw.rules as Record<string, unknown>)) {
        if (!isRuleId(rule)) {
          problems.push(`mupLens.rules: unknown rule "${rule}"; the rules are ${RULE_IDS.join(', ')}.`);
        } else if (typeof value !== 'string' || !(RULE_SETTINGS as readonly string[]).includes(value)) {
          problems.push(`mupLens.rules["${rule}"]: ${JSON.stringify(value)} is not one of ${RULE_SETTINGS.join(', ')}.`);
        } else {
          settings.rules[rule] = value as RuleSetting;
        }
      }
    }
  }
  return { settings, problems };
}

/**
 * What the analysis depends on: the base width only. Severities are applied once, to its findings, by
 * effectiveSeverity() (./mapping.ts toDiagnostics): so a severity change re-publishes without re-analysing.
 */
export function analyzeOptions(settings: LintSettings): AnalyzeOptions {
  return { baseWidth: settings.baseWidth };
}

/** The severity a finding is shown with: the user's setting wins; null when the rule is off. */
export function effectiveSeverity(rule: RuleId, analyzerSeverity: Severity, settings: LintSettings): Severity | null {
  const s = settings.rules[rule];
  if (s === 'off') return null;
  return s ?? analyzerSeverity;
}
