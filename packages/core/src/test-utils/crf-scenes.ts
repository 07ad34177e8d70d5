/** Small synthetic inputs for the dense CRF's tests: an image with regions, and noisy unaries. */
import { readFileSync } from 'node:fs';
import type { CrfNormalization } from '../crf/pairwise-kernel.js';
import type { CrfParams } from '../crf/params.js';
import { rng } from './rng.js';

export interface CrfScene {
  width: number;
  height: number;
  numClasses: number;
  /** `[H, W, 3]` 8-bit RGB. */
  image: Uint8Array;
  /** `[H, W]` the region each pixel belongs to. */
  truth: Uint8Array;
  /** `[C, H, W]` softmax probabilities of noisy scores that favour the true region. */
  probabilities: Float32Array;
}

/**
 * Vertical bands of smoothly varying colour (one per class, cycling), with `pixelNoise` on the
 * colours, and class scores `margin * onehot(truth) + N(0, scoreNoise)`.
 */
export function crfScene(width: number, height: number, numClasses: number, seed: number, options: { margin?: number; scoreNoise?: number; pixelNoise?: number } = {}): CrfScene {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  const n = width * height;
  const margin = options.margin ?? 1;
  const scoreNoise = options.scoreNoise ?? 1;
  const pixelNoise = options.pixelNoise ?? 4;
  const image = new Uint8Array(n * 3);
  const truth = new Uint8Array(n);
  const probabilities = new Float32Array(numClasses * n);
  const bands = Math.max(2, numClasses);
  const scores = new Float64Array(numClasses);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const band = Math.min(bands - 1, Math.floor((x * bands) / width));
      const label = band % numClasses;
      truth[i] = label;
      const base = [60 + 60 * (band % 3), 200 - 50 * (band % 4), 40 + 3 * y];
      for (let c = 0; c < 3; c++) image[i * 3 + c] = Math.max(0, Math.min(255, Math.round((base[c] as number) + pixelNoise * gauss())));
      let max = -Infinity;
      for (let k = 0; k < numClasses; k++) {
        scores[k] = (k === label ? margin : 0) + scoreNoise * gauss();
        max = Math.max(max, scores[k] as number);
      }
      let sum = 0;
      for (let k = 0; k < numClasses; k++) sum += Math.exp((scores[k] as number) - max);
      for (let k = 0; k < numClasses; k++) probabilities[k * n + i] = Math.exp((scores[k] as number) - max) / sum;
    }
  }
  return { width, height, numClasses, image, truth, probabilities };
}

/** A case of packages/core/fixtures/crf-reference.json: densecrf's own outputs (scripts/make_crf_fixtures.py). */
export interface CrfReferenceCase {
  name: string;
  /** `filter`: raw lattice filtering of `unary` on bilateral features; `q`: marginals after mean field. */
  kind: 'filter' | 'q';
  width: number;
  height: number;
  numClasses: number;
  iterations: number;
  gaussian: { weight: number; xy: number };
  bilateral: { weight: number; xy: number; rgb: number };
  normalization: 'symmetric' | 'after' | 'before' | 'none';
  /** `[H, W, 3]`. */
  image: number[];
  /** `[C, H, W]`. */
  unary: number[];
  /** `[C, H, W]`. */
  expected: number[];
}

export function crfReference(): CrfReferenceCase[] {
  return (JSON.parse(readFileSync(new URL('../../fixtures/crf-reference.json', import.meta.url), 'utf8')) as { cases: CrfReferenceCase[] }).cases;
}

/**
 * The CRF's kernels as dense float64 matrices `[N, N]`, from the paper's definitions:
 * k_ij = exp(-|p_i-p_j|^2/2ta^2 - |I_i-I_j|^2/2tb^2) (bilateral), exp(-|p_i-p_j|^2/2tg^2)
 * (Gaussian), 0 on the diagonal without the self term, each normalised with D = K 1.
 */
export function naiveKernels(width: number, height: number, image: Uint8Array, p: CrfParams, normalization: CrfNormalization, selfTerm: boolean): Array<{ w: number; k: Float64Array }> {
  const n = width * height;
  const kernels: Array<{ w: number; k: Float64Array }> = [];
  const dist2 = (i: number, j: number, txy: number, trgb: number | null) => {
    let s = ((i % width) - (j % width)) ** 2 / txy ** 2 + (Math.floor(i / width) - Math.floor(j / width)) ** 2 / txy ** 2;
    if (trgb !== null) for (let ch = 0; ch < 3; ch++) s += ((image[i * 3 + ch] as number) - (image[j * 3 + ch] as number)) ** 2 / trgb ** 2;
    return s;
  };
  const add = (w: number, txy: number, trgb: number | null) => {
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = i === j && !selfTerm ? 0 : Math.exp(-0.5 * dist2(i, j, txy, trgb));
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] = (d[i] as number) + (k[i * n + j] as number);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const di = d[i] as number;
        const dj = d[j] as number;
        const s = normalization === 'symmetric' ? 1 / Math.sqrt(di * dj) : normalization === 'after' ? 1 / di : normalization === 'before' ? 1 / dj : 1;
        k[i * n + j] = (k[i * n + j] as number) * s;
      }
    }
    kernels.push({ w, k });
  };
  if (p.gaussian) add(p.gaussian.weight, p.gaussian.xy, null);
  if (p.bilateral) add(p.bilateral.weight, p.bilateral.xy, p.bilateral.rgb);
  return kernels;
}
