/**
 * `pixelwise train --model NAME --data DIR [--epochs E] [--batch B] [--lr LR] [--size WxH]
 * [--out CKPT] [--resume] [--optimizer sgd|adam] [--loss ce|iou|lovasz] [--seed S] [--backend B] [--json] [--save]`:
 * any registry model through the one training loop — segmentation models on an image data set
 * (`--mode full` for a cascade's deep-supervision baseline) or on a video data set's frame pairs
 * (`--temporal-loss W`, `--teacher CKPT --distill kd,pair,temporal`: Liu et al., ECCV 2020; WeClick from
 * clicks: `--labels CLICKS [--teacher CKPT --memory-flow N --kd W]`, Liu et al., ACM MM 2021), TDNet
 * students by distillation from `--teacher CKPT`, flow networks on a video data set's frame pairs;
 * and from a labelled source video data set to `--target DIR` by `--adapt METHOD` (adapt-flags.ts).
 */
import { availableParallelism } from 'node:os';
import { describeChoice, setBackend } from '@pixelwise/core';
import { deviceOf } from '@pixelwise/core/node';
import { MODELS, PIXEL_LOSSES, splitsOverShards, type EpochRecord } from '@pixelwise/models';
import { segmentationSetup, type TrainingSetup } from '@pixelwise/models/node';
import { flowSetup, isVideoDataset, runAdaptation, runPhase, tdnetSetup, temporalConsistencySetup, weclickSetup, type PhaseHooks } from '@pixelwise/video/node';
import { ADAPT_FLAGS, adaptationOptions } from '../adapt-flags.js';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, flag, flagName, saveFlags, type Parsed } from '../flags.js';
import { distillFlag, methodIdentity } from '../method-identity.js';
import { modelFlag, modelOptionFlags } from '../model-flags.js';
import { epochProgress } from '../progress.js';
import { WECLICK_FLAGS, weclickFlagsGiven, weclickOptions } from '../weclick-flags.js';
import { datasetName, modelConfig, saveRecord, trainRecord } from '../records.js';

const FLAGS = {
  model: modelFlag('registry name, e.g. fcn8s-lite (see `pixelwise models`): a segmentation model, a TDNet student (with --teacher) or a flow model (on a video data set)'),
  data: flag.path('dataset directory (synthetic, PASCAL VOC or Cityscapes layout; a video data set for TDNet and flow models)', { required: true, arg: '<dir>' }),
  epochs: flag.int('epochs in all (with --resume: counting those already done)', 1, 100000, { default: '10' }),
  batch: flag.int('batch size (with --accumulate: of each micro-batch)', 1, 4096, { default: '8' }),
  accumulate: flag.int('micro-batches per optimizer step: gradients averaged over K batches of --batch (an effective batch that need not fit in memory)', 1, 1024, { default: '1' }),
  lr: flag.number('base learning rate (default 0.01 for sgd, 0.001 for adam), poly decay (flow models: constant)', 0, 10),
  size: flag.size('training crop (default 256x256; flow models: the largest multiple of 64 that fits the frames, at most 256x256)', { min: 16 }),
  out: flag.path('checkpoint path (.safetensors; .json and .optim.safetensors beside it); default checkpoints/MODEL.safetensors', { arg: '<ckpt>' }),
  resume: flag.bool('continue from --out if it exists: weights, optimizer state and schedule'),
  optimizer: flag.choice('optimizer (default sgd; flow models: adam)', ['sgd', 'adam']),
  seed: flag.int('seed for shuffling and augmentation', 0, 2 ** 31 - 1, { default: '0' }),
  auxWeight: flag.number('weight of auxiliary losses', -1, 10, { default: '0.4' }),
  loss: flag.choice('segmentation models: pixel loss of every term (main, auxiliary, cascade stages): ce (cross-entropy, the default), iou (corpus-level soft IoU), lovasz (Lovasz-softmax)', PIXEL_LOSSES),
  val: flag.negated('skip validation after each epoch'),
  teacher: flag.path('the frozen teacher checkpoint: of a TDNet student (pspnet-lite, grouped distillation), or of a segmentation model on video (with --distill; WeClick: --mfd, --kd)', { arg: '<ckpt>' }),
  teacherModel: flag.string('registry name of --teacher when its weights have no sidecar', { arg: '<name>' }),
  temporalLoss: flag.number('segmentation models on video: weight of the motion-guided temporal loss (the authors\' PSPNet-18 config: 0.1); default 0, per-frame training on the same frame pairs', 0, 1000, { closed: true }),
  distill: distillFlag,
  labelledEvery: flag.int('segmentation models on video: labels on one frame in N only (the middle one of every N, as Cityscapes labels one frame of each 30-frame snippet); the others are neighbours only. Default 1: every frame labelled', 1, 1000),
  flow: flag.string('segmentation models on video: training flow between a frame and its neighbour (WeClick: its memory frames): gt (the data set\'s, default), lucas-kanade, or a flow model checkpoint', { arg: '<source>' }),
  ...WECLICK_FLAGS,
  mode: flag.choice('layer-cascade: stage losses on the pixels reaching each stage (cascade) or on every pixel (full)', ['cascade', 'full']),
  classifier: flag.choice('hypercolumn: linear (default), mlp (zoom-out) or grid (location-specific K x K classifiers, Hariharan et al. §3.3)', ['linear', 'mlp', 'grid']),
  grid: flag.int('hypercolumn --classifier grid: K of the K x K classifier grid (default 5)', 1, 16),
  workers: {
    description: "threads that share each step's samples (data-parallel; 'auto': one per core, at most 2 here)",
    arg: '<n>',
    default: 'auto',
    schema: z.union([z.literal('auto'), z.string().regex(/^\d+$/, "expected a thread count or 'auto'").transform(Number).refine((n) => n >= 1 && n <= 64, 'expected 1..64 threads')]),
  },
  ...ADAPT_FLAGS,
  backend: backendFlag(),
  json: flag.bool('print one JSON object with the training history'),
  ...saveFlags('the run (final validation metrics)'),
};
type Flags = Parsed<typeof FLAGS>;

export interface TrainResult {
  model: string;
  checkpoint: string;
  backend: string;
  dataset: string;
  numClasses: number;
  epochs: number;
  history: EpochRecord[];
  final: EpochRecord | undefined;
  runId?: number | string;
}

/** The package setup of what `--model` is: segmentation, TDNet distillation or flow training. */
async function setupFor(o: Flags): Promise<TrainingSetup> {
  const task = MODELS[o.model]?.task;
  if (o.loss !== undefined && task !== 'segmentation') throw new CliError(`--loss: applies to segmentation models only; ${o.model} is a ${task} model`);
  if (o.teacherModel !== undefined && o.teacher === undefined) throw new CliError('--teacher-model: only with --teacher');
  const onVideo = task === 'segmentation' && isVideoDataset(o.data);
  if (onVideo) {
    if (o.loss !== undefined) throw new CliError('--loss: training on a video data set uses cross-entropy (the temporal-consistency losses build on it)');
    const weclick = weclickOptions(o);
    if (weclick) return weclickSetup(weclick);
    const { temporalLoss = 0, distill, teacher, teacherModel, flow, labelledEvery } = o;
    return temporalConsistencySetup({ model: o.model, data: o.data, temporalLoss, ...(distill ? { distill } : {}), ...(teacher ? { teacher } : {}), ...(teacherModel ? { teacherModel } : {}), ...(flow ? { flow } : {}), ...(labelledEvery ? { labelledEvery } : {}), ...(o.size ? { crop: o.size } : {}), auxWeight: o.auxWeight, validate: o.val });
  }
  const videoOnly = [...(['temporalLoss', 'distill', 'flow', 'labelledEvery'] as const).filter((k) => o[k] !== undefined), ...weclickFlagsGiven(o)][0];
  if (videoOnly) throw new CliError(`${flagName(videoOnly)}: only for segmentation models on a video data set (pixelwise data synth --kind video)`);
  if (o.teacher !== undefined && task !== 'video') throw new CliError('--teacher: only TDNet students (tdnet2-lite, tdnet4-lite) and segmentation models on a video data set (with --distill) train from a teacher');
  if (task === 'video') {
    if (o.teacher === undefined) throw new CliError('--teacher: required for TDNet students (a pspnet-lite checkpoint)');
    return tdnetSetup({ model: o.model, teacher: o.teacher, data: o.data, validate: o.val, ...(o.teacherModel ? { teacherModel: o.teacherModel } : {}) });
  }
  if (task === 'flow') {
    if (o.optimizer === 'sgd') throw new CliError('--optimizer: flow models train with adam');
    if (o.size && (o.size[0] % 64 !== 0 || o.size[1] % 64 !== 0)) throw new CliError('--size: flow training crops must be multiples of 64');
    return flowSetup({ model: o.model, data: o.data, validate: o.val, ...(o.size ? { crop: o.size } : {}) });
  }
  const options = modelOptionFlags(o.model, { mode: o.mode, classifier: o.classifier, grid: o.grid });
  return segmentationSetup({ model: o.model, data: o.data, options, crop: o.size ?? [256, 256], auxWeight: o.auxWeight, validate: o.val, ...(o.loss ? { loss: o.loss } : {}) });
}

const describeVal = (r: EpochRecord): string => {
  const v = r.val;
  if (!v) return '';
  if (v.epe !== undefined) return ` val EPE ${v.epe.toFixed(3)} px (zero flow ${(v.zeroFlowEpe ?? NaN).toFixed(3)})`;
  return ` val mIoU ${((v.meanIoU ?? NaN) * 100).toFixed(2)}${v.pixelAccuracy !== undefined ? ` pixel acc ${(v.pixelAccuracy * 100).toFixed(2)}` : ''}${v.temporalConsistency !== undefined ? ` TC ${(v.temporalConsistency * 100).toFixed(2)}` : ''}`;
};

/**
 * Threads sharing each step. Workers share a step, so more threads than samples would idle; the
 * IoU losses are sums over the whole batch, so `auto` keeps them on one thread (an explicit
 * `--workers` or `--accumulate` makes each shard its own corpus, and says so).
 */
function trainThreads(o: Flags): number {
  const batchLevel = o.loss !== undefined && !splitsOverShards(o.loss);
  const threads = Math.min(o.workers === 'auto' ? (batchLevel ? 1 : Math.min(2, availableParallelism())) : o.workers, o.batch);
  if (batchLevel && (threads > 1 || o.accumulate > 1)) process.stderr.write(`train: warning: --loss ${o.loss} over ${threads > 1 ? `${threads} shards` : `${o.accumulate} micro-batches`}: each is its own corpus (the IoU of the whole batch does not split)\n`);
  return threads;
}

export async function trainCommand(o: Flags): Promise<TrainResult> {
  const choice = await setBackend(o.backend);
  const adaptation = adaptationOptions(o);
  const notAdapted = (['loss', 'teacher', 'mode', 'temporalLoss', 'distill', 'flow', 'labelledEvery', 'labels', 'memoryFlow', 'mfd', 'kd'] as const).find((k) => o[k] !== undefined);
  if (adaptation && notAdapted) throw new CliError(`${flagName(notAdapted)}: not with --adapt (cross-entropy on the source, no teacher)`);
  const setup = adaptation ? undefined : await setupFor(o);
  process.stderr.write(`train: ${describeChoice(choice)}\n`);
  const out = o.out ?? `checkpoints/${o.model}.safetensors`;
  const optimizer = o.optimizer ?? 'sgd';
  let bar = epochProgress(o.epochs);
  let phase = { name: '', epochs: o.epochs, checkpoint: out };
  const hooks: Parameters<typeof runPhase>[2] & PhaseHooks = {
    out,
    resume: o.resume ?? false,
    threads: trainThreads(o),
    fit: { epochs: o.epochs, batchSize: o.batch, accumulate: o.accumulate, lr: o.lr ?? (optimizer === 'adam' || setup?.fit?.optimizer === 'adam' ? 1e-3 : 0.01), optimizer, seed: o.seed },
    log: (line) => process.stderr.write(`train: ${line}\n`),
    onPhase: (name, epochs, summary, checkpoint) => {
      phase = { name: adaptation?.adapt === 'vat+vst' ? `${name} ` : '', epochs, checkpoint };
      bar = epochProgress(epochs);
      process.stderr.write(`train: ${phase.name}${summary}\n`);
    },
    onStep: (s) => bar.step(s, `lr ${s.lr.toExponential(2)}`),
    onEpoch: (r) => {
      bar.done();
      const memory = r.memoryBytes ? `, ${(r.memoryBytes / 2 ** 30).toFixed(2)} GiB memory` : '';
      process.stderr.write(`${phase.name}epoch ${r.epoch}/${phase.epochs}: loss ${r.loss.toFixed(4)}${describeVal(r)} (${r.seconds.toFixed(1)} s${memory}) -> ${phase.checkpoint}\n`);
    },
  };
  const trained = setup ? await runPhase('train', setup, hooks) : await runAdaptation(adaptation as NonNullable<typeof adaptation>, hooks);
  const result = trained.result;
  const history = result.state.history;
  const final = history[history.length - 1];
  const res: TrainResult = { model: o.model, checkpoint: out, backend: choice.backend, dataset: o.data, numClasses: trained.setup.numClasses, epochs: result.state.epoch, history, final };
  if (o.save) {
    const seconds = history.reduce((a, h) => a + h.seconds, 0);
    res.runId = await saveRecord(
      trainRecord({
        model: { ...methodIdentity(o.model, modelConfig(MODELS[o.model]?.options.parse({}) ?? {}, trained.setup.options), trained.setup.config), family: MODELS[o.model]?.family ?? o.model },
        dataset: { name: datasetName(undefined, o.data), kind: trained.setup.datasetKind, classNames: trained.setup.classNames },
        tags: o.tag,
        backend: choice.backend,
        device: deviceOf(choice),
        ...(o.size ? { size: o.size } : {}),
        batch: o.batch,
        ...(final?.val ? { val: final.val } : {}),
        extra: { loss: final?.loss ?? null, epochs: res.epochs, seconds },
      }),
    );
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    process.stdout.write(`trained ${o.model} for ${res.epochs} epochs on ${o.data}:${final?.val ? describeVal(final) : ` loss ${final?.loss.toFixed(4) ?? '?'}`}; checkpoint ${out}\n`);
    if (res.runId !== undefined) process.stdout.write(`saved run ${res.runId}\n`);
  }
  return res;
}

export const registerTrain = defineCommand({
  name: 'train',
  description: 'train a model on a dataset directory (synthetic, PASCAL VOC or Cityscapes layout; video data sets for TDNet students and flow networks)',
  flags: FLAGS,
  run: trainCommand,
});
