/** Segmenting one image: label ids and, on request, the class scores in PyTorch's `[C, H, W]` layout. */
import { predictBatch } from './engine/segmenter.js';
import type { Segmentor, StageStats } from './segmentors/segmentor.js';

export interface ImagePrediction {
  /** Class id per pixel, row-major `[H * W]`. */
  labels: Int32Array;
  /** Scores `[C, H, W]` (float32, before softmax), with `logits: true`. */
  logits?: Float32Array;
  /** What the forward pass measured (staged models). */
  stats?: StageStats;
}

/** Segments an 8-bit RGB image at its own resolution on TensorFlow.js (evaluation mode; no tensors left behind). */
export function segmentImage(model: Segmentor, image: { width: number; height: number; data: Uint8Array }, o: { logits?: boolean } = {}): ImagePrediction {
  const p = predictBatch(model, { data: image.data, shape: [1, image.height, image.width] }, { scores: o.logits ?? false });
  return { labels: p.labels, ...(p.scores ? { logits: p.scores } : {}), ...(p.stats ? { stats: p.stats } : {}) };
}
