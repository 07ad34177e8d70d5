/**
 * DivMBest (Batra, Yadollahpour, Guzman-Rivera & Shakhnarovich, "Diverse M-Best Solutions in
 * Markov Random Fields", ECCV 2012) with the dense CRF as the model, as Cogswell, Lin,
 * Purushwalkam & Batra use it for proposals ("Combining the Best of Graphical Models and
 * ConvNets for Semantic Segmentation", 2014): the m-th solution minimises
 *
 *     E(y) - lambda sum_{m' < m} Delta(y, y^(m')),   Delta = Hamming distance,
 *
 * and since `-lambda [y_i != y'_i] = lambda [y_i = y'_i] - lambda`, that is the CRF with each
 * earlier solution's label raised by lambda in the unary at every pixel. Each minimisation is
 * mean-field inference followed by the per-pixel argmax, on one {@link DenseCrf} whose kernels
 * are built once.
 *
 * Defaults: lambda 0.08 and 30 solutions, the values of the lab's released code (per issue 19);
 * lambda is in the unary's units (nats of -log p).
 */
import { argmaxClasses, type DenseCrf } from './dense-crf.js';

export interface DivMBestOptions {
  /** Solutions M. Default {@link DIVMBEST_DEFAULTS}.count (30). */
  count?: number;
  /** Diversity weight lambda, >= 0. Default {@link DIVMBEST_DEFAULTS}.lambda (0.08). */
  lambda?: number;
  /** Mean-field iterations per solution. Default: the CRF's own. */
  iterations?: number;
}

export const DIVMBEST_DEFAULTS = { count: 30, lambda: 0.08 } as const;

/**
 * @param unary `[C, H, W]` unary energies (e.g. `unaryFromProbabilities(softmaxClasses(logits))`)
 * @returns M label maps `[H, W]`, the first the CRF's own MAP estimate
 */
export function divMBest(crf: DenseCrf, unary: Float32Array, options: DivMBestOptions = {}): Array<Uint8Array | Uint16Array> {
  const count = options.count ?? DIVMBEST_DEFAULTS.count;
  const lambda = options.lambda ?? DIVMBEST_DEFAULTS.lambda;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`divMBest: count must be a positive integer, found ${count}`);
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new RangeError(`divMBest: lambda must be a non-negative number, found ${lambda}`);
  const c = crf.numClasses;
  const n = crf.width * crf.height;
  const work = Float32Array.from(unary);
  const proposals: Array<Uint8Array | Uint16Array> = [];
  for (let m = 0; m < count; m++) {
    const labels = argmaxClasses(crf.inference(work, options.iterations), c);
    proposals.push(labels);
    if (m + 1 < count && lambda > 0) for (let i = 0; i < n; i++) work[(labels[i] as number) * n + i] = (work[(labels[i] as number) * n + i] as number) + lambda;
  }
  return proposals;
}
