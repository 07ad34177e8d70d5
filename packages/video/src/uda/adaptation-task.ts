/**
 * Adversarial domain adaptation as a task of the one loop (`fit` of @pixelwise/models): a batch
 * holds labelled source frame pairs and unlabelled target frame pairs; two objectives step on it
 * in order, each with its own optimizer (AdaptSegNet, Tsai et al., CVPR 2018, §3.2-3.3):
 *
 * 1. the segmenter: source cross-entropy (with its auxiliary heads) plus `adversarialWeight`
 *    times the adversarial loss of the target predictions labelled as source, so that gradients
 *    through the frozen discriminator push target outputs towards what source outputs look like;
 * 2. the discriminator: half the loss of the source predictions labelled 0 plus half the loss of
 *    the target predictions labelled 1, on the segmenter's scores of the same step, before its
 *    update (AdaptSegNet's order; they are kept on the batch by objective 1, constants here).
 *
 * Methods: `source-only` (objective 1 without the adversarial term, no discriminator),
 * `image-adv` (the discriminator sees one frame's probabilities, C channels: image-level UDA),
 * `vat` (video adversarial training, Shin et al. 2021: it sees frames t and t-k, 2C channels).
 * Pairs share one random scale, crop and flip, so t and t-k stay aligned.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor3D, Tensor4D } from '@pixelwise/core';
import { augmentSample, toFloatImage, type AugmentOptions } from '@pixelwise/models/data';
import { evaluate, segmentorLoss, stackBatch, TRAIN, type Objective, type OptimizerConfig, type Segmentor, type SegmentationTrainOptions, type SegmentorLossOptions, type TrainingTask } from '@pixelwise/models';
import { discriminatorInput, type DiscriminatorSoftmax, type FCDiscriminator } from './discriminator.js';
import type { DomainPair, DomainPairSource } from './domain-pairs.js';
import { ganLoss, SOURCE_DOMAIN, TARGET_DOMAIN, type GanLoss } from './gan-loss.js';

export const ADAPTATION_METHODS = ['source-only', 'image-adv', 'vat'] as const;
export type AdaptationMethod = (typeof ADAPTATION_METHODS)[number];

/**
 * Augmentation, dropout, validation (here: the target's frames, evaluation only, never a training
 * signal) and classes as in supervised training; the source cross-entropy's ignore index and
 * auxiliary weight in `loss`.
 */
export interface AdaptationConfig extends Pick<SegmentationTrainOptions, 'crop' | 'scale' | 'flip' | 'deterministic' | 'val' | 'numClasses' | 'classNames'> {
  method: AdaptationMethod;
  /** Weight of the adversarial term in the segmenter's loss. Default 0.1 (UnifiedVideoDA). */
  adversarialWeight?: number;
  /** The adversarial loss. Default `bce`. */
  gan?: GanLoss;
  /** How the video discriminator's input is made (see `discriminatorInput`). Default `joint`. */
  softmax?: DiscriminatorSoftmax;
  /** The discriminator's optimizer. Default Adam at 1e-4 with poly decay (AdaptSegNet). */
  discriminatorOptimizer?: Partial<OptimizerConfig>;
  loss?: SegmentorLossOptions;
}

export const DISCRIMINATOR_OPTIMIZER: Partial<OptimizerConfig> = { optimizer: 'adam', lr: 1e-4, weightDecay: 0 };

/** The segmenter's scores of one step (objective 1's forward passes), what the discriminator trains on. */
export interface StepScores {
  source: Tensor4D;
  sourcePrevious?: Tensor4D;
  target: Tensor4D;
  targetPrevious?: Tensor4D;
}

export interface AdaptationBatch {
  /** Source frames t `[B, H, W, 3]`, their labels `[B, H, W]` and (vat) frames t-k. */
  source: { x: Tensor4D; y: Tensor3D; previous?: Tensor4D };
  /** Target frames t and (vat) t-k; no labels. */
  target?: { x: Tensor4D; previous?: Tensor4D };
  /** Set by the segmenter's objective, read by the discriminator's; disposed with the batch. */
  scores?: StepScores;
}

function stackImages(images: ReadonlyArray<{ width: number; height: number; data: Uint8Array }>, norm: Segmentor['inputNorm']): Tensor4D {
  const first = images[0];
  if (!first) throw new Error('stackImages: empty batch');
  const x = new Float32Array(images.length * first.width * first.height * 3);
  images.forEach((im, i) => x.set(toFloatImage(im, norm), i * first.width * first.height * 3));
  return tf.tensor4d(x, [images.length, first.height, first.width, 3]);
}

/** Both frames of a pair under the same random scale, crop and flip (two generators in the same state). */
function augmentPair(pair: DomainPair, rng: () => Parameters<typeof augmentSample>[1], augment: AugmentOptions) {
  const blank = { width: pair.current.width, height: pair.current.height, data: new Uint8Array(pair.current.width * pair.current.height).fill(augment.ignoreIndex ?? 255) };
  const current = augmentSample({ image: pair.current, labels: pair.labels ?? blank }, rng(), augment);
  const previous = augmentSample({ image: pair.previous, labels: blank }, rng(), augment).image;
  return { current, previous };
}

/** The adaptation task of `model` (and, for the adversarial methods, `discriminator`). */
export function adaptationTask(model: Segmentor, discriminator: FCDiscriminator | undefined, source: DomainPairSource, target: DomainPairSource | undefined, o: AdaptationConfig): TrainingTask<AdaptationBatch> {
  const adversarial = o.method !== 'source-only';
  if (adversarial && (!discriminator || !target)) throw new Error(`adaptationTask: ${o.method} needs a discriminator and target pairs`);
  const video = o.method === 'vat';
  const expected = (video ? 2 : 1) * o.numClasses;
  if (discriminator && discriminator.options.inChannels !== expected) throw new Error(`adaptationTask: ${o.method} needs a discriminator on ${expected} channels, found ${discriminator.options.inChannels}`);
  const loss: SegmentorLossOptions = { ignoreIndex: 255, ...o.loss };
  const augment: AugmentOptions = { scale: o.scale ?? [0.5, 2], crop: { width: o.crop[1], height: o.crop[0] }, flip: o.flip ?? 0.5, fill: 'mean', ignoreIndex: loss.ignoreIndex ?? 255 };
  const weight = o.adversarialWeight ?? 0.1;
  const gan = o.gan ?? 'bce';
  const ctx = o.deterministic ? { ...TRAIN, deterministic: true } : TRAIN;
  const forward = (x: Tensor4D) => model.forward(x, ctx).out as Tensor4D;
  const judge = (scores: Tensor4D, previous: Tensor4D | undefined) => (discriminator as FCDiscriminator).forward(discriminatorInput(scores, previous, o.softmax), ctx);

  const segmenter: Objective<AdaptationBatch> = {
    role: '',
    model,
    loss: (b) =>
      tf.tidy(() => {
        const out = model.forward(b.source.x, ctx);
        const ce = segmentorLoss(out, b.source.y, loss);
        if (!adversarial || !b.target) return ce;
        const scores: StepScores = { source: out.out as Tensor4D, target: forward(b.target.x) };
        if (video) {
          scores.targetPrevious = forward(b.target.previous as Tensor4D);
          scores.sourcePrevious = forward(b.source.previous as Tensor4D);
        }
        const adv = ganLoss(judge(scores.target, scores.targetPrevious), SOURCE_DOMAIN, gan);
        if (b.scores) tf.dispose(Object.values(b.scores));
        b.scores = Object.fromEntries(Object.entries(scores).map(([k, t]) => [k, tf.keep(t.clone())])) as unknown as StepScores;
        return tf.add(ce, tf.mul(adv, weight)) as Scalar;
      }),
  };
  const critic: Objective<AdaptationBatch> = {
    role: 'discriminator',
    model: discriminator as FCDiscriminator,
    optimizer: { ...DISCRIMINATOR_OPTIMIZER, ...o.discriminatorOptimizer },
    loss: (b) =>
      tf.tidy(() => {
        // Without objective 1 before it (a probe), the scores come from a forward pass here.
        const s: StepScores = b.scores ?? { source: forward(b.source.x), target: forward((b.target as { x: Tensor4D }).x), ...(video ? { sourcePrevious: forward(b.source.previous as Tensor4D), targetPrevious: forward((b.target as { previous: Tensor4D }).previous) } : {}) };
        const fromSource = ganLoss(judge(s.source, s.sourcePrevious), SOURCE_DOMAIN, gan);
        const fromTarget = ganLoss(judge(s.target, s.targetPrevious), TARGET_DOMAIN, gan);
        return tf.mul(tf.add(fromSource, fromTarget), 0.5) as Scalar;
      }),
  };
  const val = o.val;
  return {
    size: source.count,
    loadBatch: async (indices, rngOf) => {
      const pairs = await Promise.all(indices.map((i) => source.read(i)));
      const src = pairs.map((p, k) => augmentPair(p, () => rngOf(indices[k] as number, 0), augment));
      const { x, y } = stackBatch(src.map((s) => s.current), model.inputNorm);
      const batch: AdaptationBatch = { source: { x, y, ...(video ? { previous: stackImages(src.map((s) => s.previous), model.inputNorm) } : {}) } };
      if (adversarial && target) {
        // Sample i's target pair and its augmentation come from its own generators (streams 1, 2).
        const tp = await Promise.all(indices.map((i) => target.at(rngOf(i, 1))));
        const tgt = tp.map((p, k) => augmentPair(p, () => rngOf(indices[k] as number, 2), augment));
        batch.target = { x: stackImages(tgt.map((t) => t.current.image), model.inputNorm), ...(video ? { previous: stackImages(tgt.map((t) => t.previous), model.inputNorm) } : {}) };
      }
      return batch;
    },
    disposeBatch: (b) => tf.dispose([b.source.x, b.source.y, ...(b.source.previous ? [b.source.previous] : []), ...(b.target ? [b.target.x, ...(b.target.previous ? [b.target.previous] : [])] : []), ...Object.values(b.scores ?? {})]),
    objectives: adversarial ? [segmenter, critic] : [segmenter],
    ...(val
      ? {
          validate: async (onProgress) => {
            const m = await evaluate(model, val, o.numClasses, { ignoreIndex: loss.ignoreIndex ?? 255, ...(o.classNames ? { names: o.classNames } : {}), ...(onProgress ? { onProgress } : {}) });
            return { meanIoU: m.meanIoU, pixelAccuracy: m.pixelAccuracy, meanAccuracy: m.meanAccuracy };
          },
        }
      : {}),
  };
}
