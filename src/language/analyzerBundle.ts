// Entry of dist/analyzer.js: the analyzer API the extension host loads lazily (see ./analyzerApi.ts).
// Kept out of dist/extension.js so that activating the extension does not compile the TypeScript compiler.
import { analyze, describeLayer, layerAt, ruleDocUrl } from '../analyzer';
import type { AnalyzerApi } from './analyzerApi';

const api: AnalyzerApi = { analyze, describeLayer, layerAt, ruleDocUrl };

export = api;
