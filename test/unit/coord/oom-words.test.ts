// A user's error that merely contains "oom" (boom, room, zoom) is their error, not an out-of-memory stop:
// it must reach them as `mlp(w) threw: ...` (exit 2), not as "out of memory" with the smaller widths kept.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isOutOfMemory } from '../../../src/job/oom';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../../../src/host/workerClient';

test('isOutOfMemory: real tfjs/wasm allocation failures yes, words containing "oom" no', () => {
  assert.equal(isOutOfMemory(new RangeError('Array buffer allocation failed')), true);
  assert.equal(isOutOfMemory(new Error('Aborted(OOM). Build with -sASSERTIONS for more info.')), true);
  assert.equal(isOutOfMemory(new Error('Cannot enlarge memory arrays')), true);
  assert.equal(isOutOfMemory(new Error('boom at width 32')), false);
  assert.equal(isOutOfMemory(new Error('no room for the readout')), false);
  assert.equal(isOutOfMemory(new Error('Zoom level unsupported')), false);
});

const dir = mkdtempSync(join(tmpdir(), 'mup-oom-'));
writeFileSync(
  join(dir, 'boom.ts'),
  `import * as tf from '@tensorflow/tfjs';\nexport function mlp(width: number): tf.LayersModel {\n  throw new Error('boom at width ' + width);\n}\n`,
);
const client = new WorkerClient({ init: { backend: 'cpu', workspaceDir: dir } });
after(() => client.dispose());

test('a factory throwing "boom" is reported as the factory throwing, with its line', async () => {
  await assert.rejects(
    () =>
      runCoordinateCheck(
        { file: join(dir, 'boom.ts'), exportName: 'mlp', widths: [8, 16], steps: 2, seeds: 1, lr: 0.01, optimizer: 'adam', parametrization: 'sp' },
        { backend: 'cpu', client },
      ),
    (err: unknown) => {
      assert.ok(err instanceof WorkerJobError, String(err));
      assert.equal(err.error.kind, 'user-code', err.message);
      assert.match(err.message, /^mlp\(\d+\) threw: boom at width \d+$/);
      assert.equal(err.error.line, 3);
      return true;
    },
  );
});
