/**
 * Affinity distillation of Liu et al. (ECCV 2020, §3.2), as in the authors' code (the ETC
 * repository, `util/crit.py`): the student learns the teacher's *relations* between positions,
 * not its features, so the two may differ in channels.
 *
 * - Pair-wise (`CriterionSDcos_self`): the cosine-similarity matrix between all positions of one
 *   frame's 2x2-average-pooled feature map, `a_ij = f_i . f_j / (|f_i| |f_j|)`, matched by MSE.
 * - Temporal (`CriterionSDcos_sig` with `Cos_Attn_no`): the cross-frame cosine matrix between
 *   the positions of frame t and those of frame t+k, matched by MSE.
 *
 * Norms carry an epsilon (`|f| = sqrt(f.f + 1e-12)`) the code lacks, so an all-zero feature
 * vector (common after a ReLU) gives 0 instead of NaN.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor3D, Tensor4D } from '@pixelwise/core';
import { upsampleTo } from '@pixelwise/models';

/** Rows of `[N, h, w, C]` as unit vectors `[N, h*w, C]`. */
function unitRows(x: Tensor4D): Tensor3D {
  const [n, h, w, c] = x.shape;
  const rows = tf.reshape(x, [n, h * w, c]);
  return tf.mul(rows, tf.rsqrt(tf.add(tf.sum(tf.square(rows), 2, true), 1e-12))) as Tensor3D;
}

/**
 * Cosine similarities between every position of `a` and every position of `b`:
 * `[N, h, w, C]` x `[N, h', w', C]` -> `[N, h*w, h'*w']` (row-major positions).
 */
export function cosineAffinity(a: Tensor4D, b: Tensor4D): Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[3] !== b.shape[3]) throw new Error(`cosineAffinity: [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ in batch or channels`);
  return tf.tidy(() => tf.matMul(unitRows(a), unitRows(b), false, true) as Tensor3D);
}

/** 2x2 average pooling with stride 2 (`nn.AvgPool2d(2, 2)`: odd edges dropped). */
function pool2(x: Tensor4D): Tensor4D {
  return x.shape[1] >= 2 && x.shape[2] >= 2 ? tf.avgPool(x, 2, 2, 'valid') : x;
}

/**
 * Pair-wise distillation of one frame: MSE between the student's and the teacher's cosine
 * self-affinity of their 2x2-pooled features. The teacher's map is first resized to the
 * student's grid when the two differ.
 * @param student `[N, h, w, C_s]` (in the tape).
 * @param teacher `[N, h', w', C_t]` (constant).
 */
export function pairwiseDistillLoss(student: Tensor4D, teacher: Tensor4D): Scalar {
  return tf.tidy(() => {
    const grid = [student.shape[1], student.shape[2]] as const;
    const s = pool2(student);
    const t = pool2(upsampleTo(teacher, grid));
    return tf.losses.meanSquaredError(cosineAffinity(t, t), cosineAffinity(s, s)) as Scalar;
  });
}

/**
 * Temporal distillation of a frame pair: MSE between the student's and the teacher's cross-frame
 * cosine affinity (positions of frame t against those of frame t+k), on the maps given (the code
 * uses the head's class scores at its own resolution, unpooled). The teacher's maps are resized to
 * the student's grid when the two differ (students and teachers of different output strides).
 * @param student `[frame t, frame t+k]`, each `[N, h, w, C_s]`.
 * @param teacher the same for the teacher, each `[N, h', w', C_t]`.
 */
export function temporalDistillLoss(student: readonly [Tensor4D, Tensor4D], teacher: readonly [Tensor4D, Tensor4D]): Scalar {
  return tf.tidy(() => {
    const grid = [student[0].shape[1], student[0].shape[2]] as const;
    const [t0, t1] = teacher.map((t) => upsampleTo(t, grid)) as [Tensor4D, Tensor4D];
    return tf.losses.meanSquaredError(cosineAffinity(t0, t1), cosineAffinity(student[0], student[1])) as Scalar;
  });
}
