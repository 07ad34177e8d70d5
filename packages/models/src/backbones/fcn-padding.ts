/**
 * FCN's 100-pixel padding of conv1_1 (Long, Shelhamer & Darrell, CVPR 2015 §4.1: it keeps the
 * 32x-downsampled map large enough for fc6's 7x7 window) without computing most of it, for the
 * ONNX export of conv1_1 ... pool3 (VGG-16 stages 1-3, FCN's Clockwork stage 1).
 *
 * Why it is exact: outside the frame (and a 1-pixel rim), conv1_1 sees only zeros, so its output
 * there is one constant per channel (ReLU of its bias); every later unit whose receptive field
 * lies in that constant band, away from the map's border (where the convolutions pad with zeros
 * and ceil-mode pooling has partial windows), is one constant too. Along each axis the pool3 map
 * is: rows that see the border, constant rows, rows that see the frame, constant rows, rows that
 * see the far border. Padding conv1_1 by `100 - 8m` instead of 100 removes `m` of the constant
 * pool3 rows on each side (8m input rows: whole pooling windows, so every remaining unit sees the
 * same values at the same offsets from the border and from the frame as before), and a `Gather`
 * that repeats one constant row `m` times on each side gives back the full pool3 map, value for
 * value. Per axis, with `n` input rows and a pool3 row `r` seeing conv1_1 rows `[8r - 17, 8r + 24]`
 * (conv1_2, 2x conv2, 3x conv3 at pool strides 1, 2, 4; pools of 2): conv1_1 rows `[0, 97 - 8m]`
 * are the near band, `[98 - 8m, n + 99 - 8m]` see the frame, `[n + 100 - 8m, n + 197 - 16m]` the far
 * band. A constant row exists in the near band for m <= 6 (r = 3: 8r - 17 >= 0 and
 * 8r + 24 <= 97 - 8m), and always in the far band. With m = 6, conv1 ... conv3 run on
 * `(n + 102)^2` positions instead of `(n + 198)^2`: about half at 128x128.
 *
 * The TensorFlow.js forward (training included) does the same with {@link repeatRows}: a removed
 * row is the same function of the weights as the row that stands in for it (the same operations
 * on the same zeros), so the gradient that reaches the repeated row, summed by the repeat's
 * backward pass, is the one the removed rows would have passed on.
 */
import { tf } from '@pixelwise/core';

/** Pool3 rows of each padding band that the export does not compute (the most that stays exact). */
export const FCN_SKIPPED_PAD_ROWS = 6;
/** conv1_1's padding in FCN (Caffe's `pad: 100`). */
export const FCN_FIRST_PADDING = 100;

const ceilHalf = (n: number) => Math.ceil(n / 2);
/** Pool3 rows of conv1_1's output of `rows` rows (three 2x2 ceil-mode pools). */
const pool3Rows = (rows: number) => ceilHalf(ceilHalf(ceilHalf(rows)));

/**
 * For an axis of `n` input pixels: the padding conv1_1 gets in the export and, for each row of the
 * full pool3 map, the row of the reduced map that holds its values (the `Gather` indices).
 */
export function fcnReducedPadding(n: number, m = FCN_SKIPPED_PAD_ROWS): { padding: number; rows: number[] } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`FCN padding: the input must have at least one row, got ${n}`);
  if (!Number.isInteger(m) || m < 0 || m > FCN_SKIPPED_PAD_ROWS) throw new Error(`FCN padding: at most ${FCN_SKIPPED_PAD_ROWS} rows of each band can be skipped exactly, got ${m}`);
  const full = pool3Rows(n + 2 * FCN_FIRST_PADDING - 2);
  const reduced = pool3Rows(n + 2 * (FCN_FIRST_PADDING - 8 * m) - 2);
  // A constant row of each band in the reduced map (see the file's comment for the bounds).
  const near = 3;
  const far = Math.ceil((n + 117 - 8 * m) / 8);
  if (reduced + 2 * m !== full || 8 * far + 24 > n + 197 - 16 * m) throw new Error(`FCN padding: no constant far row for ${n} rows`);
  const rows = Array.from({ length: full }, (_, r) => {
    if (r <= near) return r;
    if (r <= near + m) return near;
    if (r <= far + m) return r - m;
    if (r <= far + 2 * m) return far;
    return r - 2 * m;
  });
  return { padding: FCN_FIRST_PADDING - 8 * m, rows };
}

/**
 * `x` with `rows[r]` as its row `r` along `axis` (a gather, as runs of consecutive rows sliced
 * and concatenated: differentiable on every backend, and a repeated row's gradients add up).
 */
export function repeatRows<T extends tf.Tensor>(x: T, axis: number, rows: readonly number[]): T {
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < rows.length; ) {
      const start = rows[i] ?? 0;
      let end = i + 1;
      while (end < rows.length && rows[end] === start + (end - i)) end++;
      const begin = x.shape.map((_, a) => (a === axis ? start : 0));
      const size = x.shape.map((d, a) => (a === axis ? end - i : d));
      parts.push(tf.slice(x, begin, size));
      i = end;
    }
    return (parts.length === 1 ? parts[0] : tf.concat(parts, axis)) as T;
  });
}
