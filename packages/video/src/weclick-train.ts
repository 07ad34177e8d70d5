/**
 * WeClick (Liu et al., "WeClick: Weakly-Supervised Video Semantic Segmentation with Click
 * Annotations", ACM MM 2021): a compact per-frame student trained from one click per object on the
 * target frame k, its n-1 previous unlabelled frames and a frozen teacher trained on clicks alone.
 * A task of the one loop (`fit`) with one objective:
 *
 * ```
 * CE_clicks(S_k, y_k) (+ 0.4 CE of auxiliary heads)          partial cross-entropy: only clicked pixels (255 elsewhere)
 *   + w_mfd * mean_p c(p) KL(M(p) || S_k(p))                  memory flow distillation (memory-flow.ts)
 *   + w_kd  * KL(T_k || S_k)                                  vanilla KD for compression (pixelKl, the one KD)
 * ```
 *
 * The memory M is built from the frozen teacher's predictions (not the student's own), computed
 * while loading, outside the tape. With both weights 0 this is the click-only baseline on the same
 * samples (and, with full labels, the fully supervised per-frame model). Inference is the plain
 * student on each frame.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';
import { EVAL, ModelConfigError, segmentorLoss, TRAIN, type Rng, type Segmentor, type TrainingTask } from '@pixelwise/models';
import { stackFramePairs } from './frame-pairs.js';
import { augmentMemory, type MemorySource } from './memory-frames.js';
import { flowMemory, memoryFlowLoss, type FlowMemory } from './memory-flow.js';
import type { VideoInput } from './run-video.js';
import { pixelKl } from './tdnet-distill.js';
import { temporalWeight } from './temporal-consistency-loss.js';
import { validateVideos } from './temporal-consistency-train.js';

/** Default frames in the memory window, the target included (the n = 3: two previous frames). Ours. */
export const MEMORY_FRAMES = 3;

/** Default weight of memory flow distillation when it is on. Ours (the paper's weights are not public). */
export const MFD_WEIGHT = 1;

export interface WeClickLossConfig {
  /** Weight of memory flow distillation; 0 or absent = off. Needs a teacher and memory frames. */
  mfd?: number;
  /** Weight of pixel-wise KD from the teacher on frame k; 0 or absent = off. */
  kd?: number;
  /** Softmax temperature of both distillation terms. Default 1. */
  temperature?: number;
  auxWeight?: number;
  ignoreIndex?: number;
}

/** A batch: frame k normalised, its (click) labels, the teacher's memory of k and the teacher's scores on k. */
export type WeClickBatch = { x: Tensor4D; labels: Tensor3D; memory?: FlowMemory; teacher?: Tensor4D };

export interface WeClickRun {
  loss: WeClickLossConfig;
  teacher?: Segmentor;
  crop?: [number, number];
  flip?: number;
  numClasses: number;
  classNames?: string[];
  /** Validation videos with full labels. */
  val?: readonly VideoInput[];
}

/** The objective of one batch (inside the gradient tape). */
export function weclickObjective(student: Segmentor, b: WeClickBatch, c: WeClickLossConfig): Scalar {
  return tf.tidy(() => {
    const s = student.forward(b.x, TRAIN);
    const terms: Tensor[] = [segmentorLoss(s, b.labels, { ignoreIndex: c.ignoreIndex ?? 255, ...(c.auxWeight !== undefined ? { auxWeight: c.auxWeight } : {}) })];
    const temp = c.temperature ?? 1;
    const scaled = tf.div(s.out, temp) as Tensor4D;
    if (c.mfd && b.memory) terms.push(tf.mul(memoryFlowLoss(scaled, b.memory), c.mfd));
    if (c.kd && b.teacher) terms.push(tf.mul(pixelKl(tf.div(b.teacher, temp) as Tensor4D, scaled), c.kd));
    return tf.addN(terms) as Scalar;
  });
}

/** Training `student` on clicked target frames and their memory through the one loop. */
export function weclickTask(student: Segmentor, frames: MemorySource, run: WeClickRun): TrainingTask<WeClickBatch> {
  if (frames.count === 0) throw new Error('training set has no frames');
  const c = run.loss;
  const mfd = (c.mfd ?? 0) > 0;
  const kd = (c.kd ?? 0) > 0;
  const teacher = run.teacher;
  if ((mfd || kd) && !teacher) throw new ModelConfigError('memory flow distillation and KD need a teacher (--teacher CKPT, trained on the clicks)');
  if (teacher && teacher.numClasses !== student.numClasses) throw new ModelConfigError(`the teacher predicts ${teacher.numClasses} classes, the student ${student.numClasses}`);
  const val = run.val;
  return {
    size: frames.count,
    loadBatch: async (indices, rngOf) => {
      // One generator per sample (its index and the epoch), so data-parallel shards draw the same.
      const raw = await Promise.all(indices.map((i) => frames.read(i, mfd)));
      const samples = raw.map((pairs, k) => augmentMemory(pairs, rngOf(indices[k] as number) as Rng, run.crop, run.flip ?? 0.5));
      // Stack memory slot j of every sample: frame k (the same in every slot), frame k-j, flow k -> k-j.
      const slots = Array.from({ length: mfd ? frames.memory : 1 }, (_, j) => stackFramePairs(samples.map((s) => s[j] as (typeof s)[number])));
      const first = slots[0] as (typeof slots)[number];
      const batch = tf.tidy((): WeClickBatch => {
        const x = student.normalize(first.rgb);
        const out: WeClickBatch = { x, labels: tf.clone(first.labels) };
        if (!teacher || !(mfd || kd)) return out;
        const scores = (rgb: Tensor4D) => teacher.forward(teacher.normalize(rgb), EVAL).out;
        if (kd) out.teacher = scores(first.rgb);
        if (mfd) {
          const temp = c.temperature ?? 1;
          const probs = slots.map((s) => tf.softmax(tf.div(scores(s.neighbourRgb), temp)) as Tensor4D);
          const weights = slots.map((s) => temporalWeight(x, student.normalize(s.neighbourRgb), s.flow, s.valid));
          out.memory = flowMemory(probs, slots.map((s) => s.flow), weights);
        }
        return out;
      });
      tf.dispose(slots.flatMap((s) => [s.rgb, s.neighbourRgb, s.labels, s.flow, s.valid]));
      return batch;
    },
    disposeBatch: (b) => tf.dispose([b.x, b.labels, ...(b.teacher ? [b.teacher] : []), ...(b.memory ? [b.memory.logits, b.memory.confidence] : [])]),
    objectives: [{ role: '', model: student, loss: (b) => weclickObjective(student, b, c) }],
    ...(val ? { validate: async (onProgress) => validateVideos(student, val, run.numClasses, c.ignoreIndex ?? 255, run.classNames, onProgress) } : {}),
  };
}
