// Where the rule docs live, with no dependency at all (not even typescript): the extension's eagerly loaded
// code (src/languageService) links diagnostics with these before the analyzer bundle is loaded.
import type { RuleId } from './types';

/** `docs/rules.md` in the repository, one anchor per rule. */
export const RULE_DOCS_PATH = 'docs/rules.md';
export const RULE_DOCS_URL = 'https://github.com/mup-lens/mup-lens/blob/main/docs/rules.md';

/** Anchor of a rule in docs/rules.md: GitHub's heading slug of `## mup/readout-not-scaled`. */
export function ruleAnchor(rule: RuleId): string {
  return rule.replace('/', '');
}

/**
 * Link for a rule's docs (diagnostic `code` target, SARIF `helpUri`). `base` defaults to the
 * repository's docs/rules.md on GitHub; pass a file URI of the installed docs/rules.md to link locally.
 */
export function ruleDocUrl(rule: RuleId, base: string = RULE_DOCS_URL): string {
  return `${base}#${ruleAnchor(rule)}`;
}
