// UnsortedSegmentSum for tfjs' plain JavaScript backend (cpu): the gradient of an embedding lookup (tf.gather).
// tfjs-backend-cpu 4.x builds it from tensor ops, one Equal + Cast + Multiply + Sum over the whole input per
// segment (kernels/UnsortedSegmentSum): O(vocabulary x batch x width), ~1 s of one ~3 s GPT training step at
// width 128 (issue 11). This adds each row into its segment once: O(batch x width), the same sums.
// TF semantics, as the original: segmentIds' shape is a prefix of x's, ids outside [0, numSegments) are dropped.
import type { KernelArgs, KernelFn, Registration, TensorInfo, Tf } from './types';
import { isCpuBackend, overrideKernel, sizeOf } from './types';


function makeSegmentSum(original: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = Number(args.attrs?.numSegments);
    const backend = args.backend;
    const idRank = segmentIds.shape.length;
    if (
      x.dtype !== 'float32' ||
      !isCpuBackend(backend) ||
      !Number.isInteger(numSegments) ||
      numSegments < 0 ||
      idRank > x.shape.length ||
      segmentIds.shape.some((d, i) => d !== x.shape[i])
    ) {
      return original(args);
    }
    const values = backend.data.get(x.dataId)?.values;
    const ids = backend.data.get(segmentIds.dataId)?.values as ArrayLike<number> | undefined;
    if (!(values instanceof Float32Array) || !ids) return original(args);
    const inner = sizeOf(x.shape.slice(idRank));
    const out = new Float32Array(numSegments * inner);
    for (let r = 0; r < ids.length; r++) {
      const s = ids[r]!;
      if (!(s >= 0 && s < numSegments)) continue;
      const src = r * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) out[dst + j] += values[src + j]!;
    }
    return backend.makeTensorInfo([numSegments, ...x.shape.slice(idRank)], 'float32', out);
  };
}

export function registerCpuSegmentSum(tf: Tf): Registration[] {
  const r = overrideKernel(tf, 'UnsortedSegmentSum', 'cpu', (o) => makeSegmentSum(o));
  return r ? [r] : [];
}
