/**
 * Training setups of video domain adaptation for the one loop (`runTraining` of
 * `@pixelwise/models/node`), each with a spec so data-parallel workers rebuild it:
 *
 * - {@link adaptationSetup}: supervised training on a video data set's frames (`supervised`; the
 *   target-supervised upper bound when the data is the target), `source-only`, image-level
 *   adversarial adaptation (`image-adv`) and video adversarial training (`vat`);
 * - {@link selfTrainingSetup}: one round of video self-training (VST) on the target's
 *   pseudo-labels, starting from the previous phase's checkpoint.
 */
import { createModel, ModelConfigError, modelEntry, resolveModelOptions, segmentationTask, type ModelOptions, type Segmentor } from '@pixelwise/models';
import { loadSegmentor, type TrainingSetup } from '@pixelwise/models/node';
import { adaptationTask, type AdaptationMethod } from '../uda/adaptation-task.js';
import { FCDiscriminator, type DiscriminatorSoftmax } from '../uda/discriminator.js';
import type { GanLoss } from '../uda/gan-loss.js';
import { openPseudoLabelled } from './pseudo-label-set.js';
import { openDomainPairs, openVideoFrames } from './uda-data.js';

/** What a run's sidecar and leaderboard row call its training: the adaptation methods, and plain supervision. */
export type AdaptationLabel = AdaptationMethod | 'vat+vst' | 'supervised';

export interface AdaptationSetupOptions {
  model: string;
  /** The labelled (source) video data set. */
  data: string;
  /** The unlabelled target video data set (required for every method but `supervised`). */
  target?: string;
  method: AdaptationMethod | 'supervised';
  /** Training crop `[height, width]`. */
  crop: [number, number];
  /** Frames between the two frames of a pair (t - k, t). Default 1. */
  gap?: number;
  adversarialWeight?: number;
  gan?: GanLoss;
  softmax?: DiscriminatorSoftmax;
  /** The discriminator's first width (64: AdaptSegNet's). */
  discriminatorWidth?: number;
  /** The discriminator's Adam learning rate (default 1e-4). */
  discriminatorLr?: number;
  auxWeight?: number;
  /** Augmentation and dropout as in supervised training (random rescaling; dropout off for reproducible runs). */
  scale?: [number, number] | false;
  deterministic?: boolean;
  /** Validate on the target's val split after each epoch (the data's own for `supervised`). Default true. */
  validate?: boolean;
  /**
   * Start from this checkpoint's weights (the same model and classes), e.g. a source-only model,
   * as AdaptSegNet starts from pretrained weights. Default: the registry's initialisation.
   */
  init?: string;
  /** How the run is recorded (`vat` as phase 1 of `vat+vst` says so). Default: the method. */
  label?: AdaptationLabel;
}

/** A fresh registry segmentor (auxiliary heads on where it has them), or the one checkpoint `init` holds. */
async function segmentor(name: string, numClasses: number, init: string | undefined): Promise<{ model: Segmentor; options: Record<string, unknown> }> {
  const entry = modelEntry(name);
  if (entry.task !== 'segmentation') throw new ModelConfigError(`${name} is a ${entry.task} model; domain adaptation trains segmentation models`);
  if (init !== undefined) {
    const loaded = await loadSegmentor(init, { model: name, flag: '--init' });
    if (loaded.model.numClasses !== numClasses) {
      loaded.model.dispose();
      throw new ModelConfigError(`--init: ${init} predicts ${loaded.model.numClasses} classes, the data has ${numClasses}`);
    }
    return { model: loaded.model, options: loaded.options };
  }
  const options = resolveModelOptions(name, { ...('aux' in entry.options.shape ? { aux: true } : {}), numClasses });
  return { model: createModel(name, options as ModelOptions), options };
}

/** Supervised, source-only, image-level adversarial or video adversarial training of a registry segmentor. */
export async function adaptationSetup(o: AdaptationSetupOptions): Promise<TrainingSetup> {
  const gap = o.gap ?? 1;
  const supervised = o.method === 'supervised';
  if (!supervised && o.target === undefined) throw new ModelConfigError(`${o.method}: needs a target data set (--target)`);
  const src = await openDomainPairs(o.data, 'train', gap, true);
  const adversarial = o.method === 'image-adv' || o.method === 'vat';
  const tgt = adversarial ? await openDomainPairs(o.target as string, 'train', gap, false) : undefined;
  if (tgt && tgt.classNames.join('\n') !== src.classNames.join('\n')) throw new ModelConfigError(`--target: ${o.target} has classes ${tgt.classNames.join(', ')}; ${o.data} has ${src.classNames.join(', ')}`);
  const valDir = supervised ? o.data : (o.target as string);
  const val = o.validate === false ? undefined : await openVideoFrames(valDir, 'val').catch(() => undefined);
  const numClasses = src.classNames.length;
  const { model, options } = await segmentor(o.model, numClasses, o.init);
  const discriminator = adversarial ? new FCDiscriminator({ inChannels: (o.method === 'vat' ? 2 : 1) * numClasses, ...(o.discriminatorWidth ? { width: o.discriminatorWidth } : {}) }) : undefined;
  const task = adaptationTask(model, discriminator, src.pairs, tgt?.pairs, {
    method: o.method === 'supervised' ? 'source-only' : o.method,
    crop: o.crop,
    numClasses,
    classNames: src.classNames,
    loss: { ignoreIndex: src.ignoreIndex, ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) },
    ...(o.adversarialWeight !== undefined ? { adversarialWeight: o.adversarialWeight } : {}),
    ...(o.gan ? { gan: o.gan } : {}),
    ...(o.scale !== undefined ? { scale: o.scale } : {}),
    ...(o.deterministic ? { deterministic: true } : {}),
    ...(o.softmax ? { softmax: o.softmax } : {}),
    ...(o.discriminatorLr !== undefined ? { discriminatorOptimizer: { lr: o.discriminatorLr } } : {}),
    ...(val && val.names.length > 0 ? { val } : {}),
  });
  const label = o.label ?? o.method;
  const config: Record<string, unknown> = { adapt: label, crop: o.crop, ignoreIndex: src.ignoreIndex, ...(o.target ? { target: o.target } : {}), ...(o.init ? { init: o.init } : {}), ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) };
  if (adversarial) Object.assign(config, { gap, adversarialWeight: o.adversarialWeight ?? 0.1, gan: o.gan ?? 'bce', discriminatorWidth: o.discriminatorWidth ?? 64, discriminatorLr: o.discriminatorLr ?? 1e-4, ...(o.method === 'vat' ? { softmax: o.softmax ?? 'joint' } : {}) });
  const what = supervised ? 'supervised on the frames of' : o.method === 'source-only' ? 'source-only on' : `${o.method} from`;
  return {
    name: o.model,
    options,
    model,
    task,
    numClasses,
    classNames: src.classNames,
    dataset: o.data,
    datasetKind: 'video',
    config,
    summary: `${o.model} ${what} ${o.data} (${src.pairs.count} frames)${tgt ? ` to ${o.target} (${tgt.pairs.count} unlabelled frame pairs)` : ''}${o.init ? `, from ${o.init}` : ''}${val ? `, validated on ${valDir}` : ''}`,
    spec: { module: import.meta.url, export: 'adaptationSetup', args: o },
    dispose: () => {
      model.dispose();
      discriminator?.dispose();
    },
  };
}

export interface SelfTrainingSetupOptions {
  model: string;
  /** The target video data set (its images; labels never). */
  target: string;
  /** The round's pseudo-label directory (`writePseudoLabels`). */
  labels: string;
  /** The checkpoint to start from (the previous phase). */
  init: string;
  round: number;
  crop: [number, number];
  auxWeight?: number;
  validate?: boolean;
}

/** One round of video self-training: cross-entropy on the target's consistent, confident pseudo-labels. */
export async function selfTrainingSetup(o: SelfTrainingSetupOptions): Promise<TrainingSetup> {
  const data = await openPseudoLabelled(o.labels);
  const val = o.validate === false ? undefined : await openVideoFrames(o.target, 'val').catch(() => undefined);
  const loaded = await loadSegmentor(o.init, { model: o.model, flag: 'self-training start' });
  const numClasses = loaded.model.numClasses;
  const classNames = val?.classNames ?? loaded.info?.classNames ?? [];
  const task = segmentationTask(loaded.model, data, {
    crop: o.crop,
    numClasses,
    classNames,
    ignoreIndex: 255,
    ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}),
    ...(val && val.names.length > 0 ? { val } : {}),
  });
  const { index } = data;
  return {
    name: o.model,
    options: loaded.options,
    model: loaded.model,
    task,
    numClasses,
    classNames,
    dataset: o.target,
    datasetKind: 'video',
    config: { adapt: 'vat+vst', round: o.round, init: o.init, pseudoLabels: o.labels, threshold: index.threshold, ...(index.classPortion !== undefined ? { classPortion: index.classPortion } : {}), consistency: index.consistency, flow: index.flow, gap: index.gap, kept: index.kept, crop: o.crop, ignoreIndex: 255 },
    summary: `${o.model} self-training round ${o.round} on ${index.frames.length} pseudo-labelled frames of ${o.target} (${(100 * index.kept).toFixed(1)}% of pixels kept), from ${o.init}`,
    spec: { module: import.meta.url, export: 'selfTrainingSetup', args: o },
    dispose: () => loaded.model.dispose(),
  };
}
