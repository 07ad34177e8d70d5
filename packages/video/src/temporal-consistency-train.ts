/**
 * Per-frame segmentation models trained for temporal consistency (Liu et al., "Efficient Semantic
 * Video Segmentation with Per-frame Inference", ECCV 2020; the authors' code is the ETC
 * repository): a task of the one loop (`fit`) whose batches are a labelled frame t, a neighbour
 * t+k and the flow between them ({@link FramePairSource}), and whose one objective is
 *
 * ```
 * CE(S_t, y_t) (+ 0.4 CE of auxiliary heads)
 *   + w_temporal * L_temporal(S_t, S_{t+k})                                 (§3.1, flow_model.py)
 *   + w_kd       * (KL(T_t || S_t) + KL(T_{t+k} || S_{t+k}))                 (pixel-wise KD, CriterionKD)
 *   + w_pair     * (PA(F^S_t, F^T_t) + 0.4 PA(F^S_{t+k}, F^T_{t+k}))          (pair-wise, CriterionSDcos_self)
 *   + w_td       * TD((Z^S_t, Z^S_{t+k}), (Z^T_t, Z^T_{t+k}))                 (temporal distillation, CriterionSDcos_sig)
 * ```
 *
 * with S the class scores at input resolution, F the decode head's feature before its classifier,
 * Z the head's scores on its own grid, and T a frozen teacher run while loading (outside the
 * tape). With every weight 0 it is the per-frame baseline on the same samples. Inference is the
 * plain model on each frame: nothing of this changes what runs at test time.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';
import { EncoderDecoder, EVAL, ModelConfigError, segmentorLoss, TRAIN, type Rng, type Segmentor, type SegmentorOutput, type TrainingTask, type Validation } from '@pixelwise/models';
import { pairwiseDistillLoss, temporalDistillLoss } from './affinity-distillation.js';
import { augmentFramePair, stackFramePairs, type FramePairSource } from './frame-pairs.js';
import { runVideos, type VideoInput } from './run-video.js';
import { pixelKl } from './tdnet-distill.js';
import { temporalConsistencyLoss, temporalWeight } from './temporal-consistency-loss.js';
import { PerFrame } from './video-segmenter.js';

export const DISTILL_TERMS = ['kd', 'pair', 'temporal'] as const;
export type DistillTerm = (typeof DISTILL_TERMS)[number];

/** Default weight of the temporal loss: `st_weight` of the authors' PSPNet-18 config (`cityscapes_pspnet18_flow.yaml`). */
export const TEMPORAL_LOSS_WEIGHT = 0.1;

/**
 * Default distillation weights. The released code does not give them (`sd_model.py` reads
 * `weight_k` / `weight_s`, which its config never sets): these are ours. Measured on the synthetic
 * video with a student trained 4 epochs and a teacher trained 12 (scripts/bench-etc.sh), the
 * unweighted terms are: cross-entropy 0.53, KD 0.29, pair-wise 0.013, temporal distillation 0.043;
 * these weights put KD at about half the cross-entropy and the two affinity terms at about a
 * quarter and a tenth of it (at weight 1 the pair-wise term would be 1/40: no effect).
 */
export const DISTILL_WEIGHTS: Readonly<Record<DistillTerm, number>> = { kd: 1, pair: 10, temporal: 1 };

/** Weight of the neighbour frame's pair-wise term: the code's weight of non-centre frames (`loss0 + 0.4 * (loss1 + loss2)`). */
export const NEIGHBOUR_PAIR_WEIGHT = 0.4;

export interface TemporalConsistencyLossConfig {
  /** Weight of the motion-guided temporal loss; 0 = none. Default {@link TEMPORAL_LOSS_WEIGHT}. */
  temporal?: number;
  /** Distillation terms and their weights (a term left out is off). Needs a teacher. */
  distill?: Partial<Record<DistillTerm, number>>;
  /** Softmax temperature of the pixel-wise KD. Default 1 (as the code; no T^2 factor). */
  temperature?: number;
  /** Weight of auxiliary heads' cross-entropy. Default 0.4. */
  auxWeight?: number;
  ignoreIndex?: number;
}

/** The teacher's outputs on both frames (constants). */
type TeacherOutputs = {
  out: [Tensor4D, Tensor4D];
  feature?: [Tensor4D, Tensor4D];
  scores?: [Tensor4D, Tensor4D];
};

/** A batch: both frames normalised for the student, labels of frame t, flow t -> t+k and the loss's weight map. */
export type TemporalBatch = {
  x: Tensor4D;
  neighbour?: Tensor4D;
  labels: Tensor3D;
  flow?: Tensor4D;
  weight?: Tensor4D;
  teacher?: TeacherOutputs;
};

export interface TemporalConsistencyRun {
  loss: TemporalConsistencyLossConfig;
  /** Frozen teacher for the distillation terms. */
  teacher?: Segmentor;
  /** Training crop `[height, width]` (default the whole frame); horizontal flip probability (default 0.5). */
  crop?: [number, number];
  flip?: number;
  numClasses: number;
  classNames?: string[];
  /** Validation videos: mIoU and temporal consistency (ground-truth flow) of per-frame inference after each epoch. */
  val?: readonly VideoInput[];
}

/** Throws unless `model` exposes its decode head's features (pair-wise and temporal distillation read them). */
function checkFeatures(model: Segmentor, who: string): asserts model is EncoderDecoder {
  if (!(model instanceof EncoderDecoder)) throw new ModelConfigError(`pair-wise and temporal distillation read the decode head's features: the ${who} (${model.constructor.name}) is not an encoder-decoder model (e.g. pspnet-lite)`);
}

/** Forward pass with the head's feature and grid scores (encoder-decoder models), or the plain output. */
function forwardFor(model: Segmentor, x: Tensor4D, training: boolean, features: boolean): SegmentorOutput & { feature?: Tensor4D; scores?: Tensor4D } {
  const ctx = training ? TRAIN : EVAL;
  if (!features) return model.forward(x, ctx);
  checkFeatures(model, 'model');
  return model.forwardWithFeature(x, ctx);
}

/** Which parts of the batch the configured terms need. */
function needs(c: TemporalConsistencyLossConfig): { neighbour: boolean; features: boolean; teacher: boolean } {
  const d = c.distill ?? {};
  const on = (k: DistillTerm) => d[k] !== undefined && d[k] > 0;
  const teacher = DISTILL_TERMS.some(on);
  return { neighbour: (c.temporal ?? TEMPORAL_LOSS_WEIGHT) > 0 || teacher, features: on('pair') || on('temporal'), teacher };
}

/** The objective of one batch (inside the gradient tape). */
export function temporalObjective(student: Segmentor, b: TemporalBatch, c: TemporalConsistencyLossConfig): Scalar {
  return tf.tidy(() => {
    const need = needs(c);
    const a = forwardFor(student, b.x, true, need.features);
    const terms: Tensor[] = [segmentorLoss(a, b.labels, { ignoreIndex: c.ignoreIndex ?? 255, ...(c.auxWeight !== undefined ? { auxWeight: c.auxWeight } : {}) })];
    if (!need.neighbour || !b.neighbour) return tf.addN(terms) as Scalar;
    const n = forwardFor(student, b.neighbour, true, need.features);
    const wt = c.temporal ?? TEMPORAL_LOSS_WEIGHT;
    if (wt > 0 && b.flow && b.weight) terms.push(tf.mul(temporalConsistencyLoss(a.out, n.out, b.flow, b.weight), wt));
    const d = c.distill ?? {};
    const t = b.teacher;
    if (t) {
      const temp = c.temperature ?? 1;
      const kl = (teacher: Tensor4D, s: Tensor4D) => pixelKl(tf.div(teacher, temp) as Tensor4D, tf.div(s, temp) as Tensor4D);
      if (d.kd) terms.push(tf.mul(tf.add(kl(t.out[0], a.out), kl(t.out[1], n.out)), d.kd));
      if (d.pair && t.feature && a.feature && n.feature) {
        terms.push(tf.mul(tf.add(pairwiseDistillLoss(a.feature, t.feature[0]), tf.mul(pairwiseDistillLoss(n.feature, t.feature[1]), NEIGHBOUR_PAIR_WEIGHT)), d.pair));
      }
      if (d.temporal && t.scores && a.scores && n.scores) terms.push(tf.mul(temporalDistillLoss([a.scores, n.scores], t.scores), d.temporal));
    }
    return tf.addN(terms) as Scalar;
  });
}

/**
 * Training `student` on frame pairs through the one loop. Samples are augmented alike across the
 * pair (crop, flip); the occlusion weight and the teacher's outputs are computed while loading.
 */
export function temporalConsistencyTask(student: Segmentor, pairs: FramePairSource, run: TemporalConsistencyRun): TrainingTask<TemporalBatch> {
  if (pairs.count === 0) throw new Error('training set has no frames');
  const c = run.loss;
  const need = needs(c);
  const teacher = run.teacher;
  if (need.teacher && !teacher) throw new ModelConfigError('distillation needs a teacher (--teacher CKPT)');
  if (need.features) {
    checkFeatures(student, 'student');
    if (teacher) checkFeatures(teacher, 'teacher');
  }
  if (teacher && teacher.numClasses !== student.numClasses) throw new ModelConfigError(`the teacher predicts ${teacher.numClasses} classes, the student ${student.numClasses}`);
  const val = run.val;
  return {
    size: pairs.count,
    loadBatch: async (indices, rngOf) => {
      // One generator per sample (its index and the epoch), so data-parallel shards draw the same.
      const rngs = indices.map((i) => rngOf(i));
      const raw = await Promise.all(indices.map((i, k) => pairs.read(i, rngs[k] as Rng, need.neighbour)));
      const s = stackFramePairs(raw.map((p, k) => augmentFramePair(p, rngs[k] as Rng, run.crop, run.flip ?? 0.5)));
      const batch: TemporalBatch = tf.tidy(() => {
        const x = student.normalize(s.rgb);
        if (!need.neighbour) return { x, labels: s.labels };
        const neighbour = student.normalize(s.neighbourRgb);
        const out: TemporalBatch = { x, neighbour, labels: s.labels, flow: s.flow, weight: temporalWeight(x, neighbour, s.flow, s.valid) };
        if (teacher && need.teacher) {
          const [t0, t1] = [s.rgb, s.neighbourRgb].map((rgb) => forwardFor(teacher, teacher.normalize(rgb), false, need.features)) as [ReturnType<typeof forwardFor>, ReturnType<typeof forwardFor>];
          out.teacher = { out: [t0.out, t1.out], ...(t0.feature && t1.feature ? { feature: [t0.feature, t1.feature] } : {}), ...(t0.scores && t1.scores ? { scores: [t0.scores, t1.scores] } : {}) };
        }
        return out;
      });
      tf.dispose([s.rgb, s.neighbourRgb, s.valid, ...(need.neighbour ? [] : [s.flow])]);
      return batch;
    },
    disposeBatch: (b) => tf.dispose([b.x, b.labels, ...[b.neighbour, b.flow, b.weight].filter((t): t is Tensor4D => t !== undefined), ...Object.values(b.teacher ?? {}).flat()]),
    objectives: [{ role: '', model: student, loss: (b) => temporalObjective(student, b, c) }],
    ...(val ? { validate: async (onProgress) => validateVideos(student, val, run.numClasses, c.ignoreIndex ?? 255, run.classNames, onProgress) } : {}),
  };
}

/** Mean IoU, accuracies and temporal consistency (ground-truth flow) of per-frame inference on `videos`. */
export async function validateVideos(model: Segmentor, videos: readonly VideoInput[], numClasses: number, ignoreIndex = 255, names?: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Validation> {
  // Not disposed: PerFrame would dispose the model it wraps, which stays in training.
  const seg = new PerFrame(model, 0);
  const r = await runVideos(seg, videos, { numClasses, ignoreIndex, warmup: 0, ...(names ? { names } : {}), ...(onProgress ? { onFrame: (_r, _l, done, total) => onProgress(done, total) } : {}) });
  return { meanIoU: r.metrics.meanIoU, pixelAccuracy: r.metrics.pixelAccuracy, meanAccuracy: r.metrics.meanAccuracy, ...(r.temporalConsistency ? { temporalConsistency: r.temporalConsistency.temporalConsistency } : {}) };
}
