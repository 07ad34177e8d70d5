/**
 * The fully connected CRF with Gaussian edge potentials and its mean-field inference
 * (Kraehenbuehl & Koltun, NIPS 2011, Sec. 3-4, Algorithm 1), as densecrf's `DenseCRF::inference`
 * computes it:
 *
 *     Q = softmax(-U)
 *     repeat: Q = softmax(-U + sum_m w_m Ktilde_m Q)
 *
 * per pixel over labels, where `Ktilde_m` is kernel m normalised (see pairwise-kernel.ts). With
 * the Potts model `mu(l, l') = [l != l']` the message `-sum_l' mu(l, l') w Ktilde Q(l')` equals
 * `w Ktilde Q(l)` up to a per-pixel constant, which the softmax drops; so the update adds
 * `w Ktilde Q` (densecrf's `PottsCompatibility` applies `-w`, then subtracts).
 *
 * Arrays at this API are class-major `[C, H, W]` (pydensecrf's `(n_labels, N)`, and the layout
 * of `predict --logits`); inside, `[H*W, C]` keeps a pixel's labels together for the filters.
 */
import { PairwiseKernel, bilateralFeatures, positionFeatures, type PairwiseKernelOptions } from './pairwise-kernel.js';
import { DEFAULT_CRF_PARAMS, checkCrfParams, type CrfParams } from './params.js';

export interface DenseCrfInput {
  width: number;
  height: number;
  numClasses: number;
  /** `[H, W, 3]` 8-bit RGB; required when the bilateral kernel is on. */
  image?: Uint8Array;
}

export interface DenseCrfOptions extends Partial<CrfParams>, PairwiseKernelOptions {}

interface Term {
  weight: number;
  kernel: PairwiseKernel;
}

export class DenseCrf {
  readonly width: number;
  readonly height: number;
  readonly numClasses: number;
  readonly params: Readonly<CrfParams>;
  private readonly terms: Term[] = [];
  /** `[N, C]` working buffers. */
  private readonly negUnary: Float32Array;
  private readonly q: Float32Array;
  private readonly logits: Float32Array;

  /** Builds the kernels (the lattices and their normalisation) once for any number of inferences. */
  constructor(input: DenseCrfInput, options: DenseCrfOptions = {}) {
    const { width, height, numClasses } = input;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError(`DenseCrf: image size ${width}x${height} is not a positive integer size`);
    if (!(Number.isInteger(numClasses) && numClasses >= 1 && numClasses <= 65536)) throw new RangeError(`DenseCrf: numClasses ${numClasses} is outside 1..65536`);
    const params: CrfParams = {
      iterations: options.iterations ?? DEFAULT_CRF_PARAMS.iterations,
      gaussian: options.gaussian === undefined ? DEFAULT_CRF_PARAMS.gaussian : options.gaussian,
      bilateral: options.bilateral === undefined ? DEFAULT_CRF_PARAMS.bilateral : options.bilateral,
    };
    checkCrfParams(params);
    this.params = params;
    this.width = width;
    this.height = height;
    this.numClasses = numClasses;
    const n = width * height;
    const kernel = { filter: options.filter, normalization: options.normalization, selfTerm: options.selfTerm };
    if (params.gaussian && params.gaussian.weight > 0) {
      this.terms.push({ weight: params.gaussian.weight, kernel: new PairwiseKernel(positionFeatures(width, height, params.gaussian.xy), n, 2, numClasses, kernel) });
    }
    if (params.bilateral && params.bilateral.weight > 0) {
      const image = input.image;
      if (image === undefined) throw new RangeError('DenseCrf: the bilateral kernel needs the RGB image');
      if (image.length !== n * 3) throw new RangeError(`DenseCrf: image has ${image.length} bytes, expected ${width}x${height}x3 = ${n * 3}`);
      const { xy, rgb, weight } = params.bilateral;
      this.terms.push({ weight, kernel: new PairwiseKernel(bilateralFeatures(width, height, image, xy, rgb), n, 5, numClasses, kernel) });
    }
    this.negUnary = new Float32Array(n * numClasses);
    this.q = new Float32Array(n * numClasses);
    this.logits = new Float32Array(n * numClasses);
  }

  /**
   * Mean-field inference from unary energies.
   * @param unary `[C, H, W]` energies (e.g. {@link unaryFromProbabilities})
   * @returns the marginals Q, `[C, H, W]`
   */
  inference(unary: Float32Array, iterations: number = this.params.iterations): Float32Array {
    const c = this.numClasses;
    const n = this.width * this.height;
    if (unary.length !== n * c) throw new RangeError(`DenseCrf.inference: unary has ${unary.length} values, expected [${c}, ${this.height}, ${this.width}] = ${n * c}`);
    if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`DenseCrf.inference: iterations must be a non-negative integer, found ${iterations}`);
    const negU = this.negUnary;
    transpose(unary, negU, c, n);
    for (let i = 0; i < n * c; i++) negU[i] = -(negU[i] as number);
    const logits = this.logits;
    softmaxRows(negU, this.q, n, c);
    for (let it = 0; it < iterations; it++) {
      logits.set(negU);
      for (const { weight, kernel } of this.terms) kernel.apply(this.q, logits, weight, true);
      softmaxRows(logits, this.q, n, c);
    }
    const out = new Float32Array(n * c);
    transpose(this.q, out, n, c);
    return out;
  }

  /**
   * The energy of a labelling y (paper eq. 1), with each kernel as inference applies it
   * (normalised, weighted):
   *
   *     E(y) = sum_i U_i(y_i) + sum_{i<j} [y_i != y_j] sum_m w_m Ktilde_m(i, j)
   *
   * The pairwise sum is `1/2 sum_i sum_l' [l' != y_i] (w Ktilde Y)_i(l')` with Y the one-hot
   * labelling: one filtering per kernel, in the working buffers (no allocation). The self term
   * cancels (`y_i = y_i`). With `symmetric` (the default) or `none` normalisation Ktilde is
   * symmetric and this is the CRF's energy exactly (up to the lattice's approximation); with
   * `after`/`before` it is the same formula on the non-symmetric operator.
   * @param unary `[C, H, W]` the energies inference was given (without DivMBest's diversity terms)
   * @param labels `[H, W]` class ids
   * @returns the unary and pairwise sums (nats)
   */
  energy(unary: Float32Array, labels: ArrayLike<number>): { unary: number; pairwise: number } {
    const c = this.numClasses;
    const n = this.width * this.height;
    if (unary.length !== n * c) throw new RangeError(`DenseCrf.energy: unary has ${unary.length} values, expected [${c}, ${this.height}, ${this.width}] = ${n * c}`);
    if (labels.length !== n) throw new RangeError(`DenseCrf.energy: ${labels.length} labels for ${this.width}x${this.height} pixels`);
    const y = this.q;
    const ky = this.logits;
    y.fill(0);
    ky.fill(0);
    let u = 0;
    for (let i = 0; i < n; i++) {
      const l = labels[i] as number;
      if (!(Number.isInteger(l) && l >= 0 && l < c)) throw new RangeError(`DenseCrf.energy: label ${l} at pixel (${i % this.width}, ${Math.floor(i / this.width)}) is not a class id (0..${c - 1})`);
      u += unary[l * n + i] as number;
      y[i * c + l] = 1;
    }
    for (const { weight, kernel } of this.terms) kernel.apply(y, ky, weight, true);
    let pairwise = 0;
    for (let i = 0; i < n; i++) {
      let all = 0;
      for (let k = 0; k < c; k++) all += ky[i * c + k] as number;
      pairwise += all - (ky[i * c + (labels[i] as number)] as number);
    }
    return { unary: u, pairwise: pairwise / 2 };
  }
}

/** `out[j * rows + i] = a[i * cols + j]`: `[rows, cols]` to `[cols, rows]`. */
function transpose(a: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j] as number;
}

/** Softmax of each row of `[n, c]` logits into `out` (max-subtracted, as densecrf's expAndNormalize). */
function softmaxRows(logits: Float32Array, out: Float32Array, n: number, c: number): void {
  for (let i = 0; i < n; i++) {
    const base = i * c;
    let max = logits[base] as number;
    for (let k = 1; k < c; k++) {
      const v = logits[base + k] as number;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const e = Math.exp((logits[base + k] as number) - max);
      out[base + k] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let k = 0; k < c; k++) out[base + k] = (out[base + k] as number) * inv;
  }
}

/**
 * Softmax over classes of `[C, H, W]` logits (the model's scores, as `predict --logits`
 * writes them), into `[C, H, W]` probabilities.
 */
export function softmaxClasses(logits: Float32Array, numClasses: number): Float32Array {
  const n = checkClassMajor(logits, numClasses, 'softmaxClasses');
  const rows = new Float32Array(logits.length);
  transpose(logits, rows, numClasses, n);
  softmaxRows(rows, rows, n, numClasses);
  const out = new Float32Array(logits.length);
  transpose(rows, out, n, numClasses);
  return out;
}

/** Default clip of {@link unaryFromProbabilities}: pydensecrf's `unary_from_softmax(clip=1e-5)`. */
export const UNARY_CLIP = 1e-5;

/** Unary energies `-log(clip(p, clip, 1))` of `[C, H, W]` probabilities (pydensecrf's `unary_from_softmax`). */
export function unaryFromProbabilities(probabilities: Float32Array, clip: number = UNARY_CLIP): Float32Array {
  if (!(clip > 0 && clip <= 1)) throw new RangeError(`unaryFromProbabilities: clip must be in (0, 1], found ${clip}`);
  const out = new Float32Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(1 / Math.min(1, Math.max(clip, probabilities[i] as number)));
  return out;
}

/**
 * The label of highest marginal at each pixel (first on ties), `[H, W]`: 8-bit for up to 256
 * classes, else 16-bit.
 * @param q `[C, H, W]`
 */
export function argmaxClasses(q: Float32Array, numClasses: number): Uint8Array | Uint16Array {
  const n = checkClassMajor(q, numClasses, 'argmaxClasses');
  const labels = numClasses <= 256 ? new Uint8Array(n) : new Uint16Array(n);
  const best = new Float32Array(n).fill(-Infinity);
  for (let k = 0; k < numClasses; k++) {
    for (let i = 0; i < n; i++) {
      const v = q[k * n + i] as number;
      if (v > (best[i] as number)) {
        best[i] = v;
        labels[i] = k;
      }
    }
  }
  return labels;
}

function checkClassMajor(a: Float32Array, numClasses: number, what: string): number {
  if (!(Number.isInteger(numClasses) && numClasses >= 1) || a.length % numClasses !== 0) throw new RangeError(`${what}: ${a.length} values are not [${numClasses}, H, W]`);
  return a.length / numClasses;
}
