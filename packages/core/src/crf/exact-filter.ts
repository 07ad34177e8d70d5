/**
 * Exact Gaussian filtering, `out_i = sum_j exp(-|f_i - f_j|^2 / 2) in_j` over all pairs (self
 * term included), in O(N^2 (d + V)). The reference the permutohedral lattice is tested against,
 * and the filter of the dense CRF on images small enough to afford it (`filter: 'exact'`).
 */

/** Largest point count the exact filter accepts (N^2 kernel evaluations per call). */
export const MAX_EXACT_POINTS = 16_384;

/**
 * @param features `[N, d]` row-major, divided by the kernel's standard deviations
 * @param input `[N, valueSize]` row-major
 * @param out `[N, valueSize]`; must not be `input`
 */
export function exactGaussianFilter(features: Float32Array, n: number, d: number, input: Float32Array, out: Float32Array, valueSize: number): void {
  if (n > MAX_EXACT_POINTS) throw new RangeError(`exact Gaussian filtering of ${n} points: at most ${MAX_EXACT_POINTS} (use the permutohedral lattice)`);
  if (input === out) throw new RangeError('exactGaussianFilter: input and out must be different arrays');
  const vs = valueSize;
  out.fill(0, 0, n * vs);
  for (let i = 0; i < n; i++) {
    // The kernel is symmetric: each pair is evaluated once and feeds both ends.
    for (let j = i; j < n; j++) {
      let dist = 0;
      for (let k = 0; k < d; k++) {
        const t = (features[i * d + k] as number) - (features[j * d + k] as number);
        dist += t * t;
      }
      const w = Math.exp(-0.5 * dist);
      if (i === j) {
        for (let k = 0; k < vs; k++) out[i * vs + k] = (out[i * vs + k] as number) + w * (input[i * vs + k] as number);
        continue;
      }
      for (let k = 0; k < vs; k++) {
        out[i * vs + k] = (out[i * vs + k] as number) + w * (input[j * vs + k] as number);
        out[j * vs + k] = (out[j * vs + k] as number) + w * (input[i * vs + k] as number);
      }
    }
  }
}
