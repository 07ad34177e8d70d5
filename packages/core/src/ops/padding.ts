/** Padding arithmetic shared by the convolution ops. */

/** `'same'` (TensorFlow's rule), `'valid'`, or a symmetric number of pixels (PyTorch's `padding=p`). */
export type PaddingSpec = 'same' | 'valid' | number;

/** Pixels to add before and after one spatial axis. */
export type AxisPadding = [before: number, after: number];

/** Normalises a scalar-or-pair option to a pair `[height, width]`. */
export function pair(value: number | readonly [number, number], name: string): [number, number] {
  const p: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  for (const v of p) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
    }
  }
  return p;
}

/** Effective extent of a dilated kernel: `(k - 1) * rate + 1`. */
export function effectiveKernel(kernel: number, rate: number): number {
  return (kernel - 1) * rate + 1;
}

/**
 * Padding of one axis for a convolution of `kernel` taps spaced `rate` apart with `stride`.
 * `'same'` follows TensorFlow: output `ceil(size / stride)`, the odd pixel goes after.
 */
export function axisPadding(padding: PaddingSpec, size: number, kernel: number, rate: number, stride: number): AxisPadding {
  if (padding === 'valid') return [0, 0];
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding) || padding < 0) throw new Error(`padding must be a non-negative integer, got ${padding}`);
    return [padding, padding];
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(kernel, rate) - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output size of one axis after padding. Throws when the kernel does not fit. */
export function convOutputSize(size: number, pad: AxisPadding, kernel: number, rate: number, stride: number, what: string): number {
  const span = size + pad[0] + pad[1] - effectiveKernel(kernel, rate);
  if (span < 0) {
    throw new Error(
      `${what}: kernel ${kernel} at rate ${rate} (extent ${effectiveKernel(kernel, rate)}) does not fit an input of ${size} padded by [${pad[0]}, ${pad[1]}]`,
    );
  }
  return Math.floor(span / stride) + 1;
}

/**
 * Output size of one axis of max/average pooling, PyTorch's rule: `floor` (or `ceil` with
 * `ceilMode`) of `(size + 2 * padding - kernel) / stride` plus one, where in ceil mode the last
 * window must still start inside the input or the left padding.
 */
export function pooledOutputSize(size: number, kernel: number, stride: number, padding: number, ceilMode: boolean, what: string): number {
  const span = size + 2 * padding - kernel;
  if (span < 0) throw new Error(`${what}: window ${kernel} does not fit an input of ${size} padded by ${padding}`);
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= size + padding) out -= 1;
  return out;
}
