/**
 * `pixelwise train --model flownets[-lite] --data VIDEO_DIR ...`: trains a flow network on the
 * frame pairs and ground-truth forward flow of a video data set (`data synth --kind video`),
 * with random crops (`--size`, multiples of 64, default 64x64), Adam and FlowNet's multi-scale
 * EPE; after each epoch the validation EPE and the zero-flow baseline on the same pixels.
 * The `train` command dispatches here for flow models.
 */
import { describeChoice, setBackend, tf, type BackendName } from '@pixelwise/core';
import { loadCheckpoint, readCheckpointInfo, saveCheckpoint } from '@pixelwise/models/node';
import { createFlowModel, FLOW_MODELS, FLOWNET_STRIDE, isFlowModelName, trainFlow, type FlowEpochRecord, type FlowPairSource } from '@pixelwise/video';
import { openFlowPairs } from '@pixelwise/video/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { backendFlag, intFlag, numberFlag, parseFlags, sizeFlag } from '../options.js';
import { epochProgress } from '../progress.js';

const schema = z.object({
  model: z.string().refine(isFlowModelName, { message: `--model: expected a flow model: ${Object.keys(FLOW_MODELS).join(', ')}` }),
  data: z.string().min(1),
  epochs: intFlag('--epochs', 1, 100000),
  batch: intFlag('--batch', 1, 4096),
  lr: numberFlag('--lr', 0, 10).optional(),
  size: sizeFlag('--size', FLOWNET_STRIDE)
    .refine(([w, h]) => w % FLOWNET_STRIDE === 0 && h % FLOWNET_STRIDE === 0, `--size: flow training crops must be multiples of ${FLOWNET_STRIDE}`)
    .optional(),
  out: z.string().optional(),
  seed: intFlag('--seed', 0, 2 ** 31 - 1),
  backend: backendFlag,
  json: z.boolean().optional(),
  val: z.boolean(),
});

export interface FlowTrainResult {
  model: string;
  checkpoint: string;
  backend: string;
  dataset: string;
  epochs: number;
  history: FlowEpochRecord[];
  final: FlowEpochRecord | undefined;
}

/**
 * Default crop: the largest multiple of 64 that fits the frames, at most 256x256 (crops close
 * to the full frame train the coarse levels on what inference sees: measured on synthetic video,
 * 128x64 crops reached a lower EPE than 64x64 crops in the same number of steps).
 */
function defaultCrop([width, height]: [number, number]): [number, number] {
  const fit = (n: number) => Math.max(FLOWNET_STRIDE, Math.min(256, Math.floor(n / FLOWNET_STRIDE) * FLOWNET_STRIDE));
  return [fit(width), fit(height)];
}

/**
 * @param sources where each flag's value came from (commander's `getOptionValueSource`), so
 *   segmentation defaults can be replaced and unsupported flags rejected.
 */
export async function trainFlowCommand(raw: Record<string, unknown>, sources: (flag: string) => string | undefined): Promise<FlowTrainResult> {
  for (const flag of ['resume', 'save', 'tag']) {
    if (raw[flag] !== undefined) throw new CliError(`--${flag}: not supported for flow models`);
  }
  if (sources('optimizer') === 'cli' && raw.optimizer !== 'adam') throw new CliError('--optimizer: flow models train with adam');
  // `train`'s default --size is for segmentation: flow training picks its crop from the frames.
  const o = parseFlags(schema, { ...raw, size: sources('size') === 'default' ? undefined : raw.size });
  let data: FlowPairSource;
  let val: FlowPairSource | undefined;
  try {
    data = await openFlowPairs(o.data, 'train');
    if (o.val) val = await openFlowPairs(o.data, 'val');
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const [cropW, cropH] = o.size ?? defaultCrop(data.size ?? [FLOWNET_STRIDE, FLOWNET_STRIDE]);
  if (val?.names.length === 0) val = undefined;
  const choice = await setBackend(o.backend as BackendName);
  process.stderr.write(`train: ${describeChoice(choice)}\n`);
  const out = o.out ?? `checkpoints/${o.model}.safetensors`;
  const model = createFlowModel(o.model);
  const config = { epochs: o.epochs, batchSize: o.batch, lr: o.lr ?? 1e-3, crop: [cropH, cropW] as [number, number], seed: o.seed };
  const optimizer = tf.train.adam(config.lr);
  const bar = epochProgress(config.epochs);
  let history: FlowEpochRecord[];
  try {
    history = await trainFlow(model, data, {
      config,
      ...(val ? { val } : {}),
      optimizer,
      onStep: (s) => bar.step(s),
      onEpoch: async (record, opt) => {
        bar.done();
        const state = { epoch: record.epoch, iteration: record.epoch * Math.ceil(data.names.length / config.batchSize), history: [] };
        await saveCheckpoint(out, { model, optimizer: opt, info: { model: o.model, numClasses: 2, classNames: ['u', 'v'], dataset: o.data, config: { ...config, task: 'flow' }, state } });
        const v = record.val ? ` val EPE ${record.val.epe.toFixed(3)} px (zero flow ${record.val.zeroFlowEpe.toFixed(3)})` : '';
        process.stderr.write(`epoch ${record.epoch}/${config.epochs}: loss ${record.loss.toFixed(4)}${v} (${record.seconds.toFixed(1)} s) -> ${out}\n`);
      },
    });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  const res: FlowTrainResult = { model: o.model, checkpoint: out, backend: choice.backend, dataset: o.data, epochs: history.length, history, final: history[history.length - 1] };
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    const f = res.final;
    const summary = f?.val ? `val EPE ${f.val.epe.toFixed(3)} px (zero flow ${f.val.zeroFlowEpe.toFixed(3)} px)` : `loss ${f?.loss.toFixed(4) ?? '?'}`;
    process.stdout.write(`trained ${o.model} for ${res.epochs} epochs on ${o.data}: ${summary}; checkpoint ${out}\n`);
  }
  return res;
}

/** Loads a flow checkpoint (weights; the sidecar must name the same model when present). */
export async function loadFlowModel(name: string, weights: string): Promise<ReturnType<typeof createFlowModel>> {
  let info;
  try {
    info = await readCheckpointInfo(weights);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  if (info !== undefined && info.model !== name) throw new CliError(`--weights: ${weights} is a ${info.model} checkpoint, not ${name}`);
  const model = createFlowModel(name);
  try {
    await loadCheckpoint(weights, model);
  } catch (e) {
    model.dispose();
    throw new CliError(e instanceof Error ? e.message.split('\n')[0] ?? String(e) : String(e));
  }
  return model;
}
