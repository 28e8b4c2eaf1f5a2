// `mup-lens transfer <store dir | result.json> --width N`: the values a muP sweep tuned, transferred to width N (the
// configuration per trainable weight, written as a transfer file next to the model), and with `--verify` the target
// width trained with them and with the proxy's best SP values. docs/sweeps.md "Transfer", docs/contracts.md.
// Exit codes: 0 the values transfer (file written), 1 they do not (an SP sweep, an axis that moves, an incomplete
// grid: the reason on stdout), 2 usage or input error, 130 interrupted.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OutputError, writeOutputFile } from '../host/outputFile';
import { runTransfer, TransferInconclusiveError, TransferInputError } from '../host/transfer';
import { WorkerJobError } from '../host/workerClient';
import type { BackendRequest } from '../protocol/worker';
import { renderTransferReport } from '../report/transferHtml';
import { formatTransferText, type TransferReport } from '../sweep/transfer';
import { BACKEND_REQUESTS } from '../settings/read';
import { alphaFlag } from './alpha';
import { threadsFlag } from './threads';
import { joinNumericValues, oneOf, parseArgsMessage, positiveInt, UsageError, type CliIO } from './io';
import { packageVersion } from './version';

export const TRANSFER_USAGE = `usage: mup-lens transfer <store dir | result.json> --width N [options]

Takes the best values of a finished muP sweep at its proxy width (the LR and every --hp axis) and writes what muP
makes of them at width N, per trainable weight of your model (init std, Adam and SGD LR, readout multiplier, and
the rule behind each), as a transfer file next to the model that createMup(tf).fromTransfer() reads back.
  --width N                  the target width (required)
  --proxy-width W            the swept width whose best values are transferred (default: the widest swept)
  --out FILE                 where the transfer file goes (default <model dir>/<file>.<export>.w<N>.transfer.json;
                             target axes beyond width add .d<D>.b<B>.s<S>.L<L> before .transfer.json)
  --depth D                  the target's depth (issue 22): the factory gets {depth}; hidden Adam LR x
                             (D/D_proxy)^(alpha-1), epsilon x (D/D_proxy)^-alpha (MuAdam's depth option)
  --alpha A                  the depth scheme the model implements: completep (1), depth-mup (0.5), sp (0) or a
                             number in [0, 1] (default: the one the sweep's depths trained with, else completep)
  --batch B                  the target's batch size: LR x sqrt(B/B_proxy) (Adam's square-root rule)
  --steps S                  the target's training steps: LR x (S/S_proxy)^beta with the exponent a --steps-axis
                             sweep measured (else not applied, and said); with --verify, the steps it trains
  --seq-len L                the target's sequence length (x 1: what the sweep's --seq-lens axis showed)
  --proxy-depth, --proxy-batch, --proxy-seq-len N
                             the proxy's value on an axis the sweep did not vary
  --verify                   also train width N with the transferred values and with the proxy's best SP values
  --seeds N                  seeds of each --verify configuration (default 3): the difference gets a 95% interval
  --sp-sweep DIR             the SP sweep to compare with (default: an SP sweep of the same model beside it)
  --backend B                auto|tensorflow|webgpu|wasm|cpu (default auto)
  --workers N                worker processes for --verify (default: cores on wasm/cpu, 1 on tensorflow and webgpu)
  --threads N|auto           threads of each worker's wasm backend (default auto: the cores shared by the workers)
  --format text|json|html    output; <store>/transfer-w<N>.html is written every time (html: prints its path)
  --quiet, -q                no progress lines on stderr
exit: 0 the values transfer (file written), 1 they do not (SP, an axis that moves, an incomplete grid), 2 usage
or input error, 4 the muP sweep is inconclusive (one LR, one seed, an interval across the rule; one line, nothing
written), 130 interrupted
`;

const OPTIONS = {
  width: { type: 'string' }, 'proxy-width': { type: 'string' }, out: { type: 'string' }, verify: { type: 'boolean' },
  steps: { type: 'string' }, seeds: { type: 'string' }, 'sp-sweep': { type: 'string' }, backend: { type: 'string' }, workers: { type: 'string' },
  threads: { type: 'string' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
  depth: { type: 'string' }, alpha: { type: 'string' }, batch: { type: 'string' }, 'seq-len': { type: 'string' },
  'proxy-depth': { type: 'string' }, 'proxy-batch': { type: 'string' }, 'proxy-seq-len': { type: 'string' },
} as const;

export async function main(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNumericValues(argv, OPTIONS), allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(`${parseArgsMessage(err)} (see mup-lens transfer --help)`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(TRANSFER_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one <store dir | result.json> of a finished sweep, got ${positionals.length} (see mup-lens transfer --help)`);
  const width = positiveInt(v.width, '--width');
  if (width === undefined) throw new UsageError('--width N is required: the width to transfer the tuned values to');
  const format = oneOf('--format', v.format ?? 'text', ['text', 'json', 'html'] as const);
  const backend: BackendRequest = oneOf('--backend', v.backend ?? 'auto', BACKEND_REQUESTS);
  if (!v.verify && v['sp-sweep'] !== undefined) throw new UsageError('--sp-sweep belongs to --verify');
  if (v.alpha !== undefined && v.depth === undefined) throw new UsageError('--alpha belongs to --depth');
  const target = {
    depth: positiveInt(v.depth, '--depth'), batch: positiveInt(v.batch, '--batch'), seqLen: positiveInt(v['seq-len'], '--seq-len'),
    // --steps is the target's training length (issue 22); with --verify also the steps it trains
    steps: positiveInt(v.steps, '--steps'), alpha: alphaFlag(v.alpha),
    proxyDepth: positiveInt(v['proxy-depth'], '--proxy-depth'), proxyBatch: positiveInt(v['proxy-batch'], '--proxy-batch'), proxySeqLen: positiveInt(v['proxy-seq-len'], '--proxy-seq-len'),
  };
  if (!v.verify && v.seeds !== undefined) throw new UsageError('--seeds belongs to --verify (the seeds of each verification run)');
  const steps = positiveInt(v.steps, '--steps');
  const threads = threadsFlag(v.threads);
  const quiet = v.quiet ?? false;

  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('\ninterrupted: stopping the workers\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let report: TransferReport;
  try {
    report = await runTransfer(
      {
        source: positionals[0]!, targetWidth: width, proxyWidth: positiveInt(v['proxy-width'], '--proxy-width'), out: v.out, target,
        // The sweep's own steps unless told: the verification trains as the sweep's trials did.
        verify: v.verify ? { steps: steps ?? 0, spSource: v['sp-sweep'], seeds: positiveInt(v.seeds, '--seeds') } : undefined,
        backend, workers: positiveInt(v.workers, '--workers'), threads, cores: cpus().length, version: packageVersion(), cwd: io.cwd, signal: controller.signal,
      },
      {
        onBackend: (info, n) => !quiet && io.stderr(`backend: ${info.label}; ${n} worker${n === 1 ? '' : 's'}\n`),
        onPhase: (m) => !quiet && io.stderr(`${m}\n`),
        onWarning: (m) => io.stderr(`warning: ${m}\n`),
        onStep: (label, step, loss) => !quiet && (step + 1) % 50 === 0 && io.stderr(`${label}: step ${step + 1}, loss ${loss.toFixed(4)}\n`),
      },
    );
  } catch (err) {
    if (err instanceof TransferInputError || err instanceof OutputError) throw new UsageError(err.message);
    if (err instanceof TransferInconclusiveError) {
      io.stderr(`mup-lens transfer: ${err.message}\n`);
      return 4;
    }
    if (err instanceof WorkerJobError) {
      if (err.error.kind === 'cancelled') return 130;
      throw new UsageError(err.message);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  // The page is written every time, as a sweep writes its result.json: the plot of --verify lives there.
  const html = join(report.store, `transfer-w${width}.html`);
  try {
    writeOutputFile(html, renderTransferReport(report));
    report.html = html;
  } catch (err) {
    io.stderr(`warning: cannot write ${html}: ${(err as Error).message}\n`);
  }
  if (format === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
  else if (format === 'html') io.stdout(`${html}\n`);
  else io.stdout(formatTransferText(report) + (report.html ? `page: ${report.html}\n` : ''));
  return report.transfers ? 0 : 1;
}
