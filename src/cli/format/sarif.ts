// `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it (tool.driver with rules and helpUri,
// results with ruleId/level/message/physicalLocation; uris relative to the repository root).
import { RULE_IDS, RULES, ruleDocUrl } from '../../analyzer/rules/meta';
import type { Finding, Severity } from '../../analyzer/types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function ruleName(id: string): string {
  return id.replace(/^mup\//, '').replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

export function formatSarif(findings: Finding[]): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require('../../../package.json') as { version: string }).version;
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mup-lens',
            version,
            informationUri: ruleDocUrl('mup/readout-not-scaled').split('#')[0],
            rules: RULE_IDS.map((id) => ({
              id,
              name: ruleName(id),
              shortDescription: { text: RULES[id].summary },
              helpUri: ruleDocUrl(id),
              defaultConfiguration: { level: LEVEL[RULES[id].severity] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: RULE_IDS.indexOf(f.rule),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
