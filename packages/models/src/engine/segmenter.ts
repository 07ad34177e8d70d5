/**
 * The engine-neutral contract of image segmentation at inference: uint8 RGB batches in, labels
 * (and on request the class scores in PyTorch's `[N, C, H, W]` layout) out, with what the pass
 * measured. `TfjsSegmenter` runs a `Segmentor` on TensorFlow.js; `OnnxSegmenter` runs its
 * export on ONNX Runtime. `predict`, `bench` and evaluation take either.
 */
import { tf } from '@pixelwise/core';
import { EVAL } from '../module.js';
import type { Segmentor, StageStats } from '../segmentors/segmentor.js';
import { rgbTensor } from '../train/batches.js';

export type EngineName = 'onnx' | 'tfjs';

/** What runs the model, as a run records it. */
export interface EngineInfo {
  engine: EngineName;
  /** The run record's `backend`: `onnx-cpu`, `onnx-webgpu`, or the TensorFlow.js backend (`wasm`, ...). */
  backend: string;
  /** ONNX Runtime's execution provider (`cpu`, `webgpu`); absent on TensorFlow.js. */
  executionProvider?: string;
  /** Threads one inference uses (ONNX Runtime's intra-op threads; TensorFlow.js wasm in Node: 1). */
  threads: number;
  /** Runtime and version, e.g. `onnxruntime-node 1.30.0`, `tfjs 4.22.0`. */
  runtime: string;
}

/** uint8 RGB images `[n, h, w, 3]`, row-major. */
export interface RgbBatch {
  data: Uint8Array;
  shape: readonly [number, number, number];
}

export interface BatchPrediction {
  /** Class ids `[n * h * w]`. */
  labels: Int32Array;
  /** Scores `[n, C, h, w]` before softmax, with `scores: true`. */
  scores?: Float32Array;
  /** What the pass measured (staged models). */
  stats?: StageStats;
}

export interface ImageSegmenter {
  readonly info: EngineInfo;
  readonly numClasses: number;
  /** Segments a batch in evaluation mode; `scores` also returns the class scores. */
  run(batch: RgbBatch, o?: { scores?: boolean }): Promise<BatchPrediction>;
  /** Frees sessions or tensors (not the `Segmentor` a segmenter was built on). */
  dispose(): Promise<void>;
}

/** Checks a batch: `data` holds `n * h * w * 3` bytes. */
export function checkBatch(batch: RgbBatch): void {
  const [n, h, w] = batch.shape;
  if (batch.data.length !== n * h * w * 3) throw new Error(`segmenter: a ${n}x${h}x${w} RGB batch has ${n * h * w * 3} bytes, got ${batch.data.length}`);
}

/** One forward pass on TensorFlow.js: labels and optionally NCHW scores, no tensors left behind. */
export function predictBatch(model: Segmentor, batch: RgbBatch, o: { scores?: boolean } = {}): BatchPrediction {
  checkBatch(batch);
  let stats: StageStats | undefined;
  const [labels, nchw] = tf.tidy(() => {
    const r = model.forward(model.normalize(rgbTensor(batch)), EVAL);
    stats = r.stats;
    return [tf.argMax(r.out, 3), o.scores ? tf.transpose(r.out, [0, 3, 1, 2]) : undefined] as const;
  });
  const out: BatchPrediction = { labels: new Int32Array(labels.dataSync()) };
  labels.dispose();
  if (nchw) {
    out.scores = new Float32Array(nchw.dataSync());
    nchw.dispose();
  }
  if (stats) out.stats = stats;
  return out;
}

/** A `Segmentor` on the active TensorFlow.js backend. */
export class TfjsSegmenter implements ImageSegmenter {
  readonly info: EngineInfo;
  constructor(readonly model: Segmentor) {
    this.info = { engine: 'tfjs', backend: tf.getBackend(), threads: 1, runtime: `tfjs ${tf.version_core}` };
  }
  get numClasses(): number {
    return this.model.numClasses;
  }
  run(batch: RgbBatch, o: { scores?: boolean } = {}): Promise<BatchPrediction> {
    return Promise.resolve(predictBatch(this.model, batch, o));
  }
  async dispose(): Promise<void> {}
}
