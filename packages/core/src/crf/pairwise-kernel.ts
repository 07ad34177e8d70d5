/**
 * One Gaussian pairwise term of the dense CRF (Kraehenbuehl & Koltun, NIPS 2011, Sec. 2-4): the
 * features of every pixel, a filter that computes `K Q` for the kernel
 * `k(f_i, f_j) = exp(-|f_i - f_j|^2 / 2)` on them, and the normalisation of densecrf's
 * `DenseKernel` (pairwise.cpp), with `D = K 1`:
 *
 * - `symmetric`: `D^-1/2 K D^-1/2 Q` (densecrf's NORMALIZE_SYMMETRIC, its default since the
 *   ICML 2013 paper; keeps the operator symmetric);
 * - `after`: `D^-1 K Q` (NORMALIZE_AFTER, the NIPS 2011 code's);
 * - `before`: `K D^-1 Q` (NORMALIZE_BEFORE);
 * - `none`: `K Q` as filtered (NO_NORMALIZATION).
 *
 * The self term: the reference code's filter includes j = i (`selfTerm: true`, the default);
 * without it the kernel is `K - I`, the paper's sum over j != i (Sec. 4 subtracts Q_i from the
 * filtered value the same way; on the lattice this is approximate, since the lattice's own
 * weight of a point is close to, not exactly, 1).
 */
import { exactGaussianFilter } from './exact-filter.js';
import { PermutohedralLattice } from './permutohedral.js';

/** How `K Q` is normalised; see the file comment. */
export type CrfNormalization = 'symmetric' | 'after' | 'before' | 'none';
/** `permutohedral`: O(N) lattice approximation (the reference's); `exact`: O(N^2), small images only. */
export type CrfFilter = 'permutohedral' | 'exact';

export interface PairwiseKernelOptions {
  /** Default `permutohedral`. */
  filter?: CrfFilter;
  /** Default `symmetric`. */
  normalization?: CrfNormalization;
  /** Include j = i in the message (the reference code does). Default true. */
  selfTerm?: boolean;
}

export class PairwiseKernel {
  readonly n: number;
  readonly valueSize: number;
  private readonly lattice: PermutohedralLattice | undefined;
  private readonly features: Float32Array;
  private readonly d: number;
  private readonly normalization: CrfNormalization;
  private readonly selfTerm: boolean;
  /** `[N]` input scale (`symmetric`, `before`), or undefined. */
  private readonly pre: Float32Array | undefined;
  /** `[N]` output scale before the weight (`symmetric`, `after`), or undefined. */
  private readonly norm: Float32Array | undefined;
  /** `[N]` the output scale times the weight of the last {@link apply}. */
  private readonly post: Float32Array;
  private postWeight = Number.NaN;
  /** `[N, valueSize]` buffers of the exact filter (empty on the lattice). */
  private readonly scaled: Float32Array;
  private readonly filtered: Float32Array;

  /**
   * @param features `[N, d]` row-major, already divided by the standard deviations
   * @param valueSize values per pixel that {@link apply} filters (the number of classes)
   */
  constructor(features: Float32Array, n: number, d: number, valueSize: number, options: PairwiseKernelOptions = {}) {
    this.n = n;
    this.d = d;
    this.valueSize = valueSize;
    this.features = features;
    this.normalization = options.normalization ?? 'symmetric';
    this.selfTerm = options.selfTerm ?? true;
    const exact = (options.filter ?? 'permutohedral') === 'exact';
    this.lattice = exact ? undefined : new PermutohedralLattice(features, n, d, Math.max(1, valueSize));
    this.scaled = new Float32Array(exact ? n * valueSize : 0);
    this.filtered = new Float32Array(exact ? n * valueSize : 0);
    this.post = new Float32Array(n);
    if (this.normalization !== 'none') {
      const rowSums = new Float32Array(n);
      this.filterRaw(new Float32Array(n).fill(1), rowSums, 1);
      for (let i = 0; i < n; i++) {
        // Without the self term the lattice's row sum can dip just below 0 for an isolated pixel.
        const s = Math.max(rowSums[i] as number, 0) + 1e-20;
        rowSums[i] = this.normalization === 'symmetric' ? 1 / Math.sqrt(s) : 1 / s;
      }
      if (this.normalization !== 'after') this.pre = rowSums;
      if (this.normalization !== 'before') this.norm = rowSums;
    }
  }

  /**
   * `out = weight * Ktilde input`, or `out += ...` with `accumulate`, where Ktilde is the
   * normalised kernel (K, or K - I without the self term); both `[N, valueSize]`, distinct.
   */
  apply(input: Float32Array, out: Float32Array, weight = 1, accumulate = false): void {
    const { n, valueSize: vs, pre } = this;
    const post = this.postScale(weight);
    if (this.lattice) {
      this.lattice.filter(input, out, { valueSize: vs, pre, post, accumulate });
    } else {
      const src = pre ? this.scaled : input;
      if (pre) for (let i = 0; i < n; i++) for (let k = 0; k < vs; k++) src[i * vs + k] = (pre[i] as number) * (input[i * vs + k] as number);
      exactGaussianFilter(this.features, n, this.d, src, this.filtered, vs);
      const f = this.filtered;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < vs; k++) out[i * vs + k] = (accumulate ? (out[i * vs + k] as number) : 0) + (post[i] as number) * (f[i * vs + k] as number);
      }
    }
    if (!this.selfTerm) {
      // The paper's sum over j != i: remove the self weight k(f_i, f_i) = 1 of the scaled input.
      for (let i = 0; i < n; i++) {
        const s = (post[i] as number) * (pre ? (pre[i] as number) : 1);
        for (let k = 0; k < vs; k++) out[i * vs + k] = (out[i * vs + k] as number) - s * (input[i * vs + k] as number);
      }
    }
  }

  /** `weight * norm`, recomputed only when the weight changes. */
  private postScale(weight: number): Float32Array {
    if (weight !== this.postWeight) {
      for (let i = 0; i < this.n; i++) this.post[i] = weight * (this.norm ? (this.norm[i] as number) : 1);
      this.postWeight = weight;
    }
    return this.post;
  }

  /** `out = K input` (or `(K - I) input` without the self term), no normalisation. */
  private filterRaw(input: Float32Array, out: Float32Array, vs: number): void {
    if (this.lattice) this.lattice.filter(input, out, { valueSize: vs });
    else exactGaussianFilter(this.features, this.n, this.d, input, out, vs);
    if (!this.selfTerm) for (let i = 0; i < this.n * vs; i++) out[i] = (out[i] as number) - (input[i] as number);
  }
}

/**
 * Features of the Gaussian (smoothness) kernel: `[x / theta, y / theta]` per pixel, row-major
 * `[H*W, 2]` (densecrf's `addPairwiseGaussian`).
 */
export function positionFeatures(width: number, height: number, theta: number): Float32Array {
  const f = new Float32Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 2;
      f[i] = x / theta;
      f[i + 1] = y / theta;
    }
  }
  return f;
}

/**
 * Features of the bilateral (appearance) kernel: `[x / theta_xy, y / theta_xy, r / theta_rgb,
 * g / theta_rgb, b / theta_rgb]` per pixel, `[H*W, 5]` (densecrf's `addPairwiseBilateral`).
 * @param rgb `[H, W, 3]` 8-bit, interleaved
 */
export function bilateralFeatures(width: number, height: number, rgb: Uint8Array, thetaXy: number, thetaRgb: number): Float32Array {
  const n = width * height;
  const f = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) {
    f[i * 5] = (i % width) / thetaXy;
    f[i * 5 + 1] = Math.floor(i / width) / thetaXy;
    for (let c = 0; c < 3; c++) f[i * 5 + 2 + c] = (rgb[i * 3 + c] as number) / thetaRgb;
  }
  return f;
}
