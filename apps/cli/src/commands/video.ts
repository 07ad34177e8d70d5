/**
 * `pixelwise video --method per-frame|clockwork|tdnet [--schedule fixed|alternating|pipelined|adaptive]
 * [--threshold T] [--periods 1,2,4] --model NAME --weights CKPT --data DIR [--split val] [--json]
 * [--save] [--save-stage-maps DIR] [--panoptic-out DIR [--instances none|components] [--track-flow lucas-kanade|none] [--track-iou X]]
 * [--engine onnx|tfjs] [--threads N]
 * [--device cpu|webgpu]`: a video method over a video data set: mean IoU, temporal consistency
 * (ground-truth flow), ms and multiply-adds per frame, which units ran, latency. On ONNX Runtime
 * the method's units are sessions (Clockwork stages, TDNet sub-networks) and the schedule is the same.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeChoice, setBackend } from '@pixelwise/core';
import { deviceOf } from '@pixelwise/core/node';
import { encodePng } from '@pixelwise/core/io';
import { MODELS, modelComplexity, onnxSegmenter, type ModelOptions } from '@pixelwise/models';
import { chooseEngine, describeEngine, engineDevice, loadSegmentor, writeFileAtomic } from '@pixelwise/models/node';
import { checkMethodModel, CLOCKWORK_SCHEDULES, frameRecordOf, PerFrame, runVideos, stageTimeline, TRACK_MIN_IOU, VIDEO_METHODS, videoMethod, type VideoSegmenter } from '@pixelwise/video';
import { openVideoSplit, panopticWriter, TRACK_FLOWS } from '@pixelwise/video/node';
import { openAtomicOutput } from '../atomic-output.js';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, engineFlags, flag, saveFlags, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';
import { videoModelIdentity } from '../method-identity.js';
import { datasetName, saveRecord, videoRecord } from '../records.js';
import { formatVideo, videoResult, type VideoResult } from './video-result.js';

const FLAGS = {
  method: flag.choice('video method', VIDEO_METHODS, { required: true }),
  schedule: flag.choice('clockwork schedule (default adaptive)', CLOCKWORK_SCHEDULES),
  threshold: flag.number('adaptive clockwork: fraction of changed stage-1 labels that triggers the deep stages (default 0.25)', 0, 1, { closed: true }),
  periods: {
    description: 'fixed clockwork: frame period of each stage (default 1,2,4)',
    arg: '<list>',
    schema: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'expected comma-separated frame periods, e.g. 1,2,4')
      .transform((s) => s.split(',').map(Number))
      .optional(),
  },
  model: flag.string('registry name: fcn8s-lite for clockwork, tdnet2-lite|tdnet4-lite for tdnet, any image model for per-frame', { required: true, arg: '<name>' }),
  weights: flag.path('weights (.safetensors)', { required: true, arg: '<ckpt>' }),
  data: flag.path('video data set (pixelwise data synth --kind video)', { required: true, arg: '<dir>' }),
  split: flag.choice('split', ['train', 'val'], { default: 'val' }),
  maxVideos: flag.int('only the first N videos', 1, 1_000_000),
  warmup: flag.int('untimed frames before measuring', 0, 100, { default: '2' }),
  backend: backendFlag(),
  ...engineFlags(),
  json: flag.bool('print one JSON object'),
  baselineWeights: flag.path('also run per-frame inference of --baseline-model with these weights on the same frames, alternating with the method, and report both timings', { arg: '<ckpt>' }),
  baselineModel: flag.string('image model of --baseline-weights (default: --model; for tdnet its teacher, pspnet-lite)', { arg: '<name>' }),
  panopticOut: flag.path("write every frame's prediction as DIR/<video>/<frame>_sem.png and _inst.png for eval-video (track ids: see --instances)", { arg: '<dir>' }),
  instances: flag.choice("track ids of --panoptic-out: none (all 0: evaluate with eval-video --things ''), components (each connected component of the data set's thing classes an instance, tracked by overlap)", ['none', 'components'], { default: 'none' }),
  trackFlow: flag.choice("--instances components: move the previous frame's instances along Lucas-Kanade flow between the two frames before matching, or not (none)", TRACK_FLOWS, { default: 'lucas-kanade' }),
  trackIou: flag.number(`--instances components: least IoU (0..1] with the previous frame's instance of the same class for a component to keep its track id (default ${TRACK_MIN_IOU})`, 0, 1, { default: String(TRACK_MIN_IOU) }),
  saveStageMaps: flag.path('write frame-record.json and one stage timeline PNG per video to DIR', { arg: '<dir>' }),
  ...saveFlags('the run (stages and the frame-record artifact)'),
};
type Flags = Parsed<typeof FLAGS>;

export async function videoCommand(o: Flags): Promise<VideoResult> {
  if (!MODELS[o.model]) throw new CliError(`--model: unknown model '${o.model}'; valid models: ${Object.keys(MODELS).filter((n) => MODELS[n]?.task !== 'flow').join(', ')}`);
  if (o.method !== 'clockwork' && (o.schedule !== undefined || o.threshold !== undefined || o.periods !== undefined)) throw new CliError(`--schedule, --threshold and --periods apply to --method clockwork, not ${o.method}`);
  checkMethodModel(o.method, o.model);
  const baselineModel = o.baselineModel ?? (o.method === 'tdnet' ? (MODELS[o.model]?.teacher ?? '') : o.model);
  if (o.instances !== 'none' && o.panopticOut === undefined) throw new CliError('--instances applies to the predictions of --panoptic-out; add --panoptic-out DIR');
  const data = await openVideoSplit(o.data, o.split, o.maxVideos !== undefined ? { maxVideos: o.maxVideos } : {});
  if (o.instances === 'components' && data.things.length === 0) throw new CliError(`--instances components: ${join(o.data, 'manifest.json')} marks no class as a thing`);
  const choice = await setBackend(o.backend);
  const engine = await chooseEngine(o);
  const onnx = engine.engine === 'onnx' ? engine.onnx : undefined;
  const numClasses = data.classNames.length;
  const load = async (model: string, weights: string, flagName: string) => {
    const l = await loadSegmentor(weights, { model, flag: flagName });
    if (l.model.numClasses !== numClasses) throw new CliError(`${flagName}: ${weights} predicts ${l.model.numClasses} classes, ${o.data} has ${numClasses}`);
    return l;
  };
  const loaded = await load(o.model, o.weights, '--weights');
  const first = await data.videos[0]?.frame(0);
  const size: [number, number] = [first?.image.height ?? 0, first?.image.width ?? 0];
  const schedule = o.method === 'clockwork' ? (o.schedule ?? 'adaptive') : undefined;
  const { seg, perFrameMacs } = videoMethod(o.method, { ...loaded, options: loaded.options as ModelOptions }, size, { schedule: schedule ?? 'adaptive', ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), ...(o.periods ? { periods: o.periods } : {}) }, onnx);
  let baseline: VideoSegmenter | undefined;
  try {
    if (o.baselineWeights !== undefined) {
      const b = await load(baselineModel, o.baselineWeights, '--baseline-weights');
      const macs = modelComplexity(b.name, b.options as ModelOptions, size).macs;
      baseline = onnx ? new PerFrame(onnxSegmenter(onnx, b), macs, () => b.model.dispose()) : new PerFrame(b.model, macs);
    }
  } catch (e) {
    seg.dispose();
    throw e;
  }
  process.stderr.write(`video: ${onnx ? describeEngine(engine) : describeChoice(choice)}\n`);
  const bar = createProgress(data.videos.reduce((s, v) => s + v.frames, 0), { label: `video ${o.method}`, unit: 'frames' });
  const panoptic = o.panopticOut === undefined ? undefined : await openAtomicOutput(o.panopticOut, '--panoptic-out');
  const tracks = o.instances === 'components' ? { things: data.things, minIoU: o.trackIou, flow: o.trackFlow, ignoreIndex: data.ignoreIndex } : undefined;
  const write = panoptic ? panopticWriter(panoptic.dir, size[1], size[0], tracks) : undefined;
  const result = await runVideos(seg, data.videos, { numClasses, ignoreIndex: data.ignoreIndex, names: data.classNames, warmup: o.warmup, ...(baseline ? { baseline } : {}), onFrame: async (r, labels, done, _total, f) => (await write?.(r.video, r.frame, labels, f.image), bar.update(done)) }).finally(() => {
    bar.done();
    seg.dispose();
    baseline?.dispose();
  });
  await panoptic?.commit();
  const res = videoResult({ ...o, ...(schedule ? { schedule } : {}), threshold: schedule === 'adaptive' ? (o.threshold ?? 0.25) : undefined, engine: onnx ? onnx.info : { engine: 'tfjs', backend: choice.backend, threads: 1, runtime: '' }, device: onnx ? engineDevice(onnx.info) : deviceOf(choice), videos: data.videos.length, size, perFrameMacs, baselineModel }, seg, result);
  let recordDir = o.saveStageMaps;
  // A record made only for the run lives in the database's artifact root (DATABASE_URL's, not ~/.pixelwise's).
  if (recordDir === undefined && o.save) recordDir = join((await import('../db/open.js')).artifactRoot(), `video-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  if (recordDir !== undefined) {
    const dir = resolve(recordDir);
    await mkdir(dir, { recursive: true });
    res.frameRecord = join(dir, 'frame-record.json');
    await writeFileAtomic(res.frameRecord, `${JSON.stringify(frameRecordOf(o.method, seg.units, result.frames, schedule))}\n`);
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
      res.runId = await saveRecord(
        videoRecord({
          // One leaderboard row per model and method: the same weights as a clockwork are another entry.
          model: { ...videoModelIdentity(o.method, o.model, schedule, res.threshold, loaded.info?.config), family: MODELS[o.model]?.family ?? 'tdnet', multiplyAdds: Math.round(res.gmacsPerFrame * 1e9) },
          dataset: { name: datasetName(undefined, o.data), kind: 'video', classNames: data.classNames },
          tags: o.tag,
          backend: res.backend,
          device: res.device,
          size,
          batch: 1,
          latency: result.latency,
          fps: 1000 / res.msPerFrame,
          metrics: result.metrics,
          temporalConsistency: res.temporalConsistency,
          extra: { msPerFrame: res.msPerFrame, gmacsPerFrame: res.gmacsPerFrame, macsFractionOfPerFrame: res.macsFractionOfPerFrame, threads: res.threads },
          units: res.units.map((u, i) => ({ name: u.name, pixelFraction: u.fraction, multiplyAdds: seg.unitMacs[i] ?? 0 })),
          ...(res.frameRecord ? { frameRecord: res.frameRecord } : {}),
        }),
      );
    } catch (e) {
      // Nothing half-written: a record made only for this run goes when the run is not saved.
      if (o.saveStageMaps === undefined && res.frameRecord) await rm(dirname(res.frameRecord), { recursive: true, force: true });
      throw e;
    }
  }
  process.stdout.write(o.json ? `${JSON.stringify(res)}\n` : formatVideo(res));
  return res;
}

export const registerVideo = defineCommand({ name: 'video', description: 'run per-frame, clockwork or TDNet video segmentation on a video data set', flags: FLAGS, run: videoCommand });
