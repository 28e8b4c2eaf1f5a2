// Entry of dist/analyzer.js: the analyzer API that the language server's analysis thread, the ESLint plugin and
// host code load from it (see ./analyzerApi.ts).
// Kept out of dist/extension.js so that activating the extension does not compile the TypeScript compiler.
import { analyze, describeLayer, layerAt, RULES, ruleDocUrl } from '../analyzer';
import type { AnalyzerApi } from './analyzerApi';

const api: AnalyzerApi = { analyze, describeLayer, layerAt, ruleDocUrl, RULES };

export = api;
