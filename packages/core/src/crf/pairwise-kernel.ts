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
  /** `[N]`: the per-pixel scale of the normalisation (unused for `none`). */
  private readonly norm: Float32Array;
  /** `[N, valueSize]`: the pre-scaled input. */
  private readonly scaled: Float32Array;

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
    this.lattice = (options.filter ?? 'permutohedral') === 'permutohedral' ? new PermutohedralLattice(features, n, d, Math.max(1, valueSize)) : undefined;
    this.scaled = new Float32Array(n * valueSize);
    this.norm = new Float32Array(n);
    if (this.normalization === 'none') return;
    const ones = new Float32Array(n).fill(1);
    this.filterRaw(ones, this.norm, 1);
    for (let i = 0; i < n; i++) {
      // Without the self term the lattice's row sum can dip just below 0 for an isolated pixel.
      const s = Math.max(this.norm[i] as number, 0) + 1e-20;
      this.norm[i] = this.normalization === 'symmetric' ? 1 / Math.sqrt(s) : 1 / s;
    }
  }

  /** `out = normalised (K or K - I) input`; both `[N, valueSize]`, distinct arrays. */
  apply(input: Float32Array, out: Float32Array): void {
    const { n, valueSize: vs, norm } = this;
    const pre = this.normalization === 'symmetric' || this.normalization === 'before';
    const post = this.normalization === 'symmetric' || this.normalization === 'after';
    let src = input;
    if (pre) {
      const s = this.scaled;
      for (let i = 0; i < n; i++) {
        const w = norm[i] as number;
        for (let k = 0; k < vs; k++) s[i * vs + k] = w * (input[i * vs + k] as number);
      }
      src = s;
    }
    this.filterRaw(src, out, vs);
    if (post) {
      for (let i = 0; i < n; i++) {
        const w = norm[i] as number;
        for (let k = 0; k < vs; k++) out[i * vs + k] = w * (out[i * vs + k] as number);
      }
    }
  }

  /** `out = K input` (or `(K - I) input` without the self term), no normalisation. */
  private filterRaw(input: Float32Array, out: Float32Array, vs: number): void {
    if (this.lattice) this.lattice.filter(input, out, vs);
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
