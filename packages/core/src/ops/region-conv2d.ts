import { tf } from '../tf.js';
import type { Tensor1D, Tensor2D, Tensor4D } from '../tf.js';
import { im2col, type PatchPlan } from './im2col.js';
import { scatterRows } from './max-pool-switches.js';
import { axisPadding, convOutputSize, pair, type PaddingSpec } from './padding.js';

export interface RegionConv2dOptions {
  /** Dilation rate. Default 1. */
  rate?: number | [number, number];
  /** Stride. Default 1. */
  stride?: number | [number, number];
  /** `'same'` (default), `'valid'` or symmetric pixels. */
  padding?: PaddingSpec;
  /** Optional bias `[Cout]`, added at the masked positions only. */
  bias?: Tensor1D;
}

/** Flat output positions `n*Ho*Wo + y*Wo + x` where `mask > 0.5`, in raster order. */
export function maskPositions(mask: Tensor4D): Int32Array {
  const values = mask.dataSync();
  let count = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) > 0.5) count++;
  const out = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) > 0.5) out[j++] = i;
  return out;
}

/**
 * Region convolution (Li et al., "Not All Pixels are Equal", CVPR 2017 §3.2): the convolution
 * evaluated only at the positions where `mask` is 1, zero elsewhere.
 *
 * Computed sparsely so that its cost follows the mask: the `kH*kW` taps of each masked position
 * are gathered into one `[P, kH*kW*Cin]` patch matrix ({@link im2col}), multiplied once by the
 * filter, and the `[P, Cout]` result is scattered into the output. At the masked positions it
 * equals the dense convolution. Gradients reach `x`, `filter` and `bias`. In ONNX terms: Gather,
 * MatMul, ScatterND.
 *
 * @param x `[N, H, W, Cin]`
 * @param filter `[kH, kW, Cin, Cout]`
 * @param mask `[N, Ho, Wo, 1]`, 1 where the output is wanted (read on the CPU to plan the gather)
 * @returns `[N, Ho, Wo, Cout]`
 */
export function regionConv2d(x: Tensor4D, filter: Tensor4D, mask: Tensor4D, options: RegionConv2dOptions = {}): Tensor4D {
  const [rh, rw] = pair(options.rate ?? 1, 'regionConv2d rate');
  const [sh, sw] = pair(options.stride ?? 1, 'regionConv2d stride');
  const padding = options.padding ?? 'same';
  const [n, h, w, cin] = x.shape;
  const [kh, kw, fcin, cout] = filter.shape;
  if (cin !== fcin) throw new Error(`regionConv2d: input has ${cin} channels but filter ${JSON.stringify(filter.shape)} expects ${fcin}`);
  const padH = axisPadding(padding, h, kh, rh, sh);
  const padW = axisPadding(padding, w, kw, rw, sw);
  const ho = convOutputSize(h, padH, kh, rh, sh, 'regionConv2d');
  const wo = convOutputSize(w, padW, kw, rw, sw, 'regionConv2d');
  const expected = [n, ho, wo, 1];
  if (mask.shape.join() !== expected.join()) {
    throw new Error(`regionConv2d: mask must be ${JSON.stringify(expected)} (the output grid), got ${JSON.stringify(mask.shape)}`);
  }
  const positions = maskPositions(mask);
  const p = positions.length;
  if (p === 0) return tf.zeros([n, ho, wo, cout]);
  const plan: PatchPlan = { positions, outHeight: ho, outWidth: wo, kernel: [kh, kw], rate: [rh, rw], stride: [sh, sw], padTop: padH[0], padLeft: padW[0] };
  return tf.tidy(() => {
    const patches = im2col(x, plan);
    let values = tf.matMul(patches, tf.reshape(filter, [kh * kw * cin, cout]));
    if (options.bias) values = tf.add(values, options.bias);
    const at = tf.tensor2d(positions, [p, 1], 'int32') as Tensor2D;
    return tf.reshape(scatterRows(values, at, n * ho * wo), [n, ho, wo, cout]) as Tensor4D;
  });
}
