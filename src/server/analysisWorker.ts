// The language server's analysis thread (dist/analysisWorker.js): it holds the analyzer (dist/analyzer.js, the
// TypeScript compiler inside) so that the server's main thread stays free for the protocol: a keystroke, a
// cancellation or a hover on an analysed version is handled while an analysis runs, and a stale analysis is
// stopped by terminating this thread (./runner.ts). Answers one message at a time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzerApi } from '../languageService/analyzerApi';
import { requireWithCodeCache } from '../languageService/codeCache';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const data = (workerData ?? {}) as WorkerData;

function load(): AnalyzerApi {
  const bundle = join(__dirname, 'analyzer.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing (npm run build)`);
  const started = performance.now();
  const loaded = requireWithCodeCache(bundle, data.codeCacheDir, { onProblem: (m) => console.warn(m) });
  const api = loaded.exports as Partial<AnalyzerApi>;
  if (typeof api.analyze !== 'function') throw new Error(`${bundle} exports no analyze()`);
  post({ type: 'ready', loadMs: performance.now() - started, codeCache: loaded.cache });
  return api as AnalyzerApi;
}

let api: AnalyzerApi | undefined;
try {
  api = load();
} catch (err) {
  post({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
}

port.on('message', (msg: ToWorker) => {
  if (!api) {
    post({ type: 'failed', id: msg.id, message: 'the analyzer could not be loaded' });
    return;
  }
  try {
    switch (msg.type) {
      case 'analyze': {
        const started = performance.now();
        const r = api.analyze(msg.text, msg.fileName, msg.options);
        post({ type: 'analyzed', id: msg.id, result: { findings: r.findings, layers: r.layers, factories: r.factories }, ms: performance.now() - started });
        break;
      }
      case 'hover': {
        const layer = api.layerAt({ findings: [], layers: msg.layers, factories: [] }, msg.line, msg.column);
        post({ type: 'hovered', id: msg.id, hover: layer ? { layer, markdown: api.describeLayer(layer, msg.baseWidth).markdown } : null });
        break;
      }
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    post({ type: 'failed', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
