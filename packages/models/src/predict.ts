/** Segmenting one image: label ids and, on request, the class scores in PyTorch's `[C, H, W]` layout. */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { EVAL } from './module.js';
import type { Segmentor, StageStats } from './segmentors/segmentor.js';
import { toUint8Rgb } from './train/batches.js';

export interface ImagePrediction {
  /** Class id per pixel, row-major `[H * W]`. */
  labels: Int32Array;
  /** Scores `[C, H, W]` (float32, before softmax), with `logits: true`. */
  logits?: Float32Array;
  /** What the forward pass measured (staged models). */
  stats?: StageStats;
}

/** Segments an 8-bit RGB image at its own resolution (evaluation mode; no tensors left behind). */
export function segmentImage(model: Segmentor, image: { width: number; height: number; data: Uint8Array }, o: { logits?: boolean } = {}): ImagePrediction {
  let stats: StageStats | undefined;
  const [labels, chw] = tf.tidy(() => {
    const r = model.forward(model.normalize(toUint8Rgb(image) as Tensor4D), EVAL);
    stats = r.stats;
    const lab = tf.squeeze(tf.argMax(r.out, 3), [0]);
    return [lab, o.logits ? tf.transpose(tf.squeeze(r.out, [0]), [2, 0, 1]) : undefined] as const;
  });
  const out: ImagePrediction = { labels: new Int32Array(labels.dataSync()) };
  labels.dispose();
  if (chw) {
    out.logits = new Float32Array(chw.dataSync());
    chw.dispose();
  }
  if (stats) out.stats = stats;
  return out;
}
