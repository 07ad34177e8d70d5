/**
 * The training setup (for `runTraining` of `@pixelwise/models/node`) of a per-frame segmentation
 * model trained on a video data set's frame pairs for temporal consistency, optionally distilled
 * from a frozen teacher checkpoint (Liu et al., ECCV 2020). `pixelwise train --model NAME --data
 * VIDEO_DIR [--temporal-loss W] [--teacher CKPT [--teacher-model NAME] --distill LIST]` builds it.
 */
import { ModelConfigError } from '@pixelwise/models';
import type { TrainingSetup } from '@pixelwise/models/node';
import { TEMPORAL_LOSS_WEIGHT, temporalConsistencyTask, type DistillTerm } from '../temporal-consistency-train.js';
import type { TrainingMethod } from '../training-method.js';
import { openFramePairs, type FlowSource } from './frame-pair-data.js';
import { openVideoDataset } from './video-dataset.js';
import { openVideoSplit } from './video-split.js';
import { checkStudentModel, createStudent, loadVideoTeacher, type VideoStudentOptions } from './video-student.js';

export interface TemporalConsistencySetupOptions extends VideoStudentOptions {
  /** Weight of the temporal loss. Default {@link TEMPORAL_LOSS_WEIGHT}; 0 trains the per-frame baseline on the same pairs. */
  temporalLoss?: number;
  /** Distillation terms and weights; needs `teacher`. */
  distill?: Partial<Record<DistillTerm, number>>;
  /** Training flow: `gt` (default), `lucas-kanade` or a flow model checkpoint. */
  flow?: FlowSource;
  /** Labels on one frame in N only (the middle one), as Cityscapes' video snippets; default 1 (every frame). */
  labelledEvery?: number;
}

export async function temporalConsistencySetup(o: TemporalConsistencySetupOptions): Promise<TrainingSetup> {
  checkStudentModel(o.model, 'temporal-consistency training takes a per-frame segmentation model');
  const distill = o.distill && Object.keys(o.distill).length > 0 ? o.distill : undefined;
  if (distill && o.teacher === undefined) throw new ModelConfigError('--distill: needs --teacher CKPT (the frozen teacher)');
  if (!distill && o.teacher !== undefined) throw new ModelConfigError('--teacher: say which terms to distil with --distill (kd, pair, temporal)');
  const temporalLoss = o.temporalLoss ?? TEMPORAL_LOSS_WEIGHT;
  const dataset = await openVideoDataset(o.data, 'train');
  const numClasses = dataset.manifest.classes.length;
  const every = o.labelledEvery ?? 1;
  const longest = Math.max(0, ...dataset.videos.map((v) => v.frames.length));
  if (longest <= Math.floor(every / 2)) throw new ModelConfigError(`--labelled-every ${every}: no frame would be labelled (the first labelled frame is frame ${Math.floor(every / 2)}; the longest training video has ${longest} frames)`);
  const { options, student } = createStudent(o.model, numClasses);
  let train: Awaited<ReturnType<typeof openFramePairs>> | undefined;
  let teacher: Awaited<ReturnType<typeof loadVideoTeacher>>;
  const free = () => {
    train?.dispose();
    teacher?.model.dispose();
  };
  try {
    train = await openFramePairs(o.data, 'train', o.flow ?? 'gt', every);
    teacher = await loadVideoTeacher(o, numClasses);
    const val = o.validate === false ? undefined : await openVideoSplit(o.data, 'val').catch(() => undefined);
    const loss = { temporal: temporalLoss, ignoreIndex: train.ignoreIndex, ...(distill ? { distill } : {}), ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) };
    const task = temporalConsistencyTask(student, train.pairs, { loss, numClasses, classNames: train.classNames, ...(teacher ? { teacher: teacher.model } : {}), ...(o.crop ? { crop: o.crop } : {}), ...(val ? { val: val.videos } : {}) });
    const method: TrainingMethod = { kind: 'temporal-consistency', temporalLoss, ...(distill ? { distill } : {}), ...(teacher ? { teacher: teacher.name } : {}), flow: train.flow, ...(every > 1 ? { labelledEvery: every } : {}) };
    const what = [temporalLoss > 0 ? `temporal loss ${temporalLoss}` : 'no temporal loss', ...(distill && teacher ? [`distilling ${Object.entries(distill).map(([k, w]) => `${k} ${w}`).join(', ')} from ${teacher.name}`] : [])].join(', ');
    return {
      name: o.model,
      options,
      model: student,
      task: task as TrainingSetup['task'],
      numClasses,
      classNames: train.classNames,
      dataset: o.data,
      datasetKind: 'video',
      config: { training: method, ignoreIndex: train.ignoreIndex, ...(o.teacher ? { teacher: o.teacher } : {}), ...(o.crop ? { crop: o.crop } : {}), ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}) },
      summary: `${o.model} on the frame pairs of ${o.data} (${train.pairs.count} ${every > 1 ? `labelled frames, one in ${every}` : 'frames'}, flow ${train.flow}): ${what}`,
      spec: { module: import.meta.url, export: 'temporalConsistencySetup', args: o },
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
