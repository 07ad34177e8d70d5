/**
 * Parameters of the fully connected CRF (Kraehenbuehl & Koltun, NIPS 2011, eq. 3): the pairwise
 * potential is `mu(x_i, x_j) [w1 exp(-|p_i - p_j|^2 / 2 theta_alpha^2 - |I_i - I_j|^2 / 2
 * theta_beta^2) + w2 exp(-|p_i - p_j|^2 / 2 theta_gamma^2)]` with the Potts compatibility
 * `mu = [x_i != x_j]`; positions in pixels, colours in 8-bit RGB units.
 *
 * Presets, with their sources:
 * - `deeplab` (the default): DeepLab-LargeFOV's released CRF script (Chen et al., ICLR 2015,
 *   "Semantic Image Segmentation with Deep Convolutional Nets and Fully Connected CRFs"):
 *   10 iterations, w2 = 3, theta_gamma = 3, w1 = 4, theta_alpha = 121, theta_beta = 5. The paper
 *   fixes w2 = theta_gamma = 3 and cross-validates the bilateral term on VOC val (Sec. 4.1).
 * - `deeplab-5-70-5`: the other DeepLab setting the issue names (w1 = 5, theta_alpha = 70,
 *   theta_beta = 5, same Gaussian term and 10 iterations); not checked here against a released
 *   file.
 * - `pydensecrf`: pydensecrf's `examples/inference.py`: 5 iterations, Gaussian sxy 3 compat 3,
 *   bilateral sxy 80, srgb 13, compat 10 (tuned there for unaries from coarse annotations).
 */

/** Gaussian (smoothness) kernel: weight w2 and position standard deviation theta_gamma (pixels). */
export interface GaussianKernelParams {
  weight: number;
  xy: number;
}

/** Bilateral (appearance) kernel: weight w1, theta_alpha (pixels) and theta_beta (RGB units). */
export interface BilateralKernelParams {
  weight: number;
  xy: number;
  rgb: number;
}

export interface CrfParams {
  /** Mean-field iterations. */
  iterations: number;
  /** The Gaussian kernel, or null for none. */
  gaussian: GaussianKernelParams | null;
  /** The bilateral kernel, or null for none (then no image is needed). */
  bilateral: BilateralKernelParams | null;
}

export type CrfPresetName = 'deeplab' | 'deeplab-5-70-5' | 'pydensecrf';

/** A preset: both kernels on. */
export interface CrfPreset extends CrfParams {
  gaussian: GaussianKernelParams;
  bilateral: BilateralKernelParams;
}

export const CRF_PRESETS: Readonly<Record<CrfPresetName, Readonly<CrfPreset>>> = {
  deeplab: { iterations: 10, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 4, xy: 121, rgb: 5 } },
  'deeplab-5-70-5': { iterations: 10, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 5, xy: 70, rgb: 5 } },
  pydensecrf: { iterations: 5, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 10, xy: 80, rgb: 13 } },
};

/** The default parameters: the `deeplab` preset. */
export const DEFAULT_CRF_PARAMS: Readonly<CrfPreset> = CRF_PRESETS.deeplab;

/** Checks ranges; throws a RangeError naming the parameter. */
export function checkCrfParams(p: CrfParams): void {
  if (!Number.isInteger(p.iterations) || p.iterations < 0) throw new RangeError(`CRF iterations must be a non-negative integer, found ${p.iterations}`);
  const positive = (what: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`CRF ${what} must be a positive number, found ${v}`);
  };
  const weight = (what: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`CRF ${what} must be a non-negative number, found ${v}`);
  };
  if (p.gaussian) {
    weight('Gaussian weight (w2)', p.gaussian.weight);
    positive('Gaussian theta_gamma', p.gaussian.xy);
  }
  if (p.bilateral) {
    weight('bilateral weight (w1)', p.bilateral.weight);
    positive('bilateral theta_alpha', p.bilateral.xy);
    positive('bilateral theta_beta', p.bilateral.rgb);
  }
}
