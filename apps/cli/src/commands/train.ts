/**
 * `pixelwise train --model NAME --data DIR [--epochs E] [--batch B] [--lr LR] [--size WxH]
 * [--out CKPT] [--resume] [--optimizer sgd|adam] [--seed S] [--backend B] [--json]`;
 * TDNet students: `--model tdnet2-lite|tdnet4-lite --teacher CKPT` (see train-tdnet.ts)
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeChoice, setBackend, type BackendName } from '@pixelwise/core';
import { createModel, createOptimizer, isModelName, LayerCascade, MODELS, modelNames, train, type EpochRecord, type TrainConfig, type TrainState } from '@pixelwise/models';
import { loadCheckpoint, openDataset, readCheckpointInfo, saveCheckpoint, type SegmentationDataset } from '@pixelwise/models/node';
import { isFlowModelName } from '@pixelwise/video';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { addSaveOptions, backendFlag, backendOption, intFlag, modelFlag, numberFlag, parseFlags, saveFlags, sizeFlag } from '../options.js';
import { epochProgress } from '../progress.js';

const schema = z.object({
  model: modelFlag(isModelName, modelNames),
  data: z.string().min(1),
  epochs: intFlag('--epochs', 1, 100000),
  batch: intFlag('--batch', 1, 4096),
  lr: numberFlag('--lr', 0, 10).optional(),
  size: sizeFlag('--size', 16),
  out: z.string().optional(),
  resume: z.boolean().optional(),
  optimizer: z.enum(['sgd', 'adam']),
  seed: intFlag('--seed', 0, 2 ** 31 - 1),
  backend: backendFlag,
  json: z.boolean().optional(),
  ...saveFlags,
  val: z.boolean(),
  auxWeight: numberFlag('--aux-weight', -1, 10),
  mode: z.enum(['cascade', 'full']).optional(),
});

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

async function openVal(dir: string): Promise<SegmentationDataset | undefined> {
  try {
    const val = await openDataset(dir, 'val');
    return val.names.length > 0 ? val : undefined;
  } catch {
    return undefined;
  }
}

export async function trainCommand(raw: Record<string, unknown>): Promise<TrainResult> {
  // TDNet students (@pixelwise/video) train by distillation from --teacher.
  if (typeof raw.model === 'string' && raw.model.startsWith('tdnet')) return (await import('./train-tdnet.js')).trainTdnetCommand(raw);
  if (raw.teacher !== undefined) throw new CliError('--teacher: only TDNet students (tdnet2-lite, tdnet4-lite) train from a teacher');
  const o = parseFlags(schema, raw);
  if (o.mode !== undefined && MODELS[o.model]?.family !== 'layer-cascade') throw new CliError(`--mode applies to layer-cascade models only, not ${o.model}`);
  // Input first: a bad data directory is one line, before anything else is printed.
  let data: SegmentationDataset;
  try {
    data = await openDataset(o.data, 'train');
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const val = o.val ? await openVal(o.data) : undefined;
  const choice = await setBackend(o.backend as BackendName);
  process.stderr.write(`train: ${describeChoice(choice)}\n`);
  const numClasses = data.classes.length;
  const out = o.out ?? `checkpoints/${o.model}.safetensors`;
  const config: TrainConfig = {
    epochs: o.epochs,
    batchSize: o.batch,
    lr: o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.01),
    optimizer: o.optimizer,
    crop: [o.size[1], o.size[0]],
    seed: o.seed,
    auxWeight: o.auxWeight,
    ignoreIndex: data.ignoreIndex,
  };
  const model = createModel(o.model, { numClasses, aux: true });
  // Deep Layer Cascade: 'full' trains every stage on every pixel (deep supervision), the baseline
  // the cascade is compared with; 'cascade' (default) each stage on the pixels reaching it.
  if (o.mode !== undefined && model instanceof LayerCascade) model.mode = o.mode;
  const optimizer = createOptimizer(config);
  let state: TrainState | undefined;
  if (o.resume && existsSync(out)) {
    const info = await readCheckpointInfo(out);
    if (!info) throw new CliError(`--resume: ${out} has no .json sidecar; cannot resume from plain weights`);
    if (info.model !== o.model || info.numClasses !== numClasses) {
      throw new CliError(`--resume: ${out} is a ${info.model} checkpoint with ${info.numClasses} classes, not ${o.model} with ${numClasses}`);
    }
    await loadCheckpoint(out, model, optimizer);
    state = info.state as TrainState | undefined;
    process.stderr.write(`train: resuming ${out} after epoch ${state?.epoch ?? 0}\n`);
  }
  const classNames = data.classes.map((c) => c.name);
  const bar = epochProgress(config.epochs);
  const result = await train(model, data, {
    config,
    numClasses,
    classNames,
    val,
    state,
    optimizer,
    onStep: (s) => bar.step(s, `lr ${s.lr.toExponential(2)}`),
    onEpoch: async (record, st, opt) => {
      bar.done();
      await saveCheckpoint(out, {
        model,
        optimizer: opt,
        info: { model: o.model, numClasses, classNames, dataset: o.data, config: { ...config }, state: { epoch: st.epoch, iteration: st.iteration, history: st.history.map((h) => ({ ...h })) } },
      });
      const v = record.val ? ` val mIoU ${(record.val.meanIoU * 100).toFixed(2)} pixel acc ${(record.val.pixelAccuracy * 100).toFixed(2)}` : '';
      process.stderr.write(`epoch ${record.epoch}/${config.epochs}: loss ${record.loss.toFixed(4)}${v} (${record.seconds.toFixed(1)} s) -> ${out}\n`);
    },
  });
  model.dispose();
  optimizer.dispose();
  const res: TrainResult = { model: o.model, checkpoint: out, backend: choice.backend, dataset: o.data, numClasses, epochs: result.epoch, history: result.history, final: result.history[result.history.length - 1] };
  if (o.save) {
    const { saveRun, datasetName } = await import('../db/save-run.js');
    const f = res.final;
    res.runId = await saveRun({
      kind: 'train',
      metrics: undefined,
      vpq: undefined,
      valSummary: f?.val,
      extra: { loss: f?.loss ?? null, epochs: res.epochs, seconds: result.history.reduce((a, h) => a + h.seconds, 0) },
      model: o.model,
      backend: choice.backend,
      inputSize: { width: o.size[0], height: o.size[1] },
      batch: config.batchSize,
      dataset: datasetName(undefined, o.data),
      classNames,
      tags: o.tag ?? [],
      command: `pixelwise train --model ${o.model} --data ${o.data} --epochs ${o.epochs} --batch ${o.batch}`,
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    const f = res.final;
    process.stdout.write(`trained ${o.model} for ${res.epochs} epochs on ${o.data}: ${f?.val ? `val mIoU ${(f.val.meanIoU * 100).toFixed(2)}` : `loss ${f?.loss.toFixed(4) ?? '?'}`}; checkpoint ${out}\n`);
    if (res.runId !== undefined) process.stdout.write(`saved run ${res.runId}\n`);
  }
  return res;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on a dataset directory (synthetic, PASCAL VOC or Cityscapes layout)')
    .requiredOption('--model <name>', 'registry name, e.g. fcn8s-lite (see `pixelwise models`), or a flow model (flownets, flownets-lite) on a video data set')
    .requiredOption('--data <dir>', 'dataset directory')
    .option('--epochs <n>', 'epochs', '10')
    .option('--batch <n>', 'batch size', '8')
    .option('--lr <rate>', 'base learning rate (default 0.01 for sgd, 0.001 for adam), poly decay')
    .option('--size <WxH>', 'training crop size', '256x256')
    .option('--out <ckpt>', 'checkpoint path (.safetensors; .json and .optim.safetensors beside it)')
    .option('--resume', 'continue from --out if it exists')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam']).default('sgd'))
    .option('--seed <n>', 'seed for shuffling and augmentation', '0')
    .option('--aux-weight <w>', 'weight of auxiliary losses', '0.4')
    .option('--no-val', 'skip validation after each epoch')
    .option('--teacher <ckpt>', 'TDNet students (tdnet2-lite, tdnet4-lite): teacher checkpoint (pspnet-lite) for grouped distillation')
    .addOption(backendOption())
    .addOption(new Option('--mode <mode>', 'layer-cascade: stage losses on the pixels reaching each stage (cascade) or on every pixel (full)').choices(['cascade', 'full']))
    .option('--json', 'print one JSON object with the training history')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      // Flow networks (flownets, flownets-lite) train on video data sets: @pixelwise/video.
      if (isFlowModelName(raw.model)) {
        const { trainFlowCommand } = await import('./train-flow.js');
        await trainFlowCommand(raw, (flag) => command.getOptionValueSource(flag));
        return;
      }
      await trainCommand(raw);
    });
  addSaveOptions(cmd, 'the run (final validation metrics)');
}
