/**
 * Supervised training of a segmentor: pixel-wise cross-entropy (ignore index, class weights) on
 * the main output plus weighted auxiliary losses, SGD with momentum or Adam, poly learning-rate
 * decay `lr * (1 - iter/maxIter)^power` (DeepLab/PSPNet), decoupled weight decay on conv
 * weights, random scale/crop/flip augmentation, validation mIoU after each epoch through
 * @pixelwise/eval. Browser-safe: checkpoints are written by the caller's `onEpoch` hook.
 */
import { tf } from '@pixelwise/core';
import type { Tensor, Tensor3D } from '@pixelwise/core';
import { ConfusionMatrix, segmentationMetrics, type SegmentationMetrics } from '@pixelwise/eval';
import type { AugmentOptions } from '../data/augment.js';
import { createRng } from '../data/rng.js';
import { segmentorLoss } from '../losses/cross-entropy.js';
import { EVAL, TRAIN } from '../module.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { loadBatch, shuffled, stackBatch, toUint8Rgb, type SampleSource } from './batches.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Base learning rate. */
  lr: number;
  optimizer: 'sgd' | 'adam';
  /** SGD momentum. Default 0.9. */
  momentum?: number;
  /** Decoupled weight decay on convolution weights. Default 1e-4 (SGD), 0 (Adam). */
  weightDecay?: number;
  /** Poly schedule power; 0 keeps the rate constant. Default 0.9. */
  polyPower?: number;
  /** Training crop `[height, width]`. */
  crop: [number, number];
  /** Random rescale range; `false` to skip. Default [0.5, 2]. */
  scale?: [number, number] | false;
  /** Horizontal flip probability. Default 0.5. */
  flip?: number;
  seed?: number;
  /** Weight of each auxiliary head's loss. Default 0.4 (PSPNet). */
  auxWeight?: number;
  classWeights?: number[];
  ignoreIndex?: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  val?: { meanIoU: number; pixelAccuracy: number; meanAccuracy: number };
}

/** Where training stands; saved with checkpoints so a run can resume. */
export interface TrainState {
  epoch: number;
  iteration: number;
  history: EpochRecord[];
}

export interface StepInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  lr: number;
}

export interface TrainRun {
  config: TrainConfig;
  numClasses: number;
  classNames?: string[];
  val?: SampleSource;
  /** Resume from here (with `optimizer` restored by the caller). */
  state?: TrainState;
  optimizer?: tf.Optimizer;
  onStep?: (info: StepInfo) => void;
  /** Called after each epoch (and its validation); e.g. to write a checkpoint. */
  onEpoch?: (record: EpochRecord, state: TrainState, optimizer: tf.Optimizer) => Promise<void> | void;
  /** Progress of validation within an epoch. */
  onValidate?: (done: number, total: number) => void;
}

export function createOptimizer(config: TrainConfig): tf.Optimizer {
  return config.optimizer === 'adam' ? tf.train.adam(config.lr) : tf.train.momentum(config.lr, config.momentum ?? 0.9);
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // Both optimizers read `learningRate` on every step.
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

export function polyLearningRate(config: TrainConfig, iteration: number, maxIterations: number): number {
  const power = config.polyPower ?? 0.9;
  if (power === 0) return config.lr;
  return config.lr * Math.pow(Math.max(0, 1 - iteration / Math.max(1, maxIterations)), power);
}

/** Trains `model` on `data`; returns the final state. */
export async function train(model: Segmentor, data: SampleSource, run: TrainRun): Promise<TrainState> {
  const c = run.config;
  if (data.names.length === 0) throw new Error('training set is empty');
  const optimizer = run.optimizer ?? createOptimizer(c);
  const state: TrainState = run.state ? { ...run.state, history: [...run.state.history] } : { epoch: 0, iteration: 0, history: [] };
  const stepsPerEpoch = Math.ceil(data.names.length / c.batchSize);
  const maxIterations = stepsPerEpoch * c.epochs;
  const decay = c.weightDecay ?? (c.optimizer === 'sgd' ? 1e-4 : 0);
  const decayed = model.namedSlots().filter(([name, s]) => s.trainable && name.endsWith('weight') && s.shape.length === 4).map(([, s]) => s.variable);
  const augment: AugmentOptions = {
    scale: c.scale ?? [0.5, 2],
    crop: { width: c.crop[1], height: c.crop[0] },
    flip: c.flip ?? 0.5,
    fill: 'mean',
    ignoreIndex: c.ignoreIndex ?? 255,
  };
  for (let epoch = state.epoch; epoch < c.epochs; epoch++) {
    const rng = createRng((c.seed ?? 0) * 1000 + epoch);
    const order = shuffled(data.names.length, rng);
    const t0 = performance.now();
    let lossSum = 0;
    let lr = c.lr;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const idx = order.slice(step * c.batchSize, (step + 1) * c.batchSize);
      const samples = await loadBatch(data, idx, rng, augment);
      lr = polyLearningRate(c, state.iteration, maxIterations);
      setLearningRate(optimizer, lr);
      const { x, y } = stackBatch(samples, model.inputNorm);
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const out = model.forward(x, TRAIN);
            return segmentorLoss(out, y, { ignoreIndex: c.ignoreIndex ?? 255, classWeights: c.classWeights, auxWeight: c.auxWeight });
          }),
        true,
        model.trainableVariables(),
      );
      if (decay > 0) tf.tidy(() => decayed.forEach((v) => v.assign(tf.mul(v, 1 - lr * decay))));
      const value = loss?.dataSync()[0] ?? NaN;
      tf.dispose([x, y, loss as Tensor]);
      if (!Number.isFinite(value)) throw new Error(`training diverged at epoch ${epoch + 1}, step ${step + 1}: loss ${value} (try a lower --lr)`);
      lossSum += value;
      state.iteration++;
      run.onStep?.({ epoch, step, stepsPerEpoch, loss: value, lr });
    }
    const record: EpochRecord = { epoch: epoch + 1, loss: lossSum / stepsPerEpoch, lr, seconds: (performance.now() - t0) / 1000 };
    if (run.val) {
      const m = await evaluate(model, run.val, run.numClasses, { ignoreIndex: c.ignoreIndex ?? 255, names: run.classNames, onProgress: run.onValidate });
      record.val = { meanIoU: m.meanIoU, pixelAccuracy: m.pixelAccuracy, meanAccuracy: m.meanAccuracy };
    }
    state.epoch = epoch + 1;
    state.history.push(record);
    await run.onEpoch?.(record, state, optimizer);
  }
  if (!run.optimizer) optimizer.dispose();
  return state;
}

/** Predicts every sample at full resolution and returns the metrics of DESIGN.md. */
export async function evaluate(
  model: Segmentor,
  data: SampleSource,
  numClasses: number,
  options: {
    ignoreIndex?: number;
    names?: string[];
    onProgress?: (done: number, total: number) => void;
    /** Called after each image's forward pass (e.g. to read a cascade's statistics). */
    onSample?: (i: number, sample: Awaited<ReturnType<SampleSource['read']>>, pred: Int32Array) => void | Promise<void>;
  } = {},
): Promise<SegmentationMetrics & { confusion: ConfusionMatrix }> {
  const cm = new ConfusionMatrix({ numClasses, ignoreIndex: options.ignoreIndex ?? 255 });
  for (let i = 0; i < data.names.length; i++) {
    const s = await data.read(i);
    const pred = tf.tidy(() => {
      const rgb = toUint8Rgb(s.image);
      const logits = model.forward(model.normalize(rgb), EVAL).out;
      return tf.argMax(logits, 3) as Tensor3D;
    });
    const p = new Int32Array(pred.dataSync());
    pred.dispose();
    cm.add(s.labels.data, p, { predSource: s.name ?? data.names[i] });
    await options.onSample?.(i, s, p);
    options.onProgress?.(i + 1, data.names.length);
  }
  return { ...segmentationMetrics(cm, options.names ?? []), confusion: cm };
}
