/**
 * End-point error (EPE: the Euclidean distance between predicted and true flow vectors,
 * averaged over pixels with known ground truth) and FlowNet's multi-scale EPE training loss
 * (Dosovitskiy et al., ICCV 2015, section 3 "Refinement"; weights of FlowNetPytorch:
 * 0.32, 0.08, 0.02, 0.01, 0.005 from flow6 to flow2).
 */
import { tf } from '@pixelwise/core';
import type { FlowField } from '@pixelwise/core/io';
import type { Scalar, Tensor, Tensor4D } from '@pixelwise/core';

/** Middlebury threshold: |u| or |v| at or above it (or NaN) means unknown. */
const UNKNOWN = 1e9;

/** True where the flow vector is known. */
export function isKnownFlow(u: number, v: number): boolean {
  return Math.abs(u) < UNKNOWN && Math.abs(v) < UNKNOWN;
}

/** Sum of end-point errors and the number of pixels with known ground truth. */
export interface EpeSum {
  sum: number;
  pixels: number;
}

/**
 * End-point error of `predicted` against `truth` over the pixels where the truth is known
 * (`predicted` undefined: the zero-flow baseline). Add sums over pairs and divide once.
 * @throws Error when the sizes differ.
 */
export function endPointError(predicted: FlowField | undefined, truth: FlowField): EpeSum {
  if (predicted !== undefined && (predicted.width !== truth.width || predicted.height !== truth.height)) {
    throw new Error(`size mismatch: predicted flow is ${predicted.width}x${predicted.height}, ground truth ${truth.width}x${truth.height}`);
  }
  let sum = 0;
  let pixels = 0;
  const n = truth.width * truth.height;
  for (let p = 0; p < n; p++) {
    const u = truth.data[2 * p] as number;
    const v = truth.data[2 * p + 1] as number;
    if (!isKnownFlow(u, v)) continue;
    const pu = predicted === undefined ? 0 : (predicted.data[2 * p] as number);
    const pv = predicted === undefined ? 0 : (predicted.data[2 * p + 1] as number);
    sum += Math.hypot(pu - u, pv - v);
    pixels++;
  }
  return { sum, pixels };
}

/** EPE pooled over many pairs: of the predictions and of zero flow, over the same known pixels. */
export class EpeAccumulator {
  private sum = 0;
  private zero = 0;
  private known = 0;
  private count = 0;
  /** Adds one pair's predicted flow and its ground truth (sizes must match). */
  add(predicted: FlowField, truth: FlowField): void {
    const e = endPointError(predicted, truth);
    this.sum += e.sum;
    this.known += e.pixels;
    this.zero += endPointError(undefined, truth).sum;
    this.count++;
  }
  /** Mean EPE in pixels over known pixels, zero flow's, and what it was pooled over. */
  result(): { epe: number; zeroFlowEpe: number; pairs: number; pixels: number } {
    const n = Math.max(1, this.known);
    return { epe: this.sum / n, zeroFlowEpe: this.zero / n, pairs: this.count, pixels: this.known };
  }
}

/** FlowNetPytorch's scale weights, coarse (flow6) to fine (flow2). */
export const MULTISCALE_WEIGHTS = [0.32, 0.08, 0.02, 0.01, 0.005];

/**
 * Multi-scale EPE: at each prediction's scale the ground truth is average-pooled over the
 * known pixels (a scale pixel is known when any of its full-resolution pixels is), divided by
 * `divFlow`, and the mean EPE over known scale pixels is weighted and summed.
 * @param flows predictions coarse to fine, `[N, H/s, W/s, 2]` in pixels / `divFlow`.
 * @param truth `[N, H, W, 2]` ground truth in pixels, unknown values already zeroed.
 * @param known `[N, H, W, 1]` 1 where the ground truth is known.
 */
export function multiscaleEpe(flows: Tensor4D[], truth: Tensor4D, known: Tensor4D, divFlow: number, weights: readonly number[] = MULTISCALE_WEIGHTS): Scalar {
  if (weights.length < flows.length) throw new Error(`multiscaleEpe: ${flows.length} scales but ${weights.length} weights`);
  return tf.tidy(() => {
    const [, h, w] = truth.shape;
    const masked = tf.mul(truth, known) as Tensor4D;
    const terms: Tensor[] = flows.map((flow, i) => {
      const [, fh, fw] = flow.shape;
      const factor = h / fh;
      if (!Number.isInteger(factor) || factor !== w / fw) throw new Error(`multiscaleEpe: prediction [${flow.shape.join(', ')}] is not an integer downscale of [${truth.shape.join(', ')}]`);
      const count = factor === 1 ? known : tf.avgPool(known, factor, factor, 'valid');
      const sum = factor === 1 ? masked : tf.avgPool(masked, factor, factor, 'valid');
      const target = tf.div(tf.divNoNan(sum, count), divFlow);
      const valid = tf.cast(tf.greater(count, 0), 'float32');
      const epe = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(flow, target)), 3, true), 1e-12));
      const mean = tf.div(tf.sum(tf.mul(epe, valid)), tf.maximum(tf.sum(valid), 1));
      return tf.mul(mean, weights[i] as number);
    });
    return tf.addN(terms) as Scalar;
  });
}
