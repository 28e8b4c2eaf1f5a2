// The transfer file's default name (src/host/transfer.ts defaultTransferPath): the target width alone as before, and
// each target axis beyond width in the name, so that two transfers to the same width at another depth or batch do
// not overwrite each other's file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTransferPath } from '../../../src/host/transfer';

test('default transfer path: width alone as before; every target axis given is in the name', () => {
  assert.equal(defaultTransferPath('/ws/examples/mlp/mup.ts', 'mlp', 4096), '/ws/examples/mlp/mup.mlp.w4096.transfer.json');
  assert.equal(defaultTransferPath('/ws/m.ts', 'resnet', 4096, {}), '/ws/m.resnet.w4096.transfer.json');
  assert.equal(
    defaultTransferPath('/ws/m.ts', 'resnet', 4096, { depth: 48, batch: 512, steps: 100000, seqLen: 2048, alpha: 1, proxyDepth: 2 }),
    '/ws/m.resnet.w4096.d48.b512.s100000.L2048.transfer.json',
  );
  const d8 = defaultTransferPath('/ws/m.ts', 'resnet', 256, { depth: 8 });
  const d16 = defaultTransferPath('/ws/m.ts', 'resnet', 256, { depth: 16 });
  assert.equal(d8, '/ws/m.resnet.w256.d8.transfer.json');
  assert.notEqual(d8, d16);
});
