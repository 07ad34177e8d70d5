import { tf } from '../tf.js';
import type { Tensor, Tensor2D, Tensor4D } from '../tf.js';
import { pair, pooledOutputSize } from './padding.js';

export interface MaxPoolSwitchesOptions {
  /** Window size. */
  size: number | [number, number];
  /** Stride; default the window size. */
  stride?: number | [number, number];
  /** Symmetric padding with -Infinity, as PyTorch's `padding=`. Default 0. */
  padding?: number;
  /** PyTorch's `ceil_mode`. Default false. */
  ceilMode?: boolean;
}

export interface MaxPoolWithSwitches {
  /** `[N, Ho, Wo, C]` */
  output: Tensor4D;
  /**
   * `[N, Ho, Wo, C]` int32: for each output, the flat position `y * W + x` of its maximum in the
   * input plane of that image and channel (PyTorch's `return_indices`; first maximum on ties).
   */
  switches: Tensor4D;
}

/**
 * Max pooling that also returns the switches (argmax positions), for the unpooling of
 * DeconvNet (Noh et al., ICCV 2015 §3.2.1) and SegNet (Badrinarayanan et al., TPAMI 2017 §3).
 * Equal to PyTorch's `max_pool2d(..., return_indices=True)`; the gradient reaches only the
 * selected input, as in PyTorch.
 *
 * Built from `k*k` shifted, strided views and `where`: standard operators with gradients on
 * every backend (TensorFlow.js's `maxPoolWithArgmax` has neither a gradient nor a wasm kernel).
 *
 * @param x `[N, H, W, C]`
 */
export function maxPoolWithSwitches(x: Tensor4D, options: MaxPoolSwitchesOptions): MaxPoolWithSwitches {
  const [kh, kw] = pair(options.size, 'maxPoolWithSwitches size');
  const [sh, sw] = pair(options.stride ?? options.size, 'maxPoolWithSwitches stride');
  const p = options.padding ?? 0;
  if (!Number.isInteger(p) || p < 0 || 2 * p > Math.min(kh, kw)) {
    throw new Error(`maxPoolWithSwitches: padding must be an integer in [0, size/2], got ${p}`);
  }
  const [n, h, w, c] = x.shape;
  const ho = pooledOutputSize(h, kh, sh, p, options.ceilMode ?? false, 'maxPoolWithSwitches');
  const wo = pooledOutputSize(w, kw, sw, p, options.ceilMode ?? false, 'maxPoolWithSwitches');
  // Pad so every shifted view [k + i*s for i < Ho] can be cut as a whole [Ho*s] block.
  const needH = kh - 1 + ho * sh;
  const needW = kw - 1 + wo * sw;
  const argmax = (input: Tensor4D): Tensor4D => {
    const xp = tf.pad(input, [[0, 0], [p, Math.max(needH - h - p, 0)], [p, Math.max(needW - w - p, 0)], [0, 0]], -Infinity);
    let best: Tensor4D | undefined;
    let index: Tensor4D | undefined;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const block = tf.slice(xp, [0, ky, kx, 0], [n, ho * sh, wo * sw, c]);
        const view = tf.reshape(tf.slice(tf.reshape(block, [n, ho, sh, wo, sw, c]), [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]), [n, ho, wo, c]) as Tensor4D;
        const pos = tf.broadcastTo(positions(ho, wo, sh, sw, ky - p, kx - p, w), [n, ho, wo, c]) as Tensor4D;
        if (best === undefined || index === undefined) {
          best = view;
          index = pos;
        } else {
          // Strictly greater: the first maximum in scan order wins ties, as in PyTorch.
          const take = tf.greater(view, best);
          best = tf.where(take, view, best);
          index = tf.where(take, pos, index);
        }
      }
    }
    return index as Tensor4D;
  };
  return tf.tidy(() => {
    // The switches are piecewise constant in x: their gradient is zero, and computing them
    // inside a custom op keeps the comparisons (which have no gradients) off the tape.
    const switchOp = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
      const input = args[0] as Tensor4D;
      return { value: argmax(input), gradFunc: () => tf.zeros(input.shape) };
    });
    const switches = switchOp(x) as Tensor4D;
    const flat = flatPositions(switches, h, w);
    const values = tf.reshape(gatherRows(tf.reshape(x, [n * h * w * c]), flat), [n, ho, wo, c]) as Tensor4D;
    return { output: values, switches };
  });
}

/** `[P, 1]` int32 indices into the flattened `[N*h*w*C]` plane tensor for each switch. */
function flatPositions(switches: Tensor4D, h: number, w: number): Tensor2D {
  const [n, ho, wo, c] = switches.shape;
  return tf.tidy(() => {
    const base = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(h * w, 'int32')), [n, 1, 1, 1]);
    const chan = tf.reshape(tf.range(0, c, 1, 'int32'), [1, 1, 1, c]);
    const flat = tf.add(tf.mul(tf.add(tf.cast(switches, 'int32'), base), tf.scalar(c, 'int32')), chan);
    return tf.reshape(flat, [n * ho * wo * c, 1]) as Tensor2D;
  });
}

/**
 * Rows of `table` at `indices` (`[P, 1]` int32); the gradient scatters back into the table
 * (summing repeats). Avoids GatherNd, which has no gradient in TensorFlow.js.
 */
function gatherRows(table: Tensor, indices: Tensor2D): Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as Tensor;
    const at = args[1] as Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    save([at]);
    const rows = t.shape[0] ?? 0;
    return {
      value: tf.gatherND(t, at),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const kept = saved[0] as Tensor2D;
        return [tf.scatterND(kept, dy, [rows, ...t.shape.slice(1)]), tf.zeros(kept.shape)];
      },
    };
  });
  return op(table, indices);
}

/** `[1, Ho, Wo, 1]` int32 flat input positions of window offset (dy, dx). */
function positions(ho: number, wo: number, sh: number, sw: number, dy: number, dx: number, width: number): Tensor4D {
  const data = new Int32Array(ho * wo);
  for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) data[i * wo + j] = (i * sh + dy) * width + (j * sw + dx);
  return tf.tensor4d(data, [1, ho, wo, 1], 'int32');
}

/**
 * Scatters rows of `values` into a zero tensor of `rows` rows at `indices`, with the gather
 * as its gradient (TensorFlow.js registers no gradient for ScatterNd).
 *
 * @param values `[P, C]` or `[P]`
 * @param indices `[P, 1]` int32, distinct
 */
export function scatterRows(values: Tensor, indices: Tensor2D, rows: number): Tensor {
  // Indices go in as an input so the tape keeps them alive until the backward pass.
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const v = args[0] as Tensor;
    const at = args[1] as Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    save([at]);
    return {
      value: tf.scatterND(at, v, [rows, ...v.shape.slice(1)]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const kept = saved[0] as Tensor2D;
        return [tf.gatherND(dy, kept), tf.zeros(kept.shape)];
      },
    };
  });
  return op(values, indices);
}

/**
 * Max unpooling with switches: places each value of `x` at its switch position of a zero map of
 * `[N, h, w, C]` — PyTorch's `max_unpool2d`. Gradients flow back to `x` through the switches.
 * With overlapping windows two values can share a position; they are summed (PyTorch keeps one).
 *
 * @param x `[N, Ho, Wo, C]`
 * @param switches `[N, Ho, Wo, C]` int32 from {@link maxPoolWithSwitches}
 * @param size output `[h, w]`
 */
export function maxUnpool(x: Tensor4D, switches: Tensor4D, size: [number, number]): Tensor4D {
  if (x.shape.join() !== switches.shape.join()) {
    throw new Error(`maxUnpool: values ${JSON.stringify(x.shape)} and switches ${JSON.stringify(switches.shape)} differ in shape`);
  }
  const [n, ho, wo, c] = x.shape;
  const [h, w] = size;
  return tf.tidy(() => {
    const indices = flatPositions(switches, h, w);
    const out = scatterRows(tf.reshape(x, [n * ho * wo * c]), indices, n * h * w * c);
    return tf.reshape(out, [n, h, w, c]) as Tensor4D;
  });
}
