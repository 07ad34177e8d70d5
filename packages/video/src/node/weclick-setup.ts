/**
 * The training setup (for `runTraining` of `@pixelwise/models/node`) of WeClick (Liu et al., ACM MM
 * 2021): a per-frame student on a video data set's frames with click labels (`pixelwise data
 * clicks`), optionally with memory flow distillation over n-1 previous frames and KD from a
 * frozen teacher checkpoint (itself trained on the clicks). `pixelwise train --model NAME --data
 * VIDEO_DIR --labels CLICKS_DIR [--teacher CKPT [--teacher-model NAME]] [--memory-flow N] [--mfd W]
 * [--kd W] [--flow SOURCE]` builds it; `--labels VIDEO_DIR` (the data set's own labels) trains
 * the fully supervised upper bound on the same samples.
 */
import { ModelConfigError } from '@pixelwise/models';
import type { TrainingSetup } from '@pixelwise/models/node';
import { memoryFrames } from '../memory-frames.js';
import type { TrainingMethod } from '../training-method.js';
import { MEMORY_FRAMES, MFD_WEIGHT, weclickTask } from '../weclick-train.js';
import { readClickManifest } from './click-labels.js';
import { flowEstimator, openPairVideos, type FlowSource } from './frame-pair-data.js';
import { openVideoSplit } from './video-split.js';
import { checkStudentModel, createStudent, loadVideoTeacher, type VideoStudentOptions } from './video-student.js';

/** `data` is the video data set: frames, flow, and the full labels validation reads. */
export interface WeClickSetupOptions extends VideoStudentOptions {
  /** Labels folder in the data set's layout: a `data clicks` output, or the data set itself (full supervision). Default `data`. */
  labels?: string;
  /** Frames in the memory window, the target included (n). Default {@link MEMORY_FRAMES}. */
  memoryFlow?: number;
  /** Weight of memory flow distillation. Default {@link MFD_WEIGHT} with a teacher and n >= 2, else 0. */
  mfd?: number;
  /** Weight of KD from the teacher on the target frame. Default 0. */
  kd?: number;
  /** Flow from the target to its memory frames: `gt` (default), `lucas-kanade` or a flow model checkpoint. */
  flow?: FlowSource;
}

export async function weclickSetup(o: WeClickSetupOptions): Promise<TrainingSetup> {
  checkStudentModel(o.model, 'WeClick trains a per-frame segmentation model');
  const n = o.memoryFlow ?? MEMORY_FRAMES;
  const mfd = o.mfd ?? (o.teacher !== undefined && n >= 2 ? MFD_WEIGHT : 0);
  const kd = o.kd ?? 0;
  if ((mfd > 0 || kd > 0) && o.teacher === undefined) throw new ModelConfigError(`${mfd > 0 ? '--mfd' : '--kd'}: needs --teacher CKPT (the frozen teacher, trained on the clicks)`);
  if (mfd > 0 && n < 2) throw new ModelConfigError('--mfd: needs --memory-flow N with N >= 2 (the target and at least one previous frame)');
  if (o.teacher !== undefined && mfd === 0 && kd === 0) throw new ModelConfigError('--teacher: say what to distil (--mfd W, --kd W)');
  const labelsDir = o.labels ?? o.data;
  const clicks = await readClickManifest(labelsDir);
  const train = await openPairVideos(o.data, 'train', labelsDir);
  const numClasses = train.classNames.length;
  const { options, student } = createStudent(o.model, numClasses);
  let source: Awaited<ReturnType<typeof flowEstimator>> | undefined;
  let teacher: Awaited<ReturnType<typeof loadVideoTeacher>>;
  const free = () => {
    source?.dispose();
    teacher?.model.dispose();
  };
  try {
    source = await flowEstimator(o.flow ?? 'gt');
    teacher = await loadVideoTeacher(o, numClasses);
    const val = o.validate === false ? undefined : await openVideoSplit(o.data, 'val').catch(() => undefined);
    const frames = memoryFrames(train.videos, n, source.estimate ? { estimate: source.estimate } : {});
    const loss = { mfd, kd, ignoreIndex: train.ignoreIndex, ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) };
    const task = weclickTask(student, frames, { loss, numClasses, classNames: train.classNames, ...(teacher ? { teacher: teacher.model } : {}), ...(o.crop ? { crop: o.crop } : {}), ...(val ? { val: val.videos } : {}) });
    const method: TrainingMethod = { kind: 'weclick', labels: clicks ? 'clicks' : 'full', ...(clicks ? { labelledShare: clicks.labelledShare } : {}), memoryFlow: n, mfd, kd, ...(teacher ? { teacher: teacher.name } : {}), flow: source.name };
    const what = [clicks ? `clicks (${(clicks.labelledShare * 100).toFixed(3)}% of pixels labelled)` : `full labels from ${labelsDir}`, ...(mfd > 0 ? [`memory flow distillation ${mfd} over ${n - 1} previous frames (flow ${source.name})`] : []), ...(kd > 0 ? [`KD ${kd}`] : []), ...(teacher ? [`teacher ${teacher.name}`] : [])].join(', ');
    return {
      name: o.model,
      options,
      model: student,
      task: task as TrainingSetup['task'],
      numClasses,
      classNames: train.classNames,
      dataset: o.data,
      datasetKind: 'video',
      config: { training: method, labels: labelsDir, ignoreIndex: train.ignoreIndex, ...(o.teacher ? { teacher: o.teacher } : {}), ...(o.crop ? { crop: o.crop } : {}), ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) },
      summary: `${o.model} on ${frames.count} frames of ${o.data}: ${what}`,
      spec: { module: import.meta.url, export: 'weclickSetup', args: o },
      dispose: () => {
        student.dispose();
        free();
      },
    };
  } catch (e) {
    student.dispose();
    free();
    throw e;
  }
}
