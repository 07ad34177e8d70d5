/**
 * What the per-frame video training setups (temporal consistency, WeClick) share: the student, a
 * registry segmentation model with its auxiliary head where it has one, and the frozen teacher
 * checkpoint, checked against the data set's classes.
 */
import { createModel, ModelConfigError, modelEntry, resolveModelOptions, type ModelOptions } from '@pixelwise/models';
import { loadSegmentor } from '@pixelwise/models/node';

/** Options every per-frame video training setup takes. */
export interface VideoStudentOptions {
  /** A segmentation model of the registry (the student). */
  model: string;
  /** Video data set directory (`pixelwise data synth --kind video`). */
  data: string;
  /** Teacher checkpoint and, for weights without a sidecar, its registry name. */
  teacher?: string;
  teacherModel?: string;
  /** Training crop `[height, width]`; default the whole frame. */
  crop?: [number, number];
  auxWeight?: number;
  /** Validate (mIoU and temporal consistency on the val split's videos) after each epoch. Default true. */
  validate?: boolean;
}

/** Throws unless `model` is a per-frame segmentation model; `method` names the training in the message. */
export function checkStudentModel(model: string, method: string): void {
  const entry = modelEntry(model);
  if (entry.task !== 'segmentation') throw new ModelConfigError(`${model} is a ${entry.task} model; ${method}`);
}

/**
 * The student, built before anything else is loaded: its deterministic initialisation then does
 * not depend on whether a teacher or a flow model was (a baseline and its distilled twin start
 * from the same weights).
 */
export function createStudent(model: string, numClasses: number) {
  const aux = 'aux' in modelEntry(model).options.shape ? { aux: true } : {};
  const options = resolveModelOptions(model, { ...aux, numClasses });
  return { options, student: createModel(model, options as ModelOptions) };
}

/** The frozen teacher of `o.teacher` (undefined without one), predicting the data set's `numClasses`. */
export async function loadVideoTeacher(o: VideoStudentOptions, numClasses: number) {
  if (o.teacher === undefined) return undefined;
  const teacher = await loadSegmentor(o.teacher, { flag: '--teacher', ...(o.teacherModel ? { model: o.teacherModel } : {}) });
  if (teacher.model.numClasses !== numClasses) {
    teacher.model.dispose();
    throw new ModelConfigError(`--teacher: ${o.teacher} predicts ${teacher.model.numClasses} classes, ${o.data} has ${numClasses}`);
  }
  return teacher;
}
