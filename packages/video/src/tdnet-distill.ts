/**
 * Training a TDNet student with grouped knowledge distillation (Hu et al., CVPR 2020, §3.4) from
 * a full PSPNet teacher. A training sample is a clip of m consecutive frames; frame j goes through
 * sub-network (r + j) mod m for a random rotation r (every sub-network learns to be the current
 * one), the last frame's feature is recomposed by attention propagation and classified. Loss:
 *
 * ```
 * CE(student, labels) + λ_out KL(teacher || student)                      (outputs)
 *   + λ_feat ( MSE(F_student, F_teacher)                                  (overall feature)
 *            + 1/m Σ_j MSE(subnet_j(frame j), group_{σ(j)} of F_teacher(frame j)) )  (grouped)
 * ```
 *
 * where group i is the i-th 1/m slice of the teacher backbone's channels. The teacher is frozen.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';
import { ConfusionMatrix, segmentationMetrics } from '@pixelwise/eval';
import { createRng, crossEntropy, EVAL, fit, flipHorizontal, ModelConfigError, ResNet, stackBatch, TRAIN, type FitConfig, type Rng, type Sample, type Segmentor, type TDNet, type TDNetEncoding, type TrainingTask } from '@pixelwise/models';

/** Clips of consecutive frames with the last frame's labels. */
export interface ClipSource {
  /** Clips per epoch. */
  count: number;
  /** Clip `i`: `length` frames, oldest first, each with labels (only the last frame's are used). */
  read(i: number, length: number, rng: Rng): Promise<Sample[]>;
}

/** The weights of the distillation loss. */
export interface DistillLossConfig {
  /** Weight of the output distillation (KL). Default 1. */
  outputWeight?: number;
  /** Weight of the overall and grouped feature distillation (MSE). Default 0.1. */
  featureWeight?: number;
  ignoreIndex?: number;
}

export interface DistillConfig extends FitConfig, DistillLossConfig {}

export interface DistillEpoch {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  val?: { meanIoU: number; pixelAccuracy: number; meanAccuracy: number };
}

export interface DistillRun {
  config: DistillConfig;
  numClasses: number;
  /** Validation clips (mIoU of the last frame), after each epoch. */
  val?: ClipSource;
  onStep?: (info: { epoch: number; step: number; steps: number; loss: number; lr: number }) => void;
  onEpoch?: (record: DistillEpoch) => Promise<void> | void;
}

/** The teacher's backbone (a PSPNet's `backbone` child): the features distillation matches. */
export function teacherBackbone(teacher: Segmentor): ResNet {
  const found = teacher.namedModules().find(([name]) => name === 'backbone')?.[1];
  if (!(found instanceof ResNet)) throw new ModelConfigError(`teacher ${teacher.constructor.name} has no ResNet 'backbone' (expected a PSPNet)`);
  return found;
}

/**
 * `KL(softmax(t) || softmax(s))` averaged over pixels of `[N, H, W, C]` scores; with `weight`
 * (`[N, H, W, 1]`), each pixel's divergence is multiplied by its weight before the mean over all
 * pixels (a pixel of weight 0 contributes nothing; WeClick's memory distillation).
 */
export function pixelKl(teacher: Tensor4D, student: Tensor4D, weight?: Tensor4D): Scalar {
  return tf.tidy(() => {
    const c = student.shape[3];
    const pt = tf.softmax(tf.reshape(teacher, [-1, c]));
    const kl = tf.sum(tf.mul(pt, tf.sub(tf.logSoftmax(tf.reshape(teacher, [-1, c])), tf.logSoftmax(tf.reshape(student, [-1, c])))), 1);
    return tf.mean(weight ? tf.mul(kl, tf.reshape(weight, [-1])) : kl) as Scalar;
  });
}

/** The grouped + overall distillation loss of one batch of clips (inside a gradient tape). */
export function distillLoss(student: TDNet, frames: readonly Tensor4D[], labels: Tensor3D, teacher: { features: readonly Tensor4D[]; logits: Tensor4D }, rotation: number, config: DistillLossConfig): Scalar {
  return tf.tidy(() => {
    const m = student.paths;
    const c = student.pathChannels;
    const enc: TDNetEncoding[] = frames.map((x, j) => student.encode((rotation + j) % m, x, TRAIN));
    const last = enc[enc.length - 1] as TDNetEncoding;
    const feature = student.aggregate(last, enc.slice(0, -1));
    const [, h, w] = labels.shape;
    const logits = student.classify(feature, [h, w], TRAIN);
    const terms: Tensor[] = [crossEntropy(logits, labels, { ignoreIndex: config.ignoreIndex ?? 255 })];
    terms.push(tf.mul(pixelKl(teacher.logits, logits), config.outputWeight ?? 1));
    const tLast = teacher.features[teacher.features.length - 1] as Tensor4D;
    const grouped = enc.map((e, j) => {
      const t = teacher.features[j] as Tensor4D;
      return tf.losses.meanSquaredError(tf.slice(t, [0, 0, 0, e.path * c], [-1, -1, -1, c]), e.features);
    });
    const featureTerm = tf.add(tf.losses.meanSquaredError(tLast, feature), tf.div(tf.addN(grouped), grouped.length));
    terms.push(tf.mul(featureTerm, config.featureWeight ?? 0.1));
    return tf.addN(terms) as Scalar;
  });
}

/** A batch of clips: the frames (oldest first), the last frame's labels, the teacher's outputs, the rotation. */
export interface DistillBatch {
  frames: Tensor4D[];
  labels: Tensor3D;
  teacher: { features: Tensor4D[]; logits: Tensor4D };
  rotation: number;
}

/**
 * Grouped distillation as a task of the one loop (`fit` of @pixelwise/models): batches of clips
 * (randomly flipped), the frozen teacher run on them while loading (outside the tape), and the
 * student's {@link distillLoss}; validation mIoU of the clips' last frames.
 */
export function distillTask(student: TDNet, teacher: Segmentor, clips: ClipSource, run: { loss?: DistillLossConfig; numClasses: number; val?: ClipSource }): TrainingTask<DistillBatch> {
  if (clips.count === 0) throw new Error('training set has no clips');
  if (teacher.inputNorm !== student.inputNorm) throw new Error(`teacher normalises input as '${teacher.inputNorm}', student as '${student.inputNorm}'`);
  const backbone = teacherBackbone(teacher);
  const m = student.paths;
  const c = run.loss ?? {};
  const val = run.val;
  return {
    size: clips.count,
    loadBatch: async (indices, rngOf) => {
      const raw = await Promise.all(indices.map((i) => clips.read(i, m, rngOf(i))));
      const batch = raw.map((clip, k) => (rngOf(indices[k] as number, 1).next() < 0.5 ? clip.map(flipHorizontal) : clip));
      const stacked = Array.from({ length: m }, (_, j) => stackBatch(batch.map((clip) => clip[j] as Sample), student.inputNorm));
      const frames = stacked.map((s) => s.x);
      const labels = (stacked[m - 1] as { y: Tensor3D }).y;
      tf.dispose(stacked.slice(0, -1).map((s) => s.y));
      const teacherOut = tf.tidy(() => ({
        features: frames.map((x) => backbone.features(x, EVAL)[4] as Tensor4D),
        logits: teacher.forward(frames[m - 1] as Tensor4D, EVAL).out,
      }));
      // One rotation per batch (every clip's frame j goes through the same sub-network), from its first sample.
      return { frames, labels, teacher: teacherOut, rotation: Math.floor(rngOf(indices[0] as number, 2).next() * m) };
    },
    disposeBatch: (b) => tf.dispose([...b.frames, b.labels, ...b.teacher.features, b.teacher.logits]),
    objectives: [{ role: '', model: student, loss: (b) => distillLoss(student, b.frames, b.labels, b.teacher, b.rotation, c) }],
    ...(val ? { validate: async () => evaluateClips(student, val, run.numClasses, c.ignoreIndex ?? 255) } : {}),
  };
}

/** Trains `student` from `teacher` on clips through the one loop; returns the epoch records. */
export async function distillTdnet(student: TDNet, teacher: Segmentor, clips: ClipSource, run: DistillRun): Promise<DistillEpoch[]> {
  const state = await fit(distillTask(student, teacher, clips, { loss: run.config, numClasses: run.numClasses, ...(run.val ? { val: run.val } : {}) }), run.config, {
    onStep: (s) => run.onStep?.({ ...s, steps: s.stepsPerEpoch }),
    onEpoch: (r) => run.onEpoch?.(r as DistillEpoch),
  });
  return state.history as DistillEpoch[];
}

/** mIoU of the last frame of each validation clip, the student reading the whole clip. */
export async function evaluateClips(student: TDNet, clips: ClipSource, numClasses: number, ignoreIndex = 255): Promise<{ meanIoU: number; pixelAccuracy: number; meanAccuracy: number }> {
  const cm = new ConfusionMatrix({ numClasses, ignoreIndex });
  const rng = createRng(12345);
  const m = student.paths;
  for (let i = 0; i < clips.count; i++) {
    const clip = await clips.read(i, m, rng);
    const last = clip[m - 1] as Sample;
    const pred = tf.tidy(() => {
      const enc = clip.map((s, j) => {
        const { x } = stackBatch([s], student.inputNorm);
        return student.encode(j % m, x, EVAL);
      });
      const current = enc[m - 1] as TDNetEncoding;
      const feature = student.aggregate(current, enc.slice(0, -1));
      return tf.argMax(student.classify(feature, [last.image.height, last.image.width]), 3);
    });
    const p = new Int32Array(pred.dataSync());
    pred.dispose();
    cm.add(last.labels.data, p);
  }
  const r = segmentationMetrics(cm);
  return { meanIoU: r.meanIoU, pixelAccuracy: r.pixelAccuracy, meanAccuracy: r.meanAccuracy };
}
