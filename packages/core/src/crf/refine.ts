/**
 * The CRF as post-processing of a network's scores (DeepLab's use, Chen et al. ICLR 2015, and
 * the "+CRF" rows of Yu & Koltun's Dilation tables): softmax over classes, unary `-log p`
 * clipped at {@link UNARY_CLIP}, mean-field inference, argmax. What `pixelwise crf` and
 * `predict --crf` run for each image.
 */
import { DenseCrf, argmaxClasses, softmaxClasses, unaryFromProbabilities, type DenseCrfInput, type DenseCrfOptions } from './dense-crf.js';

export interface CrfRefinement {
  /** `[C, H, W]` the CRF's marginals Q. */
  marginals: Float32Array;
  /** `[H, W]` their argmax (8-bit for up to 256 classes). */
  labels: Uint8Array | Uint16Array;
}

/**
 * @param logits `[C, H, W]` float32 scores at image resolution (as `predict --logits` writes)
 * @throws RangeError naming the first non-finite score, or a size mismatch
 */
export function refineLogits(input: DenseCrfInput & { logits: Float32Array }, options: DenseCrfOptions = {}): CrfRefinement {
  const { width, height, numClasses, logits } = input;
  const n = width * height;
  if (logits.length !== numClasses * n) throw new RangeError(`logits have ${logits.length} values, expected [${numClasses}, ${height}, ${width}] = ${numClasses * n}`);
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) {
      const p = i % n;
      throw new RangeError(`logits: ${logits[i]} at class ${Math.floor(i / n)}, pixel (${p % width}, ${Math.floor(p / width)}); expected finite scores`);
    }
  }
  const marginals = new DenseCrf(input, options).inference(unaryFromProbabilities(softmaxClasses(logits, numClasses)));
  return { marginals, labels: argmaxClasses(marginals, numClasses) };
}
