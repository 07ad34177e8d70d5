/**
 * `pixelwise video --method per-frame|clockwork|tdnet [--schedule fixed|alternating|pipelined|adaptive]
 * [--threshold T] [--periods 1,2,4] --model NAME --weights CKPT --data DIR [--split val] [--json]
 * [--save] [--save-stage-maps DIR]`: runs a video method over a video data set and reports mean
 * IoU, temporal consistency (ground-truth flow), ms and multiply-adds per frame, which units ran,
 * and latency percentiles.
 */
import { cpus } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeChoice, setBackend, type BackendName } from '@pixelwise/core';
import { encodePng } from '@pixelwise/core/io';
import { createModel, FCN, isModelName, loadWeights, MODELS, modelComplexity, modelNames, type Segmentor } from '@pixelwise/models';
import { readCheckpointInfo, writeFileAtomic } from '@pixelwise/models/node';
import {
  CLOCKWORK_SCHEDULES,
  Clockwork,
  clockworkStageMacs,
  createVideoModel,
  isVideoModelName,
  VIDEO_MODELS,
  PerFrame,
  runVideos,
  stageTimeline,
  TDNetStream,
  tdnetMacs,
  videoModelNames,
  type FrameRecord,
  type VideoSegmenter,
} from '@pixelwise/video';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { addSaveOptions, backendFlag, backendOption, intFlag, parseFlags, saveFlags } from '../options.js';
import { createProgress } from '../progress.js';
import { datasetName } from '../db/save-run.js';
import { openVideoSplit } from './video-data.js';

const METHODS = ['per-frame', 'clockwork', 'tdnet'] as const;

const schema = z.object({
  method: z.enum(METHODS),
  schedule: z.enum(CLOCKWORK_SCHEDULES).optional(),
  threshold: z
    .string()
    .regex(/^(\d+\.?\d*|\.\d+)$/, '--threshold: expected a number in [0, 1]')
    .transform(Number)
    .refine((t) => t >= 0 && t <= 1, '--threshold: expected a number in [0, 1]')
    .optional(),
  periods: z
    .string()
    .regex(/^\d+(,\d+)*$/, '--periods: expected comma-separated frame periods, e.g. 1,2,4')
    .transform((s) => s.split(',').map(Number))
    .optional(),
  model: z.string().superRefine((m, ctx) => {
    if (!isModelName(m) && !isVideoModelName(m)) ctx.addIssue({ code: 'custom', message: `--model: unknown model '${m}'; valid models: ${[...modelNames(), ...videoModelNames()].join(', ')}` });
  }),
  weights: z.string().min(1),
  data: z.string().min(1),
  split: z.enum(['train', 'val']),
  maxVideos: intFlag('--max-videos', 1, 1_000_000).optional(),
  warmup: intFlag('--warmup', 0, 100),
  backend: backendFlag,
  json: z.boolean().optional(),
  saveStageMaps: z.string().optional(),
  baselineWeights: z.string().min(1).optional(),
  baselineModel: z.string().optional(),
  ...saveFlags,
});
type Flags = z.infer<typeof schema>;

export interface VideoResult {
  method: (typeof METHODS)[number];
  schedule?: string;
  threshold?: number;
  model: string;
  backend: string;
  device: string;
  data: string;
  split: string;
  videos: number;
  frames: number;
  size: [number, number];
  meanIoU: number;
  pixelAccuracy: number;
  temporalConsistency: number | null;
  msPerFrame: number;
  gmacsPerFrame: number;
  /** Multiply-adds per frame relative to the image model on every frame (per-frame = 1). */
  macsFractionOfPerFrame: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number };
  /** Per unit: share of frames on which it ran ("updates"), and its multiply-adds per run. */
  units: Array<{ name: string; fraction: number; gmacs: number }>;
  /** With --baseline-weights: the per-frame image model timed on the same frames, alternating with the method. */
  baseline?: { model: string; meanIoU: number; msPerFrame: number; gmacsPerFrame: number; latencyMs: { mean: number; p50: number; p90: number; p99: number } };
  /** msPerFrame / baseline msPerFrame (same run). */
  msRatioToBaseline?: number;
  frameRecord?: string;
  stageMaps?: string;
  runId?: number | string;
}

function loadInto(model: Segmentor, weights: string): void {
  try {
    loadWeights(model, new Uint8Array(readFileSync(weights)), weights);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** Which models a method takes: checked before anything is printed. */
function checkMethodModel(o: Flags): void {
  if (o.method !== 'clockwork' && (o.schedule !== undefined || o.threshold !== undefined || o.periods !== undefined)) throw new CliError(`--schedule, --threshold and --periods apply to --method clockwork, not ${o.method}`);
  if (o.method === 'tdnet' && !isVideoModelName(o.model)) throw new CliError(`--model: --method tdnet needs a TDNet model (${videoModelNames().join(', ')}), got '${o.model}'`);
  if (o.method !== 'tdnet' && isVideoModelName(o.model)) throw new CliError(`--model: '${o.model}' runs with --method tdnet; --method ${o.method} needs an image model (${modelNames().join(', ')})`);
  if (o.method === 'clockwork' && !/^fcn8s(-lite)?$/.test(o.model)) throw new CliError(`--model: --method clockwork needs FCN-8s (fcn8s or fcn8s-lite), got '${o.model}'`);
}

/** Builds the method's segmenter and the per-frame multiply-adds of the image model it replaces. */
function buildSegmenter(o: Flags, numClasses: number, size: [number, number]): { seg: VideoSegmenter; perFrameMacs: number } {
  if (o.method === 'tdnet') {
    const model = createVideoModel(o.model, numClasses);
    loadInto(model, o.weights);
    const macs = tdnetMacs(model, size);
    return { seg: new TDNetStream(model, macs), perFrameMacs: macs.shared + macs.paths.reduce((a, b) => a + b, 0) };
  }
  const model = createModel(o.model, { numClasses });
  loadInto(model, o.weights);
  if (o.method === 'clockwork') {
    if (!(model instanceof FCN) || model.stride !== 8) throw new CliError(`--model: --method clockwork needs FCN-8s (fcn8s or fcn8s-lite), got '${o.model}'`);
    const schedule = { schedule: o.schedule ?? 'adaptive', ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), ...(o.periods ? { periods: o.periods } : {}) } as const;
    const macs = clockworkStageMacs(o.model, { numClasses }, size);
    try {
      return { seg: new Clockwork(model, schedule, macs), perFrameMacs: macs.full };
    } catch (e) {
      throw new CliError(`--schedule ${schedule.schedule}: ${(e as Error).message}`);
    }
  }
  const macs = modelComplexity(o.model, { numClasses }, size).macs;
  return { seg: new PerFrame(model, macs), perFrameMacs: macs };
}

export async function videoCommand(raw: Record<string, unknown>): Promise<VideoResult> {
  const o = parseFlags(schema, raw);
  checkMethodModel(o);
  if (!existsSync(o.weights)) throw new CliError(`--weights: ${o.weights} does not exist`);
  const baselineModel = o.baselineModel ?? (o.method === 'tdnet' ? (VIDEO_MODELS[o.model]?.teacher ?? '') : o.model);
  if (o.baselineWeights !== undefined) {
    if (!isModelName(baselineModel)) throw new CliError(`--baseline-model: unknown image model '${baselineModel}'; valid models: ${modelNames().join(', ')}`);
    if (!existsSync(o.baselineWeights)) throw new CliError(`--baseline-weights: ${o.baselineWeights} does not exist`);
  }
  const data = await openVideoSplit(o.data, o.split, o.maxVideos !== undefined ? { maxVideos: o.maxVideos } : {});
  const info = await readCheckpointInfo(o.weights).catch((e: unknown) => {
    throw new CliError((e as Error).message);
  });
  const numClasses = data.classNames.length;
  if (info && info.numClasses !== numClasses) throw new CliError(`--weights: ${o.weights} predicts ${info.numClasses} classes, ${o.data} has ${numClasses}`);
  if (info && info.model !== o.model) throw new CliError(`--weights: ${o.weights} is a ${info.model} checkpoint, not ${o.model}`);
  const choice = await setBackend(o.backend as BackendName);
  const first = await data.videos[0]?.frame(0);
  const size: [number, number] = [first?.image.height ?? 0, first?.image.width ?? 0];
  const { seg, perFrameMacs } = buildSegmenter(o, numClasses, size);
  let baseline: VideoSegmenter | undefined;
  if (o.baselineWeights !== undefined) {
    const model = createModel(baselineModel, { numClasses, aux: true });
    loadInto(model, o.baselineWeights);
    baseline = new PerFrame(model, modelComplexity(baselineModel, { numClasses }, size).macs);
  }
  process.stderr.write(`video: ${describeChoice(choice)}\n`);
  const total = data.videos.reduce((s, v) => s + v.frames, 0);
  const bar = createProgress(total, { label: `video ${o.method}`, unit: 'frames' });
  let result;
  try {
    result = await runVideos(seg, data.videos, {
      numClasses,
      ignoreIndex: data.ignoreIndex,
      names: data.classNames,
      warmup: o.warmup,
      ...(baseline ? { baseline } : {}),
      onFrame: (_r, _l, done) => bar.update(done),
    });
  } finally {
    bar.done();
    seg.dispose();
    baseline?.dispose();
  }
  const schedule = o.method === 'clockwork' ? (o.schedule ?? 'adaptive') : undefined;
  const res: VideoResult = {
    method: o.method,
    ...(schedule ? { schedule } : {}),
    ...(schedule === 'adaptive' ? { threshold: o.threshold ?? 0.25 } : {}),
    model: o.model,
    backend: choice.backend,
    device: `${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores)`,
    data: o.data,
    split: o.split,
    videos: data.videos.length,
    frames: result.frames.length,
    size: [size[1], size[0]],
    meanIoU: result.metrics.meanIoU,
    pixelAccuracy: result.metrics.pixelAccuracy,
    temporalConsistency: result.temporalConsistency?.temporalConsistency ?? null,
    msPerFrame: result.latency.mean,
    gmacsPerFrame: result.macsPerFrame / 1e9,
    macsFractionOfPerFrame: perFrameMacs > 0 ? result.macsPerFrame / perFrameMacs : 1,
    latencyMs: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
    units: seg.units.map((name, i) => ({ name, fraction: result.unitFractions[i] ?? 0, gmacs: (seg.unitMacs[i] ?? 0) / 1e9 })),
  };
  if (result.baseline) {
    const b = result.baseline;
    res.baseline = { model: baselineModel, meanIoU: b.metrics.meanIoU, msPerFrame: b.latency.mean, gmacsPerFrame: b.macsPerFrame / 1e9, latencyMs: { mean: b.latency.mean, p50: b.latency.p50, p90: b.latency.p90, p99: b.latency.p99 } };
    res.msRatioToBaseline = res.msPerFrame / b.latency.mean;
  }
  const record = {
    method: o.method,
    ...(schedule ? { schedule } : {}),
    units: [...seg.units],
    frames: result.frames.map((f: FrameRecord) => ({ video: f.video, frame: f.frame, ran: f.ran, ms: f.ms, meanIoU: f.meanIoU })),
  };
  let recordDir = o.saveStageMaps;
  // A record made only for the run lives in the database's artifact root (DATABASE_URL's, not ~/.pixelwise's).
  if (recordDir === undefined && o.save) recordDir = join((await import('../db/open.js')).artifactRoot(), `video-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  if (recordDir !== undefined) {
    const dir = resolve(recordDir);
    await mkdir(dir, { recursive: true });
    res.frameRecord = join(dir, 'frame-record.json');
    await writeFileAtomic(res.frameRecord, `${JSON.stringify(record)}\n`);
    if (o.saveStageMaps !== undefined) {
      for (const v of data.videos) {
        const img = stageTimeline(seg.units, result.frames.filter((f) => f.video === v.name));
        await writeFileAtomic(join(dir, `${v.name.replace(/[/\\]/g, '_')}.png`), encodePng({ ...img, channels: 3, depth: 8 }));
      }
      res.stageMaps = dir;
    }
  }
  if (o.save) {
    try {
      res.runId = await saveVideoRun(o, res, result.metrics, data.classNames, seg);
    } catch (e) {
      // Nothing half-written: a record made only for this run goes when the run is not saved.
      if (o.saveStageMaps === undefined && res.frameRecord) await rm(dirname(res.frameRecord), { recursive: true, force: true });
      throw e;
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else process.stdout.write(formatVideo(res));
  return res;
}

async function saveVideoRun(o: Flags, res: VideoResult, metrics: Awaited<ReturnType<typeof runVideos>>['metrics'], classNames: string[], seg: VideoSegmenter): Promise<number | string> {
  const { saveRun } = await import('@pixelwise/db');
  const { withDb } = await import('../db/open.js');
  const nan = (v: number) => (Number.isNaN(v) ? null : v);
  return withDb(async (db) => {
    const { id } = await saveRun(db, {
      kind: 'video',
      // One leaderboard row per model and method: the same weights as a clockwork are another entry.
      model: { name: o.method === 'tdnet' ? o.model : `${o.model} ${o.method === 'clockwork' ? `clockwork-${res.schedule ?? ''}` : 'per-frame'}`, family: MODELS[o.model]?.family ?? 'tdnet', config: { method: o.method, ...(res.schedule ? { schedule: res.schedule } : {}), ...(res.threshold !== undefined ? { threshold: res.threshold } : {}) }, multiplyAdds: Math.round(res.gmacsPerFrame * 1e9) },
      dataset: { name: datasetName(undefined, o.data), kind: 'video', classNames },
      backend: res.backend,
      device: res.device,
      inputSize: { width: res.size[0], height: res.size[1] },
      batch: 1,
      warmup: o.warmup,
      iterations: res.frames,
      command: `pixelwise video --method ${o.method}${res.schedule ? ` --schedule ${res.schedule}` : ''}${res.threshold !== undefined ? ` --threshold ${res.threshold}` : ''} --model ${o.model} --weights ${o.weights} --data ${o.data} --split ${o.split}`,
      tags: o.tag ?? [],
      metrics: {
        pixelAccuracy: nan(metrics.pixelAccuracy),
        meanAccuracy: nan(metrics.meanAccuracy),
        meanIoU: nan(metrics.meanIoU),
        frequencyWeightedIoU: nan(metrics.frequencyWeightedIoU),
        numPixels: metrics.numPixels,
        vpq: null,
        vpqThings: null,
        vpqStuff: null,
        temporalConsistency: res.temporalConsistency,
        fps: 1000 / res.msPerFrame,
        extra: { msPerFrame: res.msPerFrame, gmacsPerFrame: res.gmacsPerFrame, macsFractionOfPerFrame: res.macsFractionOfPerFrame },
      },
      perClass: metrics.perClass.map((c) => ({ id: c.id, name: c.name, iou: nan(c.iou), accuracy: nan(c.accuracy), gtPixels: c.gtPixels, predPixels: c.predPixels })),
      latency: { iterations: res.frames, warmup: o.warmup, mean: res.latencyMs.mean, std: 0, min: 0, max: 0, p50: res.latencyMs.p50, p90: res.latencyMs.p90, p99: res.latencyMs.p99, fps: 1000 / res.msPerFrame },
      stages: seg.units.map((name, i) => ({ stage: i + 1, name, pixelFraction: res.units[i]?.fraction ?? 0, multiplyAdds: Math.round(seg.unitMacs[i] ?? 0) })),
      artifacts: res.frameRecord ? [{ kind: 'frame-record', path: res.frameRecord, mime: 'application/json' }] : [],
    });
    return id;
  });
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : (100 * v).toFixed(2));

export function formatVideo(r: VideoResult): string {
  const what = r.method === 'clockwork' ? `clockwork (${r.schedule}${r.threshold !== undefined ? `, threshold ${r.threshold}` : ''})` : r.method;
  return [
    `${what} ${r.model} on ${r.videos} videos / ${r.frames} frames (${r.size[0]}x${r.size[1]}, ${r.data} ${r.split}), ${r.backend}`,
    `mIoU ${pct(r.meanIoU)}  TC ${pct(r.temporalConsistency)}  ${r.msPerFrame.toFixed(1)} ms/frame (p50 ${r.latencyMs.p50.toFixed(1)}, p90 ${r.latencyMs.p90.toFixed(1)})  ${r.gmacsPerFrame.toFixed(3)} GMACs/frame (${(100 * r.macsFractionOfPerFrame).toFixed(1)}% of per-frame)`,
    `updates: ${r.units.map((u) => `${u.name} ${(100 * u.fraction).toFixed(1)}%`).join(', ')}`,
    ...(r.baseline ? [`baseline per-frame ${r.baseline.model}: mIoU ${pct(r.baseline.meanIoU)}  ${r.baseline.msPerFrame.toFixed(1)} ms/frame (p50 ${r.baseline.latencyMs.p50.toFixed(1)})  ${r.baseline.gmacsPerFrame.toFixed(3)} GMACs/frame; time ratio ${(r.msRatioToBaseline ?? 0).toFixed(3)} (same frames, alternating)`] : []),
    ...(r.frameRecord ? [`frame record ${r.frameRecord}`] : []),
    ...(r.runId !== undefined ? [`saved run ${r.runId}`] : []),
    '',
  ].join('\n');
}

export function registerVideo(program: Command): void {
  const cmd = program
    .command('video')
    .description('run per-frame, clockwork or TDNet video segmentation on a video data set')
    .addOption(new Option('--method <name>', 'video method').choices([...METHODS]).makeOptionMandatory())
    .addOption(new Option('--schedule <name>', 'clockwork schedule (default adaptive)').choices([...CLOCKWORK_SCHEDULES]))
    .option('--threshold <t>', 'adaptive clockwork: fraction of changed stage-1 labels that triggers the deep stages (default 0.25)')
    .option('--periods <list>', 'fixed clockwork: frame period of each stage (default 1,2,4)')
    .requiredOption('--model <name>', 'registry name: fcn8s-lite for clockwork, tdnet2-lite|tdnet4-lite for tdnet, any for per-frame')
    .requiredOption('--weights <ckpt>', 'weights (.safetensors)')
    .requiredOption('--data <dir>', 'video data set (pixelwise data synth --kind video)')
    .option('--split <name>', 'split', 'val')
    .option('--max-videos <n>', 'only the first N videos')
    .option('--warmup <n>', 'untimed frames before measuring', '2')
    .addOption(backendOption())
    .option('--json', 'print one JSON object')
    .option('--baseline-weights <ckpt>', 'also run per-frame inference of --baseline-model with these weights on the same frames, alternating with the method, and report both timings')
    .option('--baseline-model <name>', 'image model of --baseline-weights (default: --model; for tdnet its teacher, pspnet-lite)')
    .option('--save-stage-maps <dir>', 'write frame-record.json and one stage timeline PNG per video to DIR')
    .action(async (raw: Record<string, unknown>) => {
      await videoCommand(raw);
    });
  addSaveOptions(cmd, 'the run (stages and the frame-record artifact)');
}
