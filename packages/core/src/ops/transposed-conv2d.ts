import { tf } from '../tf.js';
import type { Tensor1D, Tensor4D } from '../tf.js';
import { pair } from './padding.js';

export interface TransposedConv2dOptions {
  /** Upsampling stride. Default 1. */
  stride?: number | [number, number];
  /** PyTorch `ConvTranspose2d(padding=p)`: crops `p` pixels from each side of the full output. Default 0. */
  padding?: number | [number, number];
  /** PyTorch `output_padding`: extra rows/columns at the bottom/right. Default 0. */
  outputPadding?: number | [number, number];
  /** Optional bias `[outChannels]`. */
  bias?: Tensor1D;
}

function nonNegativePair(v: number | [number, number] | undefined, name: string): [number, number] {
  const p: [number, number] = v === undefined ? [0, 0] : typeof v === 'number' ? [v, v] : v;
  if (!p.every((e) => Number.isInteger(e) && e >= 0)) throw new Error(`${name} must be non-negative integers, got ${JSON.stringify(v)}`);
  return p;
}

/**
 * Transposed convolution ("deconvolution", FCN §3.3) with PyTorch's `ConvTranspose2d` size rule
 * `out = (in - 1) * stride - 2 * padding + kernel + outputPadding`.
 *
 * @param x `[N, H, W, Cin]`
 * @param filter `[kH, kW, Cout, Cin]` (TensorFlow's `conv2dTranspose` layout; PyTorch's
 *   `[Cin, Cout, kH, kW]` weight transposed by `[2, 3, 1, 0]`)
 */
export function transposedConv2d(x: Tensor4D, filter: Tensor4D, options: TransposedConv2dOptions = {}): Tensor4D {
  const [sh, sw] = pair(options.stride ?? 1, 'transposedConv2d stride');
  const [ph, pw] = nonNegativePair(options.padding, 'transposedConv2d padding');
  const [oph, opw] = nonNegativePair(options.outputPadding, 'transposedConv2d outputPadding');
  const [n, h, w, cin] = x.shape;
  const [kh, kw, cout, fcin] = filter.shape;
  if (cin !== fcin) {
    throw new Error(`transposedConv2d: input has ${cin} channels but filter ${JSON.stringify(filter.shape)} expects ${fcin} (layout [kH,kW,Cout,Cin])`);
  }
  const fullH = (h - 1) * sh + kh;
  const fullW = (w - 1) * sw + kw;
  const outH = fullH - 2 * ph + oph;
  const outW = fullW - 2 * pw + opw;
  if (outH < 1 || outW < 1) throw new Error(`transposedConv2d: padding ${ph},${pw} leaves no output from a ${fullH}x${fullW} result`);
  return tf.tidy(() => {
    const full = tf.conv2dTranspose(x, filter, [n, fullH, fullW, cout], [sh, sw], 'valid');
    const keepH = Math.min(outH, fullH - ph);
    const keepW = Math.min(outW, fullW - pw);
    let y: Tensor4D = tf.slice(full, [0, ph, pw, 0], [n, keepH, keepW, cout]);
    if (keepH < outH || keepW < outW) y = tf.pad(y, [[0, 0], [0, outH - keepH], [0, outW - keepW], [0, 0]]);
    return options.bias ? tf.add(y, options.bias) : y;
  });
}

/**
 * 1-D bilinear interpolation kernel of FCN's `upsample_filt` (Long et al., CVPR 2015 §3.3):
 * size `2f - f % 2`, tent centred at `f - 1` (odd size) or `f - 0.5` (even size).
 */
export function bilinearKernel1d(factor: number): Float32Array {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`bilinear factor must be a positive integer, got ${factor}`);
  const size = 2 * factor - (factor % 2);
  const center = size % 2 === 1 ? factor - 1 : factor - 0.5;
  const k = new Float32Array(size);
  for (let i = 0; i < size; i++) k[i] = 1 - Math.abs(i - center) / factor;
  return k;
}

/**
 * FCN's fixed/initial deconvolution weights: a `[k, k, channels, channels]` filter
 * (k = `2*factor - factor%2`) that upsamples each channel bilinearly and does not mix channels.
 */
export function bilinearUpsampleFilter(factor: number, channels: number): Tensor4D {
  const k1 = bilinearKernel1d(factor);
  const k = k1.length;
  const data = new Float32Array(k * k * channels * channels);
  for (let y = 0; y < k; y++) {
    for (let x = 0; x < k; x++) {
      const v = (k1[y] ?? 0) * (k1[x] ?? 0);
      for (let c = 0; c < channels; c++) data[((y * k + x) * channels + c) * channels + c] = v;
    }
  }
  return tf.tensor4d(data, [k, k, channels, channels]);
}

export interface BilinearUpsampleOptions {
  /**
   * Learned weights `[k, k, C, C]` (FCN trains them from the bilinear initialisation); default
   * the fixed bilinear filter.
   */
  filter?: Tensor4D;
  /**
   * `'fcn'` (default): FCN's layer, kernel `2f`, stride `f`, no padding, output `(H+1)*f`
   * (`(H-1)*f + 2f`), cropped later with {@link cropLike}. `'same'`: padding `f/2` (even `f`)
   * giving exactly `H*f`, equal to bilinear resize with `alignCorners: false` away from the border.
   */
  mode?: 'fcn' | 'same';
}

/**
 * Upsamples `[N, H, W, C]` by an integer factor with a (learnable) bilinear transposed convolution.
 *
 * Without a learned `filter` the fixed bilinear filter neither mixes channels nor is it anything
 * but the outer product of two 1-D tents, so it is applied as such: channels moved into the batch
 * and two 1-D transposed convolutions (rows, then columns) — `2k` instead of `k*k*C` multiply-adds
 * per input value and channel, the same values (a test compares with the dense filter).
 */
export function bilinearUpsample(x: Tensor4D, factor: number, options: BilinearUpsampleOptions = {}): Tensor4D {
  const channels = x.shape[3];
  const mode = options.mode ?? 'fcn';
  return tf.tidy(() => {
    const k = bilinearKernel1d(factor).length;
    const total = k - factor;
    const pad = mode === 'fcn' ? 0 : Math.floor(total / 2);
    const extra = mode === 'fcn' ? 0 : total % 2;
    if (options.filter) return transposedConv2d(x, options.filter, { stride: factor, padding: pad, outputPadding: extra });
    const [n, h, w] = x.shape;
    const tent = bilinearKernel1d(factor);
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * channels, h, w, 1]) as Tensor4D;
    const rows = transposedConv2d(planes, tf.tensor4d(tent, [k, 1, 1, 1]), { stride: [factor, 1], padding: [pad, 0], outputPadding: [extra, 0] });
    const both = transposedConv2d(rows, tf.tensor4d(tent, [1, k, 1, 1]), { stride: [1, factor], padding: [0, pad], outputPadding: [0, extra] });
    const [, oh, ow] = both.shape;
    return tf.transpose(tf.reshape(both, [n, channels, oh, ow]), [0, 2, 3, 1]) as Tensor4D;
  });
}
