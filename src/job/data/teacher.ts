// The default synthetic task of a sweep: a LEARNABLE problem, so that the best learning rate means something
// (random labels would only measure memorisation). As in the PyTorch reference of docs/mup.md: labels are the argmax of a
// fixed random teacher net tanh(x W1) W2 (inputDim -> 64 -> classes), on a fresh N(0,1) batch of 64 at every
// step. The teacher is fixed (seed 0) for every trial; the batches depend on (trial seed, step) only.
import type * as tfType from '@tensorflow/tfjs';
import { mixSeed, mulberry32, normals } from '../seed';

export const TEACHER_HIDDEN = 64;
export const DEFAULT_BATCH = 64;

export interface Batch {
  xs: tfType.Tensor;
  ys: tfType.Tensor;
}
export type DataFn = (step: number) => Batch;

export interface Teacher {
  inputDim: number;
  classes: number;
  /** Class label per row of `x` (row-major, rows of inputDim). */
  label(x: Float32Array, rows: number): Int32Array;
}

export function makeTeacher(inputDim: number, classes: number, seed = 0): Teacher {
  const rand = mulberry32(mixSeed(0x7eac4e5, seed, inputDim, classes));
  const w1 = normals(rand, inputDim * TEACHER_HIDDEN).map((v) => v / Math.sqrt(inputDim));
  const w2 = normals(rand, TEACHER_HIDDEN * classes).map((v) => v / Math.sqrt(TEACHER_HIDDEN));
  return {
    inputDim,
    classes,
    label(x, rows) {
      const out = new Int32Array(rows);
      const h = new Float64Array(TEACHER_HIDDEN);
      for (let r = 0; r < rows; r++) {
        h.fill(0);
        for (let i = 0; i < inputDim; i++) {
          const xi = x[r * inputDim + i]!;
          for (let j = 0; j < TEACHER_HIDDEN; j++) h[j]! += xi * w1[i * TEACHER_HIDDEN + j]!;
        }
        let best = 0;
        let bestV = -Infinity;
        for (let c = 0; c < classes; c++) {
          let v = 0;
          for (let j = 0; j < TEACHER_HIDDEN; j++) v += Math.tanh(h[j]!) * w2[j * classes + c]!;
          if (v > bestV) {
            bestV = v;
            best = c;
          }
        }
        out[r] = best;
      }
      return out;
    },
  };
}

/** Inputs and one-hot labels of step `step` for a trial with seed `seed`, as plain arrays. */
export function teacherBatchArrays(teacher: Teacher, seed: number, step: number, batch = DEFAULT_BATCH) {
  const x = normals(mulberry32(mixSeed(1000 + seed, step)), batch * teacher.inputDim);
  const labels = teacher.label(x, batch);
  const y = new Float32Array(batch * teacher.classes);
  labels.forEach((c, r) => (y[r * teacher.classes + c] = 1));
  return { x, labels, y };
}

/** `(step) => {xs, ys}` for the teacher task on the given tfjs instance. */
export function teacherData(tf: typeof tfType, inputDim: number, classes: number, seed: number, batch = DEFAULT_BATCH): DataFn {
  const teacher = makeTeacher(inputDim, classes);
  return (step) => {
    const { x, y } = teacherBatchArrays(teacher, seed, step, batch);
    return { xs: tf.tensor2d(x, [batch, inputDim]), ys: tf.tensor2d(y, [batch, classes]) };
  };
}
