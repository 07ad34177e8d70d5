/**
 * The one training loop. What is trained supplies a {@link TrainingTask}: how to load a batch and
 * one or more {@link Objective}s (a model and its loss on that batch). The loop owns the rest —
 * optimizers (SGD with momentum or Adam), the poly learning-rate schedule
 * `lr * (1 - iter/maxIter)^power` (DeepLab/PSPNet), decoupled weight decay on convolution
 * weights, validation after each epoch, progress, and the state a checkpoint needs to resume
 * exactly (epoch, iteration, history, optimizer slots). Objectives step in order on every batch,
 * each with its own optimizer: a segmentor alone; a student with a frozen teacher (the teacher
 * runs in `loadBatch`, outside the tape); a segmentor then a discriminator (adversarial
 * adaptation). Browser-safe: checkpoints are written by the caller's `onEpoch` hook
 * (`@pixelwise/models/node` has `checkpointHooks`).
 */
import { tf } from '@pixelwise/core';
import type { Scalar } from '@pixelwise/core';
import { createRng, hashInts, type Rng } from '../data/rng.js';
import type { Module } from '../module.js';
import { shuffled } from './batches.js';
import { combineGradients, localGradients, type GradientSource, type Gradients } from './gradients.js';
import { checkMemory, memoryInUse } from './memory.js';

export interface OptimizerConfig {
  /** Base learning rate. */
  lr: number;
  optimizer: 'sgd' | 'adam';
  /** SGD momentum. Default 0.9. */
  momentum?: number;
  /** Decoupled weight decay on convolution weights. Default 1e-4 (SGD), 0 (Adam). */
  weightDecay?: number;
  /** Poly schedule power; 0 keeps the rate constant. Default 0.9. */
  polyPower?: number;
}

export interface FitConfig extends OptimizerConfig {
  epochs: number;
  /** Samples per forward pass (a micro-batch when `accumulate` > 1). */
  batchSize: number;
  /**
   * Micro-batches per optimizer step: gradients are averaged over `accumulate` forward passes of
   * `batchSize` samples, an effective batch of `batchSize * accumulate` that need not fit in memory
   * at once (BatchNorm statistics are still per micro-batch). Default 1.
   */
  accumulate?: number;
  /** Memory a step may use (default: the wasm heap's 4 GiB on wasm, unchecked elsewhere). */
  memoryLimit?: number;
  /** Seeds shuffling and augmentation: epoch e of a resumed run sees what it would have seen. */
  seed?: number;
}

/** One thing the loop optimizes on every batch. */
export interface Objective<B> {
  /** '' for the main model; other roles (e.g. 'discriminator') key their optimizer state. */
  role: string;
  model: Module;
  /** The loss of a batch, called inside the gradient tape (use `tf.tidy` freely). */
  loss(batch: B): Scalar;
  /** Overrides of the optimizer settings for this objective (default: the run's). */
  optimizer?: Partial<OptimizerConfig>;
}

/** A sample's random generator for the epoch: `(index, stream = 0) => Rng`, seeded by (seed, epoch, index, stream). */
export type SampleRng = (index: number, stream?: number) => Rng;

/** The per-sample generators of one epoch of a run seeded `seed`. */
export function sampleRng(seed: number, epoch: number): SampleRng {
  return (index, stream = 0) => createRng(hashInts(hashInts(seed, epoch, 0x5a11), index, stream));
}

/** Validation metrics by name (mIoU and accuracies, EPE, ...). */
export type Validation = Record<string, number>;

export interface TrainingTask<B> {
  /** Samples (images, clips, pairs) in one epoch; batches are drawn from a shuffled order. */
  readonly size: number;
  /**
   * Loads, augments and stacks the samples `indices` (outside the tape). `rngOf(i)` is sample i's
   * own generator for this epoch (`rngOf(i, stream)` another one of its): a sample is augmented the
   * same whichever batch, micro-batch or worker it lands in.
   */
  loadBatch(indices: readonly number[], rngOf: SampleRng): Promise<B>;
  /** Frees a batch's tensors after every objective has stepped. */
  disposeBatch(batch: B): void;
  readonly objectives: ReadonlyArray<Objective<B>>;
  /** Validation after an epoch, with progress (done, total). */
  validate?(onProgress?: (done: number, total: number) => void): Promise<Validation>;
}

export interface EpochRecord {
  epoch: number;
  /** Mean loss of the main objective over the epoch. */
  loss: number;
  /** Mean loss of every objective by role, when there is more than one. */
  losses?: Record<string, number>;
  lr: number;
  seconds: number;
  /** Memory in use at the end of the epoch: the wasm heap (its high-water mark), else tensor bytes. */
  memoryBytes?: number;
  val?: Validation;
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

export interface FitHooks {
  /** Resume from here (restore the optimizers' state with `onOptimizers` first). */
  state?: TrainState;
  /** Called once with the optimizers by role, before the first step (to restore their state). */
  onOptimizers?: (optimizers: ReadonlyArray<readonly [string, tf.Optimizer, Module]>) => Promise<void> | void;
  onStep?: (info: StepInfo) => void;
  /** After each epoch and its validation (e.g. to write a checkpoint). */
  onEpoch?: (record: EpochRecord, state: TrainState, optimizers: ReadonlyArray<readonly [string, tf.Optimizer, Module]>) => Promise<void> | void;
  onValidate?: (done: number, total: number) => void;
}

export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  return config.optimizer === 'adam' ? tf.train.adam(config.lr) : tf.train.momentum(config.lr, config.momentum ?? 0.9);
}

export function polyLearningRate(config: Pick<OptimizerConfig, 'lr' | 'polyPower'>, iteration: number, maxIterations: number): number {
  const power = config.polyPower ?? 0.9;
  if (power === 0) return config.lr;
  return config.lr * Math.pow(Math.max(0, 1 - iteration / Math.max(1, maxIterations)), power);
}

interface Stepper<B> {
  objective: Objective<B>;
  config: OptimizerConfig;
  optimizer: tf.Optimizer;
  decay: number;
  decayed: tf.Variable[];
}

function stepper<B>(objective: Objective<B>, run: OptimizerConfig): Stepper<B> {
  const config = { ...run, ...objective.optimizer };
  const decayed = objective.model
    .namedSlots()
    .filter(([name, s]) => s.trainable && name.endsWith('weight') && s.shape.length === 4)
    .map(([, s]) => s.variable);
  return { objective, config, optimizer: createOptimizer(config), decay: config.weightDecay ?? (config.optimizer === 'sgd' ? 1e-4 : 0), decayed };
}

/**
 * One optimizer step of `s` (objective `k`) at learning rate `lr` on the gradients averaged over
 * `chunks` (micro-batches of sample indices), weighted by their sizes; returns the mean loss.
 */
async function step<B>(s: Stepper<B>, k: number, chunks: readonly (readonly number[])[], source: GradientSource, at: Parameters<GradientSource['compute']>[2], lr: number): Promise<number> {
  // Both optimizers read `learningRate` on every step.
  (s.optimizer as unknown as { learningRate: number }).learningRate = lr;
  const parts: Gradients[] = [];
  for (const chunk of chunks) parts.push(await source.compute(k, chunk, at));
  const { grads, loss } = combineGradients(parts);
  const vars = s.objective.model.trainableVariables();
  s.optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i] as tf.Tensor])));
  tf.dispose(grads);
  if (s.decay > 0) tf.tidy(() => s.decayed.forEach((v) => v.assign(tf.mul(v, 1 - lr * s.decay))));
  source.weightsChanged?.();
  return loss;
}

/** Trains the task's objectives for `config.epochs` epochs (from `hooks.state`); returns the final state. */
export async function fit<B>(task: TrainingTask<B>, config: FitConfig, hooks: FitHooks = {}, source: GradientSource = localGradients(task)): Promise<TrainState> {
  if (task.size === 0) throw new Error('training set is empty');
  if (task.objectives.length === 0) throw new Error('fit: the task has no objectives');
  const steppers = task.objectives.map((o) => stepper(o, config));
  const optimizers = steppers.map((s) => [s.objective.role, s.optimizer, s.objective.model] as const);
  const state: TrainState = hooks.state ? { ...hooks.state, history: [...hooks.state.history] } : { epoch: 0, iteration: 0, history: [] };
  const accumulate = config.accumulate ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1) throw new Error(`fit: accumulate must be a positive integer, got ${accumulate}`);
  const perStep = config.batchSize * accumulate;
  const stepsPerEpoch = Math.ceil(task.size / perStep);
  const maxIterations = stepsPerEpoch * config.epochs;
  try {
    await hooks.onOptimizers?.(optimizers);
    if (state.epoch < config.epochs) await checkMemory(task, Math.ceil(config.batchSize / (source.shards ?? 1)), sampleRng(config.seed ?? 0, -1), config.memoryLimit);
    for (let epoch = state.epoch; epoch < config.epochs; epoch++) {
      const order = shuffled(task.size, createRng((config.seed ?? 0) * 1000 + epoch));
      const rngOf = sampleRng(config.seed ?? 0, epoch);
      const t0 = performance.now();
      const sums = steppers.map(() => 0);
      let lr = config.lr;
      let memoryBytes = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const indices = order.slice(s * perStep, (s + 1) * perStep);
        const chunks: number[][] = [];
        for (let m = 0; m < indices.length; m += config.batchSize) chunks.push(indices.slice(m, m + config.batchSize));
        const at = { seed: config.seed ?? 0, epoch, rngOf };
        lr = polyLearningRate(config, state.iteration, maxIterations);
        const values: number[] = [];
        try {
          for (const [k, st] of steppers.entries()) values.push(await step(st, k, chunks, source, at, polyLearningRate(st.config, state.iteration, maxIterations)));
          memoryBytes = Math.max(memoryBytes, memoryInUse());
        } finally {
          source.endStep();
        }
        const bad = values.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          const role = steppers[bad]?.objective.role;
          throw new Error(`training diverged at epoch ${epoch + 1}, step ${s + 1}: ${role ? `${role} ` : ''}loss ${values[bad]} (try a lower --lr)`);
        }
        values.forEach((v, i) => (sums[i] = (sums[i] ?? 0) + v));
        state.iteration++;
        hooks.onStep?.({ epoch, step: s, stepsPerEpoch, loss: values[0] ?? NaN, lr });
      }
      const means = sums.map((v) => v / stepsPerEpoch);
      const record: EpochRecord = { epoch: epoch + 1, loss: means[0] ?? NaN, lr, seconds: (performance.now() - t0) / 1000, memoryBytes };
      if (steppers.length > 1) record.losses = Object.fromEntries(steppers.map((st, i) => [st.objective.role || 'model', means[i] ?? NaN]));
      if (task.validate) record.val = await task.validate(hooks.onValidate);
      state.epoch = epoch + 1;
      state.history.push(record);
      await hooks.onEpoch?.(record, state, optimizers);
    }
  } finally {
    steppers.forEach((s) => s.optimizer.dispose());
    await source.close?.();
  }
  return state;
}
