import { tf } from '../tf.js';
import type { Tensor1D, Tensor4D } from '../tf.js';
import { dilatedGradientsSupported } from '../backends/conv2d-grad.js';
import { axisPadding, convOutputSize, pair, type PaddingSpec } from './padding.js';

export interface AtrousConv2dOptions {
  /** Dilation rate (Chen et al., DeepLab §3.1; Yu & Koltun, ICLR 2016 §2). Default 1. */
  rate?: number | [number, number];
  /** `'same'` (default), `'valid'` or symmetric pixels as in PyTorch's `padding=`. */
  padding?: PaddingSpec;
  /** Optional bias `[outChannels]`. */
  bias?: Tensor1D;
}

/**
 * Whether a gradient tape is recording (inside `tf.grads`, `optimizer.minimize`, ...). Reads the
 * engine's gradient depth, which TensorFlow.js does not expose publicly.
 */
export function isRecordingGradients(): boolean {
  const engine = tf.engine() as unknown as { state?: { gradientDepth?: number } };
  return (engine.state?.gradientDepth ?? 1) > 0;
}

/**
 * Dilated (atrous) 2-D convolution, stride 1, with gradients for any rate.
 *
 * TensorFlow.js refuses gradients of `conv2d` with dilation > 1. On wasm pixelwise's Conv2D
 * gradient handles dilation (backends/conv2d-grad.ts), so the dilated convolution runs directly.
 * On other backends, while a gradient tape records, rate > 1 uses the space-to-batch identity (the way `tf.nn.atrous_conv2d` does): a
 * dilated convolution equals a dense convolution on the `rate x rate` polyphase components of
 * the padded input. All three steps (SpaceToBatchND, Conv2D, BatchToSpaceND) have gradients and
 * are standard ONNX operators. Without a tape (inference) the backend's dilated convolution
 * computes the same values directly: on wasm, SpaceToBatchND/BatchToSpaceND cost more than the
 * convolution itself (2.4x slower Deep Layer Cascade in full mode, docs/BENCHMARKS.md).
 *
 * @param x `[N, H, W, Cin]`
 * @param filter `[kH, kW, Cin, Cout]` (TensorFlow layout)
 * @returns `[N, Ho, Wo, Cout]` with `Ho = H + padTop + padBottom - rate*(kH-1)`
 */
export function atrousConv2d(x: Tensor4D, filter: Tensor4D, options: AtrousConv2dOptions = {}): Tensor4D {
  const [rh, rw] = pair(options.rate ?? 1, 'atrousConv2d rate');
  const padding = options.padding ?? 'same';
  if (x.rank !== 4 || filter.rank !== 4) {
    throw new Error(`atrousConv2d: expected x [N,H,W,C] and filter [kH,kW,Cin,Cout], got ${JSON.stringify(x.shape)} and ${JSON.stringify(filter.shape)}`);
  }
  const [, h, w, cin] = x.shape;
  const [kh, kw, fcin] = filter.shape;
  if (cin !== fcin) {
    throw new Error(`atrousConv2d: input has ${cin} channels but filter ${JSON.stringify(filter.shape)} expects ${fcin}`);
  }
  const padH = axisPadding(padding, h, kh, rh, 1);
  const padW = axisPadding(padding, w, kw, rw, 1);
  convOutputSize(h, padH, kh, rh, 1, 'atrousConv2d');
  convOutputSize(w, padW, kw, rw, 1, 'atrousConv2d');
  return tf.tidy(() => {
    let y: Tensor4D;
    if (rh === 1 && rw === 1) {
      y = tf.conv2d(x, filter, 1, [[0, 0], padH, padW, [0, 0]]);
    } else if (!isRecordingGradients() || dilatedGradientsSupported()) {
      y = tf.conv2d(x, filter, 1, [[0, 0], padH, padW, [0, 0]], 'NHWC', [rh, rw]);
    } else {
      // Round the padded size up to a multiple of the rate; the surplus is cropped afterwards.
      const extraH = (rh - ((h + padH[0] + padH[1]) % rh)) % rh;
      const extraW = (rw - ((w + padW[0] + padW[1]) % rw)) % rw;
      const phases = tf.spaceToBatchND(x, [rh, rw], [
        [padH[0], padH[1] + extraH],
        [padW[0], padW[1] + extraW],
      ]);
      const conv = tf.conv2d(phases, filter, 1, 'valid');
      y = tf.batchToSpaceND(conv, [rh, rw], [
        [0, extraH],
        [0, extraW],
      ]);
    }
    return options.bias ? tf.add(y, options.bias) : y;
  });
}
