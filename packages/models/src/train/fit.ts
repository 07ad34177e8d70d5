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
import { createRng, type Rng } from '../data/rng.js';
import type { Module } from '../module.js';
import { shuffled } from './batches.js';

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
  batchSize: number;
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

/** Validation metrics by name (mIoU and accuracies, EPE, ...). */
export type Validation = Record<string, number>;

export interface TrainingTask<B> {
  /** Samples (images, clips, pairs) in one epoch; batches are drawn from a shuffled order. */
  readonly size: number;
  /** Loads, augments and stacks the samples `indices` (outside the tape). */
  loadBatch(indices: readonly number[], rng: Rng): Promise<B>;
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

/** One optimizer step of `s` on `batch` at learning rate `lr`; returns the loss. */
function step<B>(s: Stepper<B>, batch: B, lr: number): number {
  // Both optimizers read `learningRate` on every step.
  (s.optimizer as unknown as { learningRate: number }).learningRate = lr;
  const loss = s.optimizer.minimize(() => s.objective.loss(batch), true, s.objective.model.trainableVariables());
  if (s.decay > 0) tf.tidy(() => s.decayed.forEach((v) => v.assign(tf.mul(v, 1 - lr * s.decay))));
  const value = loss?.dataSync()[0] ?? NaN;
  loss?.dispose();
  return value;
}

/** Trains the task's objectives for `config.epochs` epochs (from `hooks.state`); returns the final state. */
export async function fit<B>(task: TrainingTask<B>, config: FitConfig, hooks: FitHooks = {}): Promise<TrainState> {
  if (task.size === 0) throw new Error('training set is empty');
  if (task.objectives.length === 0) throw new Error('fit: the task has no objectives');
  const steppers = task.objectives.map((o) => stepper(o, config));
  const optimizers = steppers.map((s) => [s.objective.role, s.optimizer, s.objective.model] as const);
  const state: TrainState = hooks.state ? { ...hooks.state, history: [...hooks.state.history] } : { epoch: 0, iteration: 0, history: [] };
  const stepsPerEpoch = Math.ceil(task.size / config.batchSize);
  const maxIterations = stepsPerEpoch * config.epochs;
  try {
    await hooks.onOptimizers?.(optimizers);
    for (let epoch = state.epoch; epoch < config.epochs; epoch++) {
      const rng = createRng((config.seed ?? 0) * 1000 + epoch);
      const order = shuffled(task.size, rng);
      const t0 = performance.now();
      const sums = steppers.map(() => 0);
      let lr = config.lr;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const batch = await task.loadBatch(order.slice(s * config.batchSize, (s + 1) * config.batchSize), rng);
        lr = polyLearningRate(config, state.iteration, maxIterations);
        let values: number[];
        try {
          values = steppers.map((st) => step(st, batch, polyLearningRate(st.config, state.iteration, maxIterations)));
        } finally {
          task.disposeBatch(batch);
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
      const record: EpochRecord = { epoch: epoch + 1, loss: means[0] ?? NaN, lr, seconds: (performance.now() - t0) / 1000 };
      if (steppers.length > 1) record.losses = Object.fromEntries(steppers.map((st, i) => [st.objective.role || 'model', means[i] ?? NaN]));
      if (task.validate) record.val = await task.validate(hooks.onValidate);
      state.epoch = epoch + 1;
      state.history.push(record);
      await hooks.onEpoch?.(record, state, optimizers);
    }
  } finally {
    steppers.forEach((s) => s.optimizer.dispose());
  }
  return state;
}
