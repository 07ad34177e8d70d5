/**
 * `pixelwise train --model tdnet2-lite|tdnet4-lite --teacher CKPT --data DIR ...`: a TDNet
 * student trained by grouped knowledge distillation from a PSPNet teacher checkpoint, on clips of
 * consecutive frames of a video data set, or on pseudo-video clips (still images translated at a
 * random velocity) of an image data set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describeChoice, setBackend, type BackendName } from '@pixelwise/core';
import { createModel, isModelName, loadWeights, type EpochRecord } from '@pixelwise/models';
import { openDataset, readCheckpointInfo, saveCheckpoint } from '@pixelwise/models/node';
import { createVideoModel, distillTdnet, imageClips, isVideoModelName, VIDEO_MODELS, videoClips, videoModelNames, type ClipSource } from '@pixelwise/video';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { backendFlag, intFlag, numberFlag, parseFlags, saveFlags } from '../options.js';
import { epochProgress } from '../progress.js';
import type { TrainResult } from './train.js';
import { isVideoDataset, openVideoSplit } from './video-data.js';

const schema = z.object({
  model: z.string().refine(isVideoModelName, { message: `--model: expected one of ${videoModelNames().join(', ')}` }),
  teacher: z.string({ message: '--teacher: required for TDNet students (a pspnet-lite checkpoint)' }).min(1),
  data: z.string().min(1),
  epochs: intFlag('--epochs', 1, 100000),
  batch: intFlag('--batch', 1, 4096),
  lr: numberFlag('--lr', 0, 10).optional(),
  out: z.string().optional(),
  optimizer: z.enum(['sgd', 'adam']),
  seed: intFlag('--seed', 0, 2 ** 31 - 1),
  backend: backendFlag,
  json: z.boolean().optional(),
  val: z.boolean(),
  resume: z.boolean().optional(),
  ...saveFlags,
});

async function openClips(dir: string, split: 'train' | 'val'): Promise<{ clips: ClipSource; classNames: string[]; ignoreIndex: number; kind: 'video' | 'images' }> {
  if (isVideoDataset(dir)) {
    const s = await openVideoSplit(dir, split, { flow: false });
    // Training: about one clip per 4 frames of each video per epoch (each at a random start).
    const perVideo = split === 'train' ? Math.max(1, Math.ceil((s.clips[0]?.frames ?? 1) / 4)) : 1;
    return { clips: videoClips(s.clips, perVideo), classNames: s.classNames, ignoreIndex: s.ignoreIndex, kind: 'video' };
  }
  try {
    const d = await openDataset(dir, split);
    return { clips: imageClips(d), classNames: d.classes.map((c) => c.name), ignoreIndex: d.ignoreIndex, kind: 'images' };
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

export async function trainTdnetCommand(raw: Record<string, unknown>): Promise<TrainResult> {
  const o = parseFlags(schema, raw);
  const train = await openClips(o.data, 'train');
  const val = o.val ? await openClips(o.data, 'val').catch(() => undefined) : undefined;
  if (!existsSync(o.teacher)) throw new CliError(`--teacher: ${o.teacher} does not exist`);
  const info = await readCheckpointInfo(o.teacher).catch((e: unknown) => {
    throw new CliError((e as Error).message);
  });
  const teacherName = info?.model ?? VIDEO_MODELS[o.model]?.teacher ?? 'pspnet-lite';
  if (!isModelName(teacherName)) throw new CliError(`--teacher: ${o.teacher} is a '${teacherName}' checkpoint, not an image model`);
  const numClasses = train.classNames.length;
  if (info && info.numClasses !== numClasses) throw new CliError(`--teacher: ${o.teacher} predicts ${info.numClasses} classes, ${o.data} has ${numClasses}`);
  const choice = await setBackend(o.backend as BackendName);
  process.stderr.write(`train: ${describeChoice(choice)}; ${o.model} from teacher ${teacherName} on ${train.kind === 'video' ? 'video clips' : 'pseudo-video clips of still images'}\n`);
  // With its auxiliary head, as `pixelwise train` saves it (unused in evaluation mode).
  const teacher = createModel(teacherName, { numClasses, aux: true });
  try {
    loadWeights(teacher, new Uint8Array(readFileSync(o.teacher)), o.teacher);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const student = createVideoModel(o.model, numClasses);
  const out = o.out ?? `checkpoints/${o.model}.safetensors`;
  if (o.resume && existsSync(out)) {
    // Weights only: the optimizer and the learning-rate schedule start again for --epochs more.
    const previous = await readCheckpointInfo(out).catch(() => undefined);
    if (previous && (previous.model !== o.model || previous.numClasses !== numClasses)) throw new CliError(`--resume: ${out} is a ${previous.model} checkpoint with ${previous.numClasses} classes, not ${o.model} with ${numClasses}`);
    try {
      loadWeights(student, new Uint8Array(readFileSync(out)), out);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    process.stderr.write(`train: continuing from the weights in ${out} (new optimizer, ${o.epochs} more epochs)\n`);
  }
  const config = { epochs: o.epochs, batchSize: o.batch, lr: o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.01), optimizer: o.optimizer, seed: o.seed, ignoreIndex: train.ignoreIndex };
  const bar = epochProgress(o.epochs);
  const history: EpochRecord[] = [];
  await distillTdnet(student, teacher, train.clips, {
    config,
    numClasses,
    ...(val ? { val: val.clips } : {}),
    onStep: (s) => bar.step({ ...s, stepsPerEpoch: s.steps }, `lr ${s.lr.toExponential(2)}`),
    onEpoch: async (r) => {
      bar.done();
      history.push(r);
      await saveCheckpoint(out, {
        model: student,
        info: { model: o.model, numClasses, classNames: train.classNames, dataset: o.data, config: { ...config, teacher: o.teacher, teacherModel: teacherName }, state: { epoch: r.epoch, iteration: 0, history: history.map((h) => ({ ...h })) } },
      });
      const v = r.val ? ` val mIoU ${(r.val.meanIoU * 100).toFixed(2)}` : '';
      process.stderr.write(`epoch ${r.epoch}/${o.epochs}: loss ${r.loss.toFixed(4)}${v} (${r.seconds.toFixed(1)} s) -> ${out}\n`);
    },
  });
  student.dispose();
  teacher.dispose();
  const final = history[history.length - 1];
  const res: TrainResult = { model: o.model, checkpoint: out, backend: choice.backend, dataset: o.data, numClasses, epochs: history.length, history, final };
  if (o.save) {
    const { saveRun, datasetName } = await import('../db/save-run.js');
    res.runId = await saveRun({
      kind: 'train',
      metrics: undefined,
      valSummary: final?.val,
      extra: { loss: final?.loss ?? null, epochs: res.epochs, seconds: history.reduce((a, h) => a + h.seconds, 0) },
      model: o.model,
      modelFamily: 'tdnet',
      backend: choice.backend,
      batch: o.batch,
      dataset: datasetName(undefined, o.data),
      datasetKind: train.kind,
      classNames: train.classNames,
      tags: o.tag ?? [],
      command: `pixelwise train --model ${o.model} --teacher ${o.teacher} --data ${o.data} --epochs ${o.epochs} --batch ${o.batch}`,
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    process.stdout.write(`trained ${o.model} for ${res.epochs} epochs on ${o.data}: ${final?.val ? `val mIoU ${(final.val.meanIoU * 100).toFixed(2)}` : `loss ${final?.loss.toFixed(4) ?? '?'}`}; checkpoint ${out}\n`);
    if (res.runId !== undefined) process.stdout.write(`saved run ${res.runId}\n`);
  }
  return res;
}
