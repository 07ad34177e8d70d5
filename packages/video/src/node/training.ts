/**
 * Training setups of the video package for the one loop (`runTraining` of
 * `@pixelwise/models/node`): a TDNet student distilled from a teacher checkpoint on clips, and a
 * flow network on a video data set's frame pairs with ground-truth flow.
 */
import { createFlowModel, createModel, FLOWNET_STRIDE, ModelConfigError, modelEntry, resolveModelOptions, type TDNet } from '@pixelwise/models';
import { loadSegmentor, readCheckpointInfo, type TrainingSetup } from '@pixelwise/models/node';
import { FLOW_OPTIMIZER, flowTask } from '../flow-train.js';
import { distillTask } from '../tdnet-distill.js';
import { openFlowPairs } from './flow-data.js';
import { openClips } from './video-split.js';

export interface TdnetSetupOptions {
  model: string;
  /** Teacher checkpoint (its sidecar names the model; else the student's registry teacher). */
  teacher: string;
  /** The teacher's registry name, for weights without a sidecar (default: the student's registry teacher). */
  teacherModel?: string;
  data: string;
  validate?: boolean;
}

/** A TDNet student trained by grouped distillation from a frozen teacher (Hu et al., CVPR 2020 §3.4). */
export async function tdnetSetup(o: TdnetSetupOptions): Promise<TrainingSetup> {
  const entry = modelEntry(o.model);
  if (entry.task !== 'video' || entry.family !== 'tdnet') throw new ModelConfigError(`${o.model} is not a TDNet student`);
  const train = await openClips(o.data, 'train');
  const val = o.validate === false ? undefined : await openClips(o.data, 'val').catch(() => undefined);
  const numClasses = train.classNames.length;
  // A teacher checkpoint names its model in its sidecar; a plain state dict is the registry's teacher.
  const info = await readCheckpointInfo(o.teacher);
  const teacherModel = o.teacherModel ?? (info ? undefined : entry.teacher);
  const teacher = await loadSegmentor(o.teacher, { flag: '--teacher', ...(teacherModel ? { model: teacherModel } : {}) });
  if (teacher.model.numClasses !== numClasses) {
    teacher.model.dispose();
    throw new ModelConfigError(`--teacher: ${o.teacher} predicts ${teacher.model.numClasses} classes, ${o.data} has ${numClasses}`);
  }
  const options = resolveModelOptions(o.model, { numClasses });
  const student = createModel(o.model, options) as TDNet;
  const task = distillTask(student, teacher.model, train.clips, { loss: { ignoreIndex: train.ignoreIndex }, numClasses, ...(val ? { val: val.clips } : {}) });
  return {
    name: o.model,
    options,
    model: student,
    task,
    numClasses,
    classNames: train.classNames,
    dataset: o.data,
    datasetKind: train.kind,
    config: { teacher: o.teacher, teacherModel: teacher.name, ignoreIndex: train.ignoreIndex },
    summary: `${o.model} from teacher ${teacher.name} on ${train.kind === 'video' ? 'video clips' : 'pseudo-video clips of still images'}`,
    spec: { module: import.meta.url, export: 'tdnetSetup', args: o },
    dispose: () => {
      student.dispose();
      teacher.model.dispose();
    },
  };
}

export interface FlowSetupOptions {
  model: string;
  data: string;
  /** Training crop `[height, width]`, multiples of 64; default: the largest that fits the frames, at most 256x256. */
  crop?: [number, number];
  validate?: boolean;
}

/**
 * Default crop: the largest multiple of 64 that fits the frames, at most 256x256 (crops close to
 * the full frame train the coarse levels on what inference sees: measured on synthetic video,
 * 128x64 crops reached a lower EPE than 64x64 crops in the same number of steps).
 */
function defaultCrop([width, height]: [number, number]): [number, number] {
  const fit = (n: number) => Math.max(FLOWNET_STRIDE, Math.min(256, Math.floor(n / FLOWNET_STRIDE) * FLOWNET_STRIDE));
  return [fit(height), fit(width)];
}

/** FlowNetS on frame pairs with ground-truth forward flow: multi-scale EPE, Adam (Dosovitskiy et al. §4). */
export async function flowSetup(o: FlowSetupOptions): Promise<TrainingSetup> {
  modelEntry(o.model, 'flow');
  const data = await openFlowPairs(o.data, 'train');
  let val = o.validate === false ? undefined : await openFlowPairs(o.data, 'val');
  if (val?.names.length === 0) val = undefined;
  const crop = o.crop ?? defaultCrop(data.size ?? [FLOWNET_STRIDE, FLOWNET_STRIDE]);
  const model = createFlowModel(o.model);
  const task = flowTask(model, data, { config: { crop }, ...(val ? { val } : {}) });
  return {
    name: o.model,
    options: resolveModelOptions(o.model),
    model,
    task,
    numClasses: 2,
    classNames: ['u', 'v'],
    dataset: o.data,
    datasetKind: 'video',
    fit: FLOW_OPTIMIZER,
    config: { task: 'flow', crop },
    summary: `${o.model} on the frame pairs of ${o.data} (${data.names.length} pairs, crops ${crop[1]}x${crop[0]})`,
    spec: { module: import.meta.url, export: 'flowSetup', args: o },
    dispose: () => model.dispose(),
  };
}
