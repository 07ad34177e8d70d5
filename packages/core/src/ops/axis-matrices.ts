/**
 * The 1-D linear maps behind core's separable ops, as plain row-major `Float32Array`s `[out, in]`.
 * No TensorFlow.js: the tfjs ops ({@link ./resize-bilinear.ts}, {@link ./adaptive-avg-pool2d.ts})
 * and the ONNX export (`@pixelwise/core/onnx`) build the same matrices from this one definition.
 */

/**
 * Averaging weights of one axis with PyTorch's bin boundaries (`adaptive_avg_pool2d`):
 * bin `i` covers `[floor(i*in/out), ceil((i+1)*in/out))`, so bins overlap when `out` does not
 * divide `in` (PSPNet's bins 1, 2, 3, 6 on a 60- or 97-pixel map, for example).
 *
 * @returns `[outSize, inSize]`, row-major
 */
export function adaptivePoolMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    for (let i = start; i < end; i++) m[o * inSize + i] = 1 / (end - start);
  }
  return m;
}

/**
 * Bilinear interpolation weights of one axis, exactly as PyTorch's
 * `F.interpolate(mode='bilinear')` computes them for an explicit output size.
 * `alignCorners: false`: `src = max((dst + 0.5) * in / out - 0.5, 0)`;
 * `true`: `src = dst * (in - 1) / (out - 1)` (0 when `out` is 1).
 *
 * @returns `[outSize, inSize]`, row-major
 */
export function bilinearMatrix(inSize: number, outSize: number, alignCorners: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (alignCorners) {
      src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    } else {
      src = Math.max(((o + 0.5) * inSize) / outSize - 0.5, 0);
    }
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const frac = src - i0;
    m[o * inSize + i0] = (m[o * inSize + i0] ?? 0) + (1 - frac);
    m[o * inSize + i1] = (m[o * inSize + i1] ?? 0) + frac;
  }
  return m;
}
