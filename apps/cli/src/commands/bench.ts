/**
 * `pixelwise bench --model NAME [--weights CKPT] [--size WxH] [--batch N] [--backend B]
 * [--engine onnx|tfjs] [--threads N] [--device cpu|webgpu] [--iters N] [--warmup N] [--data DIR]
 * [--mode cascade|full] [--rho R] [--previews DIR] [--json] [--save]`: latency percentiles and
 * FPS of one forward pass (uint8 image in, labels read back) on the chosen engine, parameters and
 * multiply-adds, and with `--data` the mIoU on that data's val split (the timed passes then run on
 * its images: a cascade's cost depends on the content). Deep Layer Cascade models also report the
 * share of pixels each stage labelled and the multiply-adds spent.
 */
import { setBackend } from '@pixelwise/core';
import { deviceOf } from '@pixelwise/core/node';
import { benchmark, benchmarkInputs, createModel, evaluate, MODELS, modelComplexity, resolveModelOptions, StageAccumulator, type Segmentor } from '@pixelwise/models';
import { chooseEngine, describeEngine, engineDevice, loadSegmentor, openDataset, segmenterFor, STAGE_NAMES, writePreviewArtifacts, type SegmentationDataset, type StageArtifact } from '@pixelwise/models/node';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, engineFlags, flag, saveFlags, type Parsed } from '../flags.js';
import { modelFlag, modelOptionFlags } from '../model-flags.js';
import { createProgress } from '../progress.js';
import { benchRecord, datasetName, modelConfig, saveRecord } from '../records.js';
import { formatBench, type BenchResult } from './bench-format.js';

/** Images previewed per run with `--previews` (the first of the data). */
const PREVIEW_IMAGES = 4;

const FLAGS = {
  model: modelFlag('registry name', ['segmentation', 'video']),
  weights: flag.path('weights (.safetensors); default: random initialisation', { arg: '<ckpt>' }),
  size: flag.size('input size', { min: 16, default: '512x512' }),
  batch: flag.int('batch size', 1, 256, { default: '1' }),
  backend: backendFlag(),
  ...engineFlags(),
  iters: flag.int('timed iterations', 1, 100000, { default: '20' }),
  warmup: flag.int('untimed iterations first', 0, 1000, { default: '3' }),
  data: flag.path("time on this dataset's val images and report their mIoU", { arg: '<dir>' }),
  mode: flag.choice('layer-cascade inference: easy pixels exit early (cascade) or every pixel through every stage (full)', ['cascade', 'full']),
  rho: flag.number("layer-cascade exit confidence, 0..1 (default: the model's, 0.95)", 0, 1, { closed: true }),
  previews: flag.path(`with --data: write image and prediction PNGs (layer-cascade: and stage maps) of the first ${PREVIEW_IMAGES} images here; --save records them`, { arg: '<dir>' }),
  json: flag.bool('print one JSON object'),
  ...saveFlags('the run'),
};

async function openVal(dir: string | undefined): Promise<SegmentationDataset | undefined> {
  return dir === undefined ? undefined : openDataset(dir, 'val');
}

async function buildModel(o: Parsed<typeof FLAGS>, val: SegmentationDataset | undefined): Promise<{ model: Segmentor; options: Record<string, unknown> }> {
  const overrides = modelOptionFlags(o.model, { mode: o.mode, rho: o.rho });
  if (o.weights === undefined) {
    const options = resolveModelOptions(o.model, { numClasses: val?.classes.length ?? 21, ...overrides });
    return { model: createModel(o.model, options), options };
  }
  const loaded = await loadSegmentor(o.weights, { model: o.model, flag: '--weights', overrides });
  loaded.warnings.forEach((w) => process.stderr.write(`bench: warning: ${w}\n`));
  return { model: loaded.model, options: loaded.options };
}

export async function benchCommand(o: Parsed<typeof FLAGS>): Promise<BenchResult> {
  if (o.previews !== undefined && o.data === undefined) throw new CliError('--previews needs --data (the images to draw)');
  modelOptionFlags(o.model, { mode: o.mode, rho: o.rho });
  const val = await openVal(o.data);
  const choice = await setBackend(o.backend);
  const engine = await chooseEngine(o);
  const { model, options } = await buildModel(o, val);
  const segmenter = segmenterFor(engine, { model, name: o.model, options });
  const { info } = segmenter;
  try {
    const [h, w] = o.size;
    const complexity = modelComplexity(o.model, options, [h, w]);
    const inputs = await benchmarkInputs([h, w], o.batch, val, Math.min(o.iters + o.warmup, 8));
    process.stderr.write(`bench: ${describeEngine(engine, choice.backend)}\n`);
    const bar = createProgress(o.iters, { label: `bench ${o.model}`, unit: 'runs' });
    const timed = await benchmark(segmenter, inputs, { warmup: o.warmup, iterations: o.iters, onIteration: (i) => bar.update(i + 1) }).finally(() => bar.done());
    let stages = timed.stages;
    let metrics: Awaited<ReturnType<typeof evaluate>> | undefined;
    const artifacts: StageArtifact[] = [];
    if (val) {
      const onData = new StageAccumulator();
      const evalBar = createProgress(val.names.length, { label: `mIoU on ${o.data ?? ''}`, unit: 'images' });
      metrics = await evaluate(segmenter, val, model.numClasses, {
        ignoreIndex: val.ignoreIndex,
        names: val.classes.map((c) => c.name),
        onProgress: (i) => evalBar.update(i),
        onSample: async (i, sample, pred, stats) => {
          if (stats) onData.add(stats, sample.image.width * sample.image.height);
          if (o.previews !== undefined && i < PREVIEW_IMAGES) artifacts.push(...(await writePreviewArtifacts(o.previews, sample.name ?? val.names[i] ?? String(i), sample.image, pred, val.classes, stats)));
        },
      });
      evalBar.done();
      if (!onData.empty) stages = onData;
    }
    const res: BenchResult = {
      model: o.model,
      engine: info.engine,
      backend: info.backend,
      ...(info.executionProvider ? { executionProvider: info.executionProvider } : {}),
      threads: info.threads,
      device: info.engine === 'onnx' ? engineDevice(info) : deviceOf(choice),
      size: [w, h],
      batch: o.batch,
      params: complexity.params,
      gmacs: (complexity.macs * o.batch) / 1e9,
      fps: timed.latency.fps * o.batch,
      latencyMs: { mean: timed.latency.mean, p50: timed.latency.p50, p90: timed.latency.p90, p99: timed.latency.p99 },
      warmup: o.warmup,
      iterations: o.iters,
      ...(metrics ? { meanIoU: metrics.meanIoU } : {}),
    };
    if (stages) {
      res.mode = options.mode === 'full' ? 'full' : 'cascade';
      res.rho = options.rho as number;
      res.stageFractions = stages.fractions();
      // Multiply-adds skipped per input pixel of the images seen, scaled to --size.
      res.macsFraction = Math.max(0, 1 - (stages.skippedPerInputPixel() * w * h) / complexity.macs);
      res.gmacsSpent = res.gmacs * res.macsFraction;
    }
    if (o.save) {
      const summary = stages;
      res.runId = await saveRecord(
        benchRecord({
          model: { name: o.model, family: MODELS[o.model]?.family ?? o.model, config: modelConfig(MODELS[o.model]?.options.parse({}) ?? {}, options), params: complexity.params, multiplyAdds: complexity.macs },
          ...(val && o.data ? { dataset: { name: datasetName(undefined, o.data), kind: 'images', classNames: val.classes.map((c) => c.name) } } : {}),
          tags: o.tag,
          backend: res.backend,
          device: res.device,
          size: o.size,
          batch: o.batch,
          latency: timed.latency,
          fps: res.fps,
          ...(metrics ? { metrics } : {}),
          extra: { threads: res.threads, ...(res.macsFraction !== undefined ? { rho: res.rho ?? null, macsFractionOfFull: res.macsFraction } : {}) },
          ...(summary ? { stages: summary.fractions().map((f, i) => ({ name: STAGE_NAMES[i] ?? `stage${i + 1}`, pixelFraction: f, multiplyAdds: summary.stageMacsPerInputPixel(i) * w * h })) } : {}),
          artifacts,
        }),
      );
    }
    process.stdout.write(o.json ? `${JSON.stringify(res)}\n` : formatBench(res, o.previews));
    return res;
  } finally {
    await segmenter.dispose();
    model.dispose();
  }
}

export const registerBench = defineCommand({ name: 'bench', description: 'measure latency percentiles and FPS of a model (and mIoU with --data)', flags: FLAGS, run: benchCommand });
