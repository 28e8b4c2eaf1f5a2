// The editor's transfer target (issue 22): the questions "muP: Transfer Tuned Hyperparameters" and the panel's button
// ask (one per axis the CLI takes, pre-filled from the settings or the sweep's largest swept value, empty = as the
// proxy, the proxy's value where the sweep did not vary an axis), what a typed answer may be, the command's `target`
// argument, the settings, and what the panel shows of the result: every factor with its rule and source and the
// far-outside warning, the same lines the CLI prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transferModel } from '../../../src/plot/transferModel';
import { readTransferSettings } from '../../../src/settings/transfer';
import { formatTransferText, type TransferReport } from '../../../src/sweep/transfer';
import { transferAxes } from '../../../src/sweep/transferAxes';
import {
  askTransferTarget, checkTargetArg, parseTargetInput, sweptAxesOf, targetSummary, TransferTargetError, validateTargetInput, type TargetQuestion,
} from '../../../src/sweep/transferTarget';
import type { SweepReport } from '../../../src/sweep/types';

test('an answer is a positive whole number, or empty for the proxy\'s (required: not empty)', () => {
  assert.deepEqual(parseTargetInput('48', false), { value: 48 });
  assert.deepEqual(parseTargetInput('  100,000 ', false), { value: 100000 });
  assert.deepEqual(parseTargetInput('100_000', false), { value: 100000 });
  assert.deepEqual(parseTargetInput('', false), { value: undefined });
  assert.deepEqual(parseTargetInput('   ', false), { value: undefined });
  assert.deepEqual(parseTargetInput('', true), { error: 'a positive whole number' });
  for (const bad of ['0', '-3', '2.5', '1e3', 'abc', '1,0', '12,34,567', '99999999999999999999']) {
    assert.deepEqual(parseTargetInput(bad, false), { error: `a positive whole number, or empty for the proxy's (got '${bad}')` }, bad);
  }
  assert.equal(validateTargetInput({ required: false }, '512'), undefined);
  assert.equal(validateTargetInput({ required: true }, 'x'), "a positive whole number (got 'x')");
});

/** A sweep that varied depth (2, 8) and steps (100, 400) at widths 64, 128, 100 steps per trial. */
const swept = sweptAxesOf({ widths: [64, 128], steps: 100, axisGrid: [{ name: 'depth', values: [2, 8] }, { name: 'steps', values: [100, 400] }] });

function scripted(answers: (string | undefined)[]) {
  const asked: TargetQuestion[] = [];
  return {
    asked,
    ask: async (q: TargetQuestion) => {
      asked.push(q);
      assert.ok(asked.length <= answers.length, `asked more than expected: ${q.title}`);
      return answers[asked.length - 1];
    },
  };
}

test('every axis asked in turn, pre-filled from the settings or the largest swept value; the proxy batch asked because the sweep did not vary it', async () => {
  const s = scripted(['256', '48', '512', '64', '100000', '']);
  const got = await askTransferTarget(s.ask, swept, { batch: 512 }, 1);
  assert.deepEqual(got, { width: 256, target: { alpha: 1, depth: 48, batch: 512, proxyBatch: 64, steps: 100000 } });
  assert.deepEqual(s.asked.map((q) => [q.field, q.value, q.required]), [
    ['width', '1024', true], // 8x the widest width swept
    ['depth', '8', false], // the largest swept depth
    ['batch', '512', false], // mupLens.transfer.targetBatch
    ['proxyBatch', '', true],
    ['steps', '400', false],
    ['seqLen', '', false],
  ]);
  assert.deepEqual(s.asked.map((q) => q.title), [
    'muP: Transfer Tuned Hyperparameters: width (1/5)',
    'muP: Transfer Tuned Hyperparameters: depth (2/5)',
    'muP: Transfer Tuned Hyperparameters: batch size (3/5)',
    "muP: Transfer Tuned Hyperparameters: the proxy's batch size (3/5)",
    'muP: Transfer Tuned Hyperparameters: training steps (4/5)',
    'muP: Transfer Tuned Hyperparameters: sequence length (5/5)',
  ]);
  assert.equal(s.asked[0]!.prompt, 'The width you will train at (the sweep ran widths 64, 128; the proxy is 128)');
  assert.match(s.asked[1]!.prompt, /^The depth you will train at; empty: the proxy's \(2\)\. The sweep ran depth 2, 8\. Its factor: hidden weights' Adam LR x \(L\/L_proxy\)\^\(alpha-1\), Adam epsilon x \(L\/L_proxy\)\^-alpha, alpha 1 \(CompleteP\) \(setting mupLens\.transfer\.depthScheme\)\.$/);
  assert.match(s.asked[2]!.prompt, /empty: the proxy's\. The sweep did not vary the batch size\. Its factor: LR x sqrt\(B\/B_proxy\)/);
  assert.match(s.asked[4]!.prompt, /^The training steps you will train at; empty: the proxy's \(100\)\. The sweep ran training steps 100, 400\./);
  assert.equal(targetSummary(got!.width, got!.target), 'width 256, depth 48, batch 512, 100000 steps');
});

test('empty keeps an axis as the proxy\'s (no proxy asked); the setting\'s depth scheme goes with a depth only', async () => {
  const s = scripted(['128', '', '', '', '']);
  assert.deepEqual(await askTransferTarget(s.ask, swept, {}, 0.5), { width: 128, target: {} });
  assert.equal(s.asked.length, 5);
  const t = scripted(['128', '16', '', '', '']);
  assert.deepEqual(await askTransferTarget(t.ask, swept, {}, 0.5), { width: 128, target: { alpha: 0.5, depth: 16 } });
  assert.match(t.asked[1]!.prompt, /alpha 0\.5 \(depth-muP\)/);
});

test('a depth on a sweep that did not vary depth asks the proxy depth (required); Escape anywhere cancels the whole flow', async () => {
  const flat = sweptAxesOf({ widths: [32, 64], steps: 40 });
  const s = scripted(['128', '3', '1', '', '', '2048', '']);
  assert.deepEqual(await askTransferTarget(s.ask, flat, {}, 1), { width: 128, target: { alpha: 1, depth: 3, proxyDepth: 1, seqLen: 2048 } });
  assert.deepEqual(s.asked.map((q) => q.field), ['width', 'depth', 'proxyDepth', 'batch', 'steps', 'seqLen', 'proxySeqLen']);
  assert.equal(s.asked[2]!.prompt, 'The depth the sweep trained at (it did not vary it, and the factor needs it)');
  assert.equal(s.asked[6]!.required, false, 'the proxy sequence length is optional (x 1 either way)');
  for (const at of [1, 2, 3]) {
    const c = scripted(['128', '3', '1', undefined].slice(0, at).concat([undefined]));
    assert.equal(await askTransferTarget(c.ask, flat, {}, 1), undefined, `cancelled at question ${at + 1}`);
    assert.equal(c.asked.length, at + 1, 'nothing asked after the cancel');
  }
  // an answer the input box would not have accepted (a caller without validation): one line naming the question
  await assert.rejects(askTransferTarget(scripted(['128', 'deep']).ask, flat, {}, 1), (e: unknown) => e instanceof TransferTargetError && e.message === "depth: a positive whole number, or empty for the proxy's (got 'deep')");
});

test('a target given as the command\'s argument: only a missing proxy value is asked, without step numbers', async () => {
  const flat = sweptAxesOf({ widths: [32, 64], steps: 40 });
  const s = scripted(['2']);
  assert.deepEqual(await askTransferTarget(s.ask, flat, {}, 1, { width: 256, target: { depth: 8, steps: 1000 } }), { width: 256, target: { depth: 8, steps: 1000, alpha: 1, proxyDepth: 2 } });
  assert.deepEqual(s.asked.map((q) => [q.field, q.title]), [['proxyDepth', "muP: Transfer Tuned Hyperparameters: the proxy's depth"]]);
  const none = scripted([]);
  assert.deepEqual(await askTransferTarget(none.ask, swept, {}, 1, { width: 256, target: {} }), { width: 256, target: {} });
  assert.deepEqual(await askTransferTarget(none.ask, swept, {}, 1, { width: 256, target: { depth: 32, alpha: 0.5 } }), { width: 256, target: { depth: 32, alpha: 0.5 } });
});

test('the command\'s target argument is checked: one line for what is wrong', () => {
  assert.deepEqual(checkTargetArg(undefined), {});
  assert.deepEqual(checkTargetArg({ depth: 48, batch: 512, alpha: 'depth-mup', proxyBatch: 64, seqLen: undefined }), { depth: 48, batch: 512, alpha: 0.5, proxyBatch: 64 });
  assert.equal(checkTargetArg({ depth: 0 }), 'target.depth must be a positive integer, got 0');
  assert.equal(checkTargetArg({ batch: '512' }), 'target.batch must be a positive integer, got "512"');
  assert.equal(checkTargetArg({ depth: 4, alpha: 2 }), 'target.alpha must be completep, depth-mup, sp or a number in [0, 1], got 2');
  assert.equal(checkTargetArg({ alpha: 1 }), 'target.alpha belongs to target.depth');
  assert.equal(checkTargetArg({ width: 4096 }), 'target.width: not an axis (depth, batch, steps, seqLen, alpha, proxyDepth, proxyBatch, proxySeqLen)');
  assert.match(String(checkTargetArg([1])), /^target must be an object/);
});

test('settings: mupLens.transfer.target* pre-fill (0 = not), mupLens.sweep.targetWidth the width, depthScheme the alpha; a wrong value is its default and one line', () => {
  const get = (v: Record<string, unknown>) => (k: string) => v[k];
  assert.deepEqual(readTransferSettings(get({})), { settings: { defaults: {}, depthScheme: 'completep', alpha: 1 }, problems: [] });
  assert.deepEqual(
    readTransferSettings(get({ 'sweep.targetWidth': 4096, 'transfer.targetDepth': 48, 'transfer.targetBatch': 0, 'transfer.targetSteps': 100000, 'transfer.targetSeqLen': 2048, 'transfer.depthScheme': 'depth-mup' })).settings,
    { defaults: { width: 4096, depth: 48, steps: 100000, seqLen: 2048 }, depthScheme: 'depth-mup', alpha: 0.5 },
  );
  const bad = readTransferSettings(get({ 'transfer.targetDepth': -1, 'transfer.depthScheme': 'muP' }));
  assert.deepEqual(bad.settings, { defaults: {}, depthScheme: 'completep', alpha: 1 });
  assert.deepEqual(bad.problems, ['mupLens.transfer.targetDepth must be an integer >= 0 (0: not pre-filled), got -1', 'mupLens.transfer.depthScheme must be completep, depth-mup or sp, got "muP"']);
});

test('what the panel shows of a transfer to width, depth, batch and steps: the CLI\'s factor lines with their sources, the far-outside warning, the target in the title', () => {
  // The depth x steps sweep of test/unit/sweep/cli-transfer-axes.test.ts, as transferAxes reads it: the steps axis
  // measured beta = -0.5.
  const r = {
    steps: 100, widths: [64, 128],
    axisGrid: [{ name: 'depth', values: [2, 8] }, { name: 'steps', values: [100, 400] }],
    axes: [
      { name: 'depth', ok: true, verdict: ['depth: transfers'] },
      { name: 'steps', ok: true, verdict: ['steps: the best LR falls'], exponent: { beta: -0.5, se: 0.05 } },
    ],
  } as unknown as SweepReport;
  const tuned = 2 ** -9;
  const target = { depth: 48, batch: 512, proxyBatch: 64, steps: 100000 };
  const axes = transferAxes(r, tuned, 128, 256, target);
  const report = {
    transfers: true, parametrization: 'mup', model: { file: 'resnet.ts', exportName: 'resnet' }, store: '/s', targetWidth: 256, baseWidth: 64, proxyWidth: 128,
    showed: [], refusal: null, tuned: { proxyWidth: 128, lr: tuned, hp: {}, gridLr: tuned, gridHp: {} },
    file: { baseWidth: 64, targetWidth: 256, params: [], readouts: [], axes: axes.axes, depth: axes.depth }, written: '/m/resnet.resnet.w256.transfer.json', verify: null,
    warnings: [...axes.axes.warnings],
  } as unknown as TransferReport;
  const m = transferModel({ targetWidth: 256, target, verify: false, status: 'done', report });
  assert.equal(m.title, 'Transfer to width 256, depth 48, batch 512, 100000 steps');
  assert.deepEqual(m.factorAxes, ['width', 'depth', 'batch', 'steps']);
  assert.equal(m.factors[0], 'LR at the target: the tuned 0.00195 x every factor = 0.000175 (base LR; the width and depth factors apply per weight group):');
  assert.match(m.factors[1]!, /^ {2}width +x1 +per weight \(the table\).* \[muP, Tensor Programs V \(arXiv 2203\.03466\)\]$/);
  assert.match(m.factors[2]!, /^ {2}depth +x1 +depth 2 -> 48 \(x24\), alpha 1: .*Adam epsilon x \(L\/L_proxy\)\^-alpha = 0\.0417.* \[CompleteP \(arXiv 2505\.01618\)\]$/);
  assert.match(m.factors[3]!, /^ {2}batch +x2\.83 +batch 64 -> 512: Adam LR x sqrt\(B\/B_proxy\) = 2\.83 .*\[Malladi et al\. 2022 \(arXiv 2205\.10287\)\]$/);
  assert.match(m.factors[4]!, /^ {2}steps +x0\.0316 +steps 100 -> 100000: LR x \(S\/S_proxy\)\^beta, beta = -0\.5 \+- 0\.05 measured by the sweep's steps axis.*\[measured here \(the power law of arXiv 2409\.19913\)\]$/);
  // depth 48 is 6x the largest swept (8): inside the 16x; steps 100000 is 250x 400: far outside
  assert.deepEqual(m.warnings, ["warning: the target's steps (100000) is 250x the largest steps the sweep trained (400): far outside what was measured, so its factor is an extrapolation"]);
  // the same lines as the CLI's text (the command writes that text to the output channel)
  const cli = formatTransferText(report).split('\n');
  for (const line of [...m.factors, ...m.warnings]) assert.ok(cli.includes(line), `not in the CLI's text: ${line}`);
  // running: the target in words
  assert.equal(transferModel({ targetWidth: 256, target, verify: true, status: 'running' }).statusText, 'running: building the model and training the target at width 256, depth 48, batch 512, 100000 steps…');
  // a width-only transfer shows no factor lines, as before
  const plain = transferModel({ targetWidth: 256, verify: false, status: 'done', report: { ...report, file: { ...report.file!, axes: undefined, depth: undefined }, warnings: [] } as TransferReport });
  assert.deepEqual([plain.title, plain.factors, plain.factorAxes, plain.warnings], ['Transfer to width 256', [], [], []]);
});
