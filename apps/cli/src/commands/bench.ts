/**
 * `pixelwise bench --model NAME [--weights CKPT] [--size WxH] [--batch N] [--backend B]
 * [--iters N] [--warmup N] [--data DIR] [--mode cascade|full] [--rho R] [--previews DIR]
 * [--json] [--save]`: latency percentiles and FPS of one forward pass, parameters and
 * multiply-adds, and with `--data` the mIoU on that data's val split. With `--data` the timed
 * passes run on that data's images (a cascade's cost depends on the content), else on noise.
 * Deep Layer Cascade models also report the fraction of pixels labelled by each stage and the
 * multiply-adds actually spent.
 */
import { cpus } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeChoice, setBackend, tf, type BackendName, type Tensor4D } from '@pixelwise/core';
import { measure, type LatencyStats } from '@pixelwise/eval';
import { createModel, evaluate, isModelName, LayerCascade, loadWeights, MODELS, modelComplexity, modelNames, type Segmentor } from '@pixelwise/models';
import { resizeBilinear } from '@pixelwise/models/data';
import { openDataset, readCheckpointInfo, type SegmentationDataset } from '@pixelwise/models/node';
import { confusionInput, datasetName, nan, perClassInput } from '../db/save-run.js';
import { STAGE_NAMES, StageAccumulator, writePreviewArtifacts, type StageArtifact } from '../cascade.js';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { addSaveOptions, backendFlag, backendOption, intFlag, modelFlag, numberFlag, parseFlags, saveFlags, sizeFlag } from '../options.js';
import { createProgress } from '../progress.js';

const schema = z.object({
  model: modelFlag(isModelName, modelNames),
  weights: z.string().optional(),
  size: sizeFlag('--size', 16),
  batch: intFlag('--batch', 1, 256),
  backend: backendFlag,
  iters: intFlag('--iters', 1, 100000),
  warmup: intFlag('--warmup', 0, 1000),
  data: z.string().optional(),
  mode: z.enum(['cascade', 'full']).optional(),
  rho: numberFlag('--rho', 0, 1, true).optional(),
  previews: z.string().optional(),
  json: z.boolean().optional(),
  ...saveFlags,
});

/** Images previewed per run with `--previews` (the first of the data). */
const PREVIEW_IMAGES = 4;

export interface BenchResult {
  model: string;
  backend: string;
  device: string;
  size: [number, number];
  batch: number;
  params: number;
  gmacs: number;
  fps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number };
  warmup: number;
  iterations: number;
  meanIoU?: number;
  /** Deep Layer Cascade: inference mode and exit threshold. */
  mode?: 'cascade' | 'full';
  rho?: number;
  /** Share of pixels labelled by stage 1, 2, 3 (with --data: over its val split). */
  stageFractions?: [number, number, number];
  /** Multiply-adds actually spent per image (cascade: the regions that ran), and its share of `gmacs`. */
  gmacsSpent?: number;
  macsFraction?: number;
  runId?: number | string;
}

export async function benchCommand(raw: Record<string, unknown>): Promise<BenchResult> {
  const o = parseFlags(schema, raw);
  if (o.weights !== undefined && !existsSync(o.weights)) throw new CliError(`--weights: ${o.weights} does not exist`);
  if (MODELS[o.model]?.family !== 'layer-cascade' && (o.mode !== undefined || o.rho !== undefined)) {
    throw new CliError(`--mode and --rho apply to layer-cascade models only, not ${o.model}`);
  }
  if (o.previews !== undefined && o.data === undefined) throw new CliError('--previews needs --data (the images to draw)');
  const info = o.weights ? await readCheckpointInfo(o.weights) : undefined;
  let val: SegmentationDataset | undefined;
  if (o.data !== undefined) {
    try {
      val = await openDataset(o.data, 'val');
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  const numClasses = info?.numClasses ?? val?.classes.length ?? 21;
  const choice = await setBackend(o.backend as BackendName);
  process.stderr.write(`bench: ${describeChoice(choice)}\n`);
  const model = createModel(o.model, { numClasses });
  if (o.weights) {
    try {
      loadWeights(model, new Uint8Array(readFileSync(o.weights)), o.weights);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  const cascade = model instanceof LayerCascade ? model : undefined;
  if (cascade) {
    cascade.mode = o.mode ?? 'cascade';
    if (o.rho !== undefined) cascade.rho = o.rho;
  }
  const [w, h] = o.size;
  const complexity = modelComplexity(o.model, { numClasses }, [h, w]);
  const inputs = val ? await dataInputs(model, val, o.batch, w, h, Math.min(o.iters + o.warmup, 8)) : [model.normalize(tf.randomUniform([o.batch, h, w, 3], 0, 255) as Tensor4D)];
  const timed = new StageAccumulator();
  const bar = createProgress(o.iters, { label: `bench ${o.model}`, unit: 'runs' });
  let call = 0;
  const stats: LatencyStats = await measure(
    () => {
      const x = inputs[call++ % inputs.length] as Tensor4D;
      // Return the tensor from tidy and read it outside: tidy would walk a returned typed array.
      const out = tf.tidy(() => model.forward(x).out);
      out.dataSync();
      out.dispose();
      if (cascade?.lastStats) timed.add(cascade.lastStats, o.batch * w * h);
    },
    { warmup: o.warmup, iterations: o.iters, onIteration: (i) => bar.update(i + 1) },
  );
  bar.done();
  tf.dispose(inputs);
  const res: BenchResult = {
    model: o.model,
    backend: choice.backend,
    device: `${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores)`,
    size: [w, h],
    batch: o.batch,
    params: complexity.params,
    gmacs: (complexity.macs * o.batch) / 1e9,
    fps: stats.fps * o.batch,
    latencyMs: { mean: stats.mean, p50: stats.p50, p90: stats.p90, p99: stats.p99 },
    warmup: o.warmup,
    iterations: o.iters,
  };
  let stages = timed;
  let metrics: Awaited<ReturnType<typeof evaluate>> | undefined;
  const artifacts: StageArtifact[] = [];
  if (val) {
    const onData = new StageAccumulator();
    const evalBar = createProgress(val.names.length, { label: `mIoU on ${o.data ?? ''}`, unit: 'images' });
    const m = await evaluate(model, val, numClasses, {
      ignoreIndex: val.ignoreIndex,
      names: val.classes.map((c) => c.name),
      onProgress: (i) => evalBar.update(i),
      onSample: async (i, sample, pred) => {
        if (cascade?.lastStats) onData.add(cascade.lastStats, sample.image.width * sample.image.height);
        if (o.previews !== undefined && i < PREVIEW_IMAGES) {
          artifacts.push(...(await writePreviewArtifacts(o.previews, sample.name ?? val.names[i] ?? String(i), sample.image, pred, val.classes, cascade?.lastStats)));
        }
      },
    });
    evalBar.done();
    res.meanIoU = m.meanIoU;
    metrics = m;
    stages = onData;
  }
  model.dispose();
  if (cascade) {
    res.mode = cascade.mode === 'full' ? 'full' : 'cascade';
    res.rho = cascade.rho;
    res.stageFractions = stages.fractions();
    // Skipped multiply-adds per input pixel of the images seen, scaled to --size.
    res.macsFraction = Math.max(0, 1 - (stages.skippedPerInputPixel() * w * h) / complexity.macs);
    res.gmacsSpent = res.gmacs * res.macsFraction;
  }
  if (o.save) {
    const confusion = metrics ? confusionInput(metrics.confusion) : undefined;
    const { saveRun } = await import('@pixelwise/db');
    const { withDb } = await import('../db/open.js');
    res.runId = await withDb(async (db) => {
      const { id } = await saveRun(db, {
        kind: 'bench',
        model: { name: o.model, family: MODELS[o.model]?.family, params: complexity.params, multiplyAdds: complexity.macs },
        ...(o.data ? { dataset: { name: datasetName(undefined, o.data), kind: 'images', classNames: val?.classes.map((c) => c.name) ?? [] } } : {}),
        backend: choice.backend,
        device: res.device,
        inputSize: { width: w, height: h },
        batch: o.batch,
        warmup: o.warmup,
        iterations: o.iters,
        command: `pixelwise bench --model ${o.model} --size ${w}x${h} --backend ${o.backend}${o.data ? ` --data ${o.data}` : ''}${cascade ? ` --mode ${res.mode ?? ''} --rho ${cascade.rho}` : ''}`,
        tags: o.tag ?? [],
        metrics: {
          pixelAccuracy: nan(metrics?.pixelAccuracy),
          meanAccuracy: nan(metrics?.meanAccuracy),
          meanIoU: nan(metrics?.meanIoU),
          frequencyWeightedIoU: nan(metrics?.frequencyWeightedIoU),
          ...(metrics ? { numPixels: metrics.numPixels } : {}),
          vpq: null,
          vpqThings: null,
          vpqStuff: null,
          temporalConsistency: null,
          fps: res.fps,
          ...(cascade ? { extra: { rho: cascade.rho, macsFractionOfFull: res.macsFraction ?? null } } : {}),
        },
        latency: stats,
        perClass: perClassInput(metrics),
        ...(confusion ? { confusion } : {}),
        ...(cascade && res.stageFractions
          ? {
              stages: res.stageFractions.map((f, i) => ({
                stage: i + 1,
                name: STAGE_NAMES[i],
                pixelFraction: Math.min(1, Math.max(0, f)),
                multiplyAdds: Math.round(stages.stageMacsPerInputPixel(i) * w * h),
              })),
            }
          : {}),
        artifacts,
      });
      return id;
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    process.stdout.write(
      `${o.model} on ${res.backend}, ${w}x${h} batch ${o.batch}: p50 ${res.latencyMs.p50.toFixed(1)} ms, p90 ${res.latencyMs.p90.toFixed(1)} ms, ${res.fps.toFixed(2)} FPS; ${(res.params / 1e6).toFixed(2)} M params, ${res.gmacs.toFixed(2)} GMACs${res.meanIoU !== undefined ? `; mIoU ${(res.meanIoU * 100).toFixed(2)}` : ''}\n`,
    );
    if (res.stageFractions) {
      const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
      process.stdout.write(
        `${res.mode} mode, rho ${res.rho ?? ''}: pixels labelled by stage 1/2/3 ${res.stageFractions.map(pct).join(' / ')}; ${res.gmacsSpent?.toFixed(2) ?? ''} GMACs spent (${pct(res.macsFraction ?? 1)} of full)\n`,
      );
    }
    if (artifacts.length > 0) process.stdout.write(`previews: ${artifacts.length} PNGs written to ${o.previews ?? ''}\n`);
    if (res.runId !== undefined) process.stdout.write(`saved run ${res.runId}\n`);
  }
  return res;
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('measure latency percentiles and FPS of a model (and mIoU with --data)')
    .requiredOption('--model <name>', 'registry name')
    .option('--weights <ckpt>', 'weights (.safetensors); default: random initialisation')
    .option('--size <WxH>', 'input size', '512x512')
    .option('--batch <n>', 'batch size', '1')
    .addOption(backendOption())
    .option('--iters <n>', 'timed iterations', '20')
    .option('--warmup <n>', 'untimed iterations first', '3')
    .option('--data <dir>', 'time on this dataset\'s val images and report their mIoU')
    .addOption(new Option('--mode <mode>', 'layer-cascade inference: easy pixels exit early (cascade) or every pixel through every stage (full)').choices(['cascade', 'full']))
    .option('--rho <r>', 'layer-cascade exit confidence, 0..1 (default: the model\'s, 0.95)')
    .option('--previews <dir>', `with --data: write image and prediction PNGs (layer-cascade: and stage maps) of the first ${PREVIEW_IMAGES} images here; --save records them`)
    .option('--json', 'print one JSON object')
    .action(async (raw: Record<string, unknown>) => {
      await benchCommand(raw);
    });
  addSaveOptions(cmd, 'the run');
}

/** Up to `count` batches of the data's val images resized to the bench size, normalised. */
async function dataInputs(model: Segmentor, val: SegmentationDataset, batch: number, w: number, h: number, count: number): Promise<Tensor4D[]> {
  const out: Tensor4D[] = [];
  let next = 0;
  for (let b = 0; b < Math.max(1, count); b++) {
    const images: Uint8Array[] = [];
    for (let k = 0; k < batch; k++) {
      const s = await val.read(next++ % val.names.length);
      const img = s.image.width === w && s.image.height === h ? s.image : resizeBilinear(s.image, w, h);
      images.push(img.data);
    }
    const flat = new Uint8Array(batch * w * h * 3);
    images.forEach((d, k) => flat.set(d, k * w * h * 3));
    out.push(tf.tidy(() => model.normalize(tf.tensor4d(flat, [batch, h, w, 3], 'int32'))));
    if (next >= val.names.length && b + 1 >= Math.ceil(val.names.length / batch)) break;
  }
  return out;
}
