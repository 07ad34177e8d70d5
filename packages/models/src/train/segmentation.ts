/**
 * Supervised segmentation as a {@link TrainingTask} of the one loop (`fit`): a pixel loss
 * (cross-entropy with ignore index and class weights, the corpus-level soft IoU or
 * Lovasz-softmax) on the main output plus weighted auxiliary losses — or, for staged models
 * (Deep Layer Cascade), the stage losses over the pixels reaching each stage (`segmentorLoss`) —
 * with random scale/crop/flip augmentation and validation mIoU through
 * @pixelwise/eval after each epoch.
 */
import { tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { ConfusionMatrix, segmentationMetrics, type SegmentationMetrics } from '@pixelwise/eval';
import type { AugmentOptions } from '../data/augment.js';
import { segmentorLoss, type PixelLossName, type SegmentorLossOptions } from '../losses/segmentor-loss.js';
import { TRAIN } from '../module.js';
import { TfjsSegmenter, type ImageSegmenter } from '../engine/segmenter.js';
import { Segmentor, type StageStats } from '../segmentors/segmentor.js';
import { loadBatch, stackBatch, type SampleSource } from './batches.js';
import { fit, type FitConfig, type FitHooks, type TrainingTask, type TrainState } from './fit.js';

export interface SegmentationTrainOptions {
  /** Training crop `[height, width]`. */
  crop: [number, number];
  /** Random rescale range; `false` to skip. Default [0.5, 2]. */
  scale?: [number, number] | false;
  /** Horizontal flip probability. Default 0.5. */
  flip?: number;
  /** Pixel loss of every term (main, auxiliary, stages). Default `ce`. */
  loss?: PixelLossName;
  /** Dropout off in training (reproducible losses, e.g. to compare training set-ups). Default false. */
  deterministic?: boolean;
  /** Weight of each auxiliary head's loss. Default 0.4 (PSPNet). */
  auxWeight?: number;
  /** Per-class weights (cross-entropy only). */
  classWeights?: number[];
  ignoreIndex?: number;
  /** Validation set (mIoU after each epoch), its class count and names. */
  val?: SampleSource;
  numClasses: number;
  classNames?: string[];
}

/** The task of training `model` on `data` (batches `{ x, y }`). */
export function segmentationTask(model: Segmentor, data: SampleSource, o: SegmentationTrainOptions): TrainingTask<{ x: Tensor4D; y: Tensor3D }> {
  const ignoreIndex = o.ignoreIndex ?? 255;
  const augment: AugmentOptions = { scale: o.scale ?? [0.5, 2], crop: { width: o.crop[1], height: o.crop[0] }, flip: o.flip ?? 0.5, fill: 'mean', ignoreIndex };
  const loss: SegmentorLossOptions = { ignoreIndex, ...(o.loss ? { loss: o.loss } : {}), ...(o.classWeights ? { classWeights: o.classWeights } : {}), ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) };
  const val = o.val;
  return {
    size: data.names.length,
    loadBatch: async (indices, rngOf) => stackBatch(await loadBatch(data, indices, rngOf, augment), model.inputNorm),
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
    objectives: [{ role: '', model, loss: (b) => tf.tidy(() => segmentorLoss(model.forward(b.x, o.deterministic ? { ...TRAIN, deterministic: true } : TRAIN), b.y, loss)) }],
    ...(val
      ? {
          validate: async (onProgress) => {
            const m = await evaluate(model, val, o.numClasses, { ignoreIndex, ...(o.classNames ? { names: o.classNames } : {}), ...(onProgress ? { onProgress } : {}) });
            return { meanIoU: m.meanIoU, pixelAccuracy: m.pixelAccuracy, meanAccuracy: m.meanAccuracy };
          },
        }
      : {}),
  };
}

/** Trains `model` on `data` through {@link fit}; returns the final state. */
export async function train(model: Segmentor, data: SampleSource, config: FitConfig & SegmentationTrainOptions, hooks: FitHooks = {}): Promise<TrainState> {
  return fit(segmentationTask(model, data, config), config, hooks);
}

export interface EvaluateOptions {
  ignoreIndex?: number;
  names?: string[];
  onProgress?: (done: number, total: number) => void;
  /** Called after each image's forward pass with its prediction and what the pass measured. */
  onSample?: (i: number, sample: Awaited<ReturnType<SampleSource['read']>>, pred: Int32Array, stats: StageStats | undefined) => void | Promise<void>;
}

/** Predicts every sample at full resolution and returns the metrics of DESIGN.md. */
export async function evaluate(model: Segmentor | ImageSegmenter, data: SampleSource, numClasses: number, options: EvaluateOptions = {}): Promise<SegmentationMetrics & { confusion: ConfusionMatrix }> {
  const segmenter = model instanceof Segmentor ? new TfjsSegmenter(model) : model;
  const cm = new ConfusionMatrix({ numClasses, ignoreIndex: options.ignoreIndex ?? 255 });
  for (let i = 0; i < data.names.length; i++) {
    const s = await data.read(i);
    const { labels, stats } = await segmenter.run({ data: s.image.data, shape: [1, s.image.height, s.image.width] });
    cm.add(s.labels.data, labels, { predSource: s.name ?? data.names[i] });
    await options.onSample?.(i, s, labels, stats);
    options.onProgress?.(i + 1, data.names.length);
  }
  return { ...segmentationMetrics(cm, options.names ?? []), confusion: cm };
}
