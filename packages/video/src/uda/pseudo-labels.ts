/**
 * Pseudo-labels for video self-training (VST, Shin et al. 2021, phase 2), made robust by time:
 * the adapted model's label at frame t is kept where it is confident and where it agrees with
 * the label the model gave frame t-k, carried to frame t by optical flow. The paper does not
 * publish its rule; we follow UnifiedVideoDA's "PL Refine Consis Filter": pixels whose label at
 * t differs from the flow-warped label of t-k are ignored, and a confidence threshold (0.95
 * there) drops uncertain pixels. The flow is estimated from the target frames (Lucas-Kanade or a
 * flow network): target ground truth, labels or flow, is never read.
 */
import { tf } from '@pixelwise/core';
import type { RgbImage } from '@pixelwise/core/io';
import { EVAL, toUint8Rgb, type Segmentor } from '@pixelwise/models';
import type { FlowEstimator } from '../frame-pairs.js';
import { warpNearest } from '../warp.js';

/**
 * The consistency filter: `current[p]` where it equals `warped[p]`, else `ignoreIndex` (also where
 * either is `ignoreIndex`: no flow, or outside the frame). Label [0, 1] at t with the warped
 * label [0, 2] of t-k gives [0, ignore].
 */
export function consistencyFilter(current: ArrayLike<number>, warped: ArrayLike<number>, ignoreIndex = 255): Uint8Array {
  if (current.length !== warped.length) throw new Error(`consistencyFilter: ${current.length} labels at t, ${warped.length} warped from t-k`);
  const out = new Uint8Array(current.length);
  for (let p = 0; p < out.length; p++) {
    const c = current[p] as number;
    out[p] = c === warped[p] && c !== ignoreIndex ? c : ignoreIndex;
  }
  return out;
}

export interface PseudoLabelOptions {
  /** Keep pixels whose top softmax probability is at least this. Default 0.95. */
  threshold?: number;
  /** Apply the consistency filter with frame t-k. Default true. */
  consistency?: boolean;
  ignoreIndex?: number;
}

/** The model's view of frame t before selection: argmax, top probability, and the consistency filter's verdict. */
export interface FramePrediction {
  width: number;
  height: number;
  /** Class ids `[H * W]`. */
  labels: Int32Array;
  /** Top softmax probability `[H * W]`. */
  confidence: Float32Array;
  /** 1 where the label agrees with the flow-warped label of t-k (everywhere without the filter), `[H * W]`. */
  consistent: Uint8Array;
}

export interface PseudoLabel {
  width: number;
  height: number;
  /** Class ids where kept, `ignoreIndex` elsewhere, `[H * W]`. */
  labels: Uint8Array;
  /** Share of pixels kept, and of those passing each filter alone. */
  kept: number;
  confident: number;
  consistent: number;
}

/** Class ids and top probabilities of `model` on one frame (evaluation mode). */
function predict(model: Segmentor, image: RgbImage): { labels: Int32Array; confidence: Float32Array } {
  const [labels, confidence] = tf.tidy(() => {
    const probs = tf.softmax(model.forward(model.normalize(toUint8Rgb(image)), EVAL).out);
    return [tf.argMax(probs, 3), tf.max(probs, 3)];
  });
  const out = { labels: new Int32Array(labels.dataSync()), confidence: new Float32Array(confidence.dataSync()) };
  tf.dispose([labels, confidence]);
  return out;
}

/**
 * The prediction of frame t (`current`) and, unless `consistency` is false, the consistency
 * filter against the prediction of `previous` (frame t-k) carried to t by the flow t -> t-k that
 * `flow` estimates.
 */
export async function predictFrame(model: Segmentor, current: RgbImage, previous: RgbImage, flow: FlowEstimator, o: Pick<PseudoLabelOptions, 'consistency' | 'ignoreIndex'> = {}): Promise<FramePrediction> {
  const { width, height } = current;
  const ignore = o.ignoreIndex ?? 255;
  const now = predict(model, current);
  const consistent = new Uint8Array(width * height).fill(1);
  if (o.consistency ?? true) {
    const before = predict(model, previous);
    const f = await flow(current, previous);
    const w = tf.tidy(() => warpNearest(tf.tensor4d(before.labels, [1, height, width, 1], 'int32'), tf.tensor4d(f.data, [1, height, width, 2]), ignore));
    const filtered = consistencyFilter(now.labels, w.dataSync(), ignore);
    w.dispose();
    for (let p = 0; p < filtered.length; p++) consistent[p] = filtered[p] === ignore ? 0 : 1;
  }
  return { width, height, labels: now.labels, confidence: now.confidence, consistent };
}

/**
 * The pseudo-label of a prediction: pixels that pass the consistency filter and whose confidence
 * reaches their class's threshold (`thresholds[c]`, or one number for every class).
 */
export function selectPseudoLabel(pred: FramePrediction, thresholds: number | ArrayLike<number>, ignoreIndex = 255): PseudoLabel {
  const n = pred.width * pred.height;
  const labels = new Uint8Array(n).fill(ignoreIndex);
  let kept = 0;
  let confident = 0;
  let agree = 0;
  for (let p = 0; p < n; p++) {
    const c = pred.labels[p] as number;
    const sure = (pred.confidence[p] as number) >= (typeof thresholds === 'number' ? thresholds : (thresholds[c] ?? Infinity));
    const ok = pred.consistent[p] === 1;
    if (sure) confident++;
    if (ok) agree++;
    if (sure && ok) {
      labels[p] = c;
      kept++;
    }
  }
  return { width: pred.width, height: pred.height, labels, kept: kept / n, confident: confident / n, consistent: agree / n };
}

/**
 * The pseudo-label of frame t (`current`) from the model's predictions on t and on `previous`
 * (frame t-k) and the flow from t to t-k estimated by `flow`: confident (threshold) and, unless
 * disabled, temporally consistent pixels.
 */
export async function pseudoLabel(model: Segmentor, current: RgbImage, previous: RgbImage, flow: FlowEstimator, o: PseudoLabelOptions = {}): Promise<PseudoLabel> {
  return selectPseudoLabel(await predictFrame(model, current, previous, flow, o), o.threshold ?? 0.95, o.ignoreIndex ?? 255);
}
