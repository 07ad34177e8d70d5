/**
 * Running the one training loop from files: a {@link TrainingSetup} (what is trained, on which
 * data, with which task) goes through `fit` with a checkpoint after every epoch and, with
 * `resume`, restores weights, optimizer state and schedule from the checkpoint. Segmentation's
 * setup is here; `@pixelwise/video/node` has TDNet distillation's and FlowNetS's.
 */
import { tf, type BackendName } from '@pixelwise/core';
import type { Module } from '../module.js';
import { createModel, ModelConfigError, modelEntry, resolveModelOptions, type ModelOptions } from '../registry.js';
import { fit, type EpochRecord, type FitConfig, type FitHooks, type StepInfo, type TrainingTask, type TrainState } from '../train/fit.js';
import type { PixelLossName } from '../losses/segmentor-loss.js';
import { segmentationTask } from '../train/segmentation.js';
import { openDataset, type SegmentationDataset } from './datasets.js';
import { checkpointEachEpoch, resumeHooks, type CheckpointTarget } from './fit-checkpoints.js';
import { parallelGradients } from './parallel/parallel-gradients.js';
import type { SetupSpec } from './parallel/spec.js';

/** What is trained, on which data, as which task. */
export interface TrainingSetup<B = unknown> {
  /** Registry name and the options it was built with (recorded in the checkpoint). */
  name: string;
  options: Record<string, unknown>;
  model: Module;
  task: TrainingTask<B>;
  numClasses: number;
  classNames: string[];
  dataset: string;
  datasetKind: 'images' | 'video';
  /** Settings this kind of training fixes (flow: Adam at a constant rate). */
  fit?: Partial<FitConfig>;
  /** More to record in the sidecar's `config` (e.g. the teacher checkpoint). */
  config?: Record<string, unknown>;
  /** One line on what is trained on what, for the log. */
  summary: string;
  /** How a worker thread rebuilds this setup (data-parallel training); absent: one thread only. */
  spec?: SetupSpec;
  /** Frees the model and anything else the setup built (a teacher). */
  dispose(): void;
}

export interface RunTrainingOptions {
  /** Checkpoint path (`.safetensors`). */
  out: string;
  /** Continue from `out` when it exists (same model and options). */
  resume?: boolean;
  fit: FitConfig;
  onStep?: (info: StepInfo) => void;
  onValidate?: (done: number, total: number) => void;
  /** After each epoch's checkpoint is written. */
  onEpoch?: (record: EpochRecord) => void;
  /** Where progress lines go (e.g. `resuming ... after epoch N`). */
  log?: (line: string) => void;
  /** Threads that share each step's samples (this one and `threads - 1` workers). Default 1. */
  threads?: number;
}

export interface TrainingResult {
  state: TrainState;
  checkpoint: string;
  fit: FitConfig;
  resumedFrom?: number;
}

/** Trains `setup` through the one loop with checkpoints (and resume); disposes nothing. */
export async function runTraining(setup: TrainingSetup, o: RunTrainingOptions): Promise<TrainingResult> {
  const config: FitConfig = { ...o.fit, ...setup.fit };
  const target: CheckpointTarget = {
    path: o.out,
    model: setup.model,
    info: { model: setup.name, options: setup.options, numClasses: setup.numClasses, classNames: setup.classNames, dataset: setup.dataset, config: { ...config, ...setup.config } },
  };
  const resumed = o.resume ? await resumeHooks(target) : undefined;
  if (resumed?.state) o.log?.(`resuming ${o.out} after epoch ${resumed.state.epoch}`);
  const hooks: FitHooks = {
    ...resumed,
    ...(o.onStep ? { onStep: o.onStep } : {}),
    ...(o.onValidate ? { onValidate: o.onValidate } : {}),
    onEpoch: checkpointEachEpoch(target, o.onEpoch),
  };
  const threads = o.threads ?? 1;
  if (threads > 1 && !setup.spec) throw new ModelConfigError(`${setup.name}: this training setup cannot run in worker threads; use --workers 1`);
  const source = threads > 1 && setup.spec ? await parallelGradients(setup.task, setup.spec, { threads, backend: tf.getBackend() as BackendName }) : undefined;
  if (source) o.log?.(`data-parallel over ${threads} threads`);
  const state = await fit(setup.task, config, hooks, source);
  return { state, checkpoint: o.out, fit: config, ...(resumed?.state ? { resumedFrom: resumed.state.epoch } : {}) };
}

async function openValidation(dir: string): Promise<SegmentationDataset | undefined> {
  const val = await openDataset(dir, 'val').catch(() => undefined);
  return val && val.names.length > 0 ? val : undefined;
}

export interface SegmentationSetupOptions {
  model: string;
  /** Data set directory (synthetic, VOC or Cityscapes layout). */
  data: string;
  /** Model options besides the class count (e.g. a cascade's `mode`); `aux` defaults to on. */
  options?: ModelOptions;
  /** Training crop `[height, width]`. */
  crop: [number, number];
  auxWeight?: number;
  /** Pixel loss of every term (main, auxiliary heads, cascade stages). Default `ce`. */
  loss?: PixelLossName;
  /** Validate on the data's val split after each epoch (when it has one). Default true. */
  validate?: boolean;
  /** Augmentation and dropout (see `SegmentationTrainOptions`): random rescaling, flips, dropout off. */
  scale?: [number, number] | false;
  flip?: number;
  deterministic?: boolean;
}

/**
 * Supervised training of a registry segmentor on a data set directory: classes and ignore index
 * from the data, auxiliary heads on (deep supervision) where the model has them, the pixel loss
 * (`loss`) recorded in the checkpoint's `config`.
 */
export async function segmentationSetup(o: SegmentationSetupOptions): Promise<TrainingSetup> {
  const entry = modelEntry(o.model);
  if (entry.task !== 'segmentation') throw new ModelConfigError(`${o.model} is a ${entry.task} model, not a segmentation model`);
  const data = await openDataset(o.data, 'train');
  const val = o.validate === false ? undefined : await openValidation(o.data);
  const numClasses = data.classes.length;
  const aux = 'aux' in entry.options.shape ? { aux: true } : {};
  const options = resolveModelOptions(o.model, { ...aux, ...o.options, numClasses });
  const model = createModel(o.model, options as ModelOptions);
  const classNames = data.classes.map((c) => c.name);
  const loss = o.loss ?? 'ce';
  const task = segmentationTask(model, data, {
    crop: o.crop,
    ignoreIndex: data.ignoreIndex,
    numClasses,
    classNames,
    loss,
    ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}),
    ...(o.scale !== undefined ? { scale: o.scale } : {}),
    ...(o.flip !== undefined ? { flip: o.flip } : {}),
    ...(o.deterministic ? { deterministic: true } : {}),
    ...(val ? { val } : {}),
  });
  // The spec lets data-parallel workers rebuild this setup (the loss included) from the same options.
  const spec: SetupSpec = { module: import.meta.url, export: 'segmentationSetup', args: o };
  return { name: o.model, options, model, task, numClasses, classNames, dataset: o.data, datasetKind: 'images', spec, config: { crop: o.crop, ignoreIndex: data.ignoreIndex, loss, ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) }, summary: `${o.model} on ${o.data} (${data.names.length} images)`, dispose: () => model.dispose() };
}
