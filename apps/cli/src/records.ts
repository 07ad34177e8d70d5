/**
 * Run records: one builder per result kind (image evaluation, video evaluation, benchmark, video
 * method, training) turns what a package measured into the database's `RunInput`, and
 * `saveRecord` writes it through `saveRun` in one transaction. The database code loads only when
 * something is saved.
 */
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import type { RunInput } from '@pixelwise/db';
import type { ConfusionMatrix, LatencyStats, SegmentationMetrics } from '@pixelwise/eval';
import { CliError } from './errors.js';

/** NaN and missing values as the database's null. */
export const nan = (v: number | undefined | null): number | null => (v == null || Number.isNaN(v) ? null : v);

/** A data set's display name: the preset, else the folder's name. */
export function datasetName(preset: string | undefined, dir: string): string {
  return preset ?? basename(resolve(dir));
}

/** The command line as typed (arguments quoted where the shell would need it). */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['pixelwise', ...argv.map(quote)].join(' ');
}

/**
 * The part of a model's construction options that makes it another leaderboard entry: what differs
 * from the registry's defaults at inference (a cascade's `mode` and `rho`); the class count belongs
 * to the data set and auxiliary heads only train.
 */
export function modelConfig(defaults: Record<string, unknown>, options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => k !== 'numClasses' && k !== 'aux' && defaults[k] !== v));
}

const NO_METRICS = { pixelAccuracy: null, meanAccuracy: null, meanIoU: null, frequencyWeightedIoU: null, vpq: null, vpqThings: null, vpqStuff: null, temporalConsistency: null, fps: null };

/** Summary metrics, per-class rows and the confusion matrix of a segmentation evaluation. */
function segmentation(m: SegmentationMetrics | undefined, confusion?: ConfusionMatrix): Pick<RunInput, 'perClass' | 'confusion'> & { metrics: NonNullable<RunInput['metrics']> } {
  const cm = confusion && confusion.numClasses <= 256 ? { numClasses: confusion.numClasses, counts: Array.from(confusion.toDense()) } : undefined;
  return {
    metrics: {
      ...NO_METRICS,
      pixelAccuracy: nan(m?.pixelAccuracy),
      meanAccuracy: nan(m?.meanAccuracy),
      meanIoU: nan(m?.meanIoU),
      frequencyWeightedIoU: nan(m?.frequencyWeightedIoU),
      ...(m ? { numPixels: m.numPixels } : {}),
    },
    perClass: (m?.perClass ?? []).map((c) => ({ id: c.id, name: c.name, iou: nan(c.iou), accuracy: nan(c.accuracy), gtPixels: c.gtPixels, predPixels: c.predPixels })),
    ...(cm ? { confusion: cm } : {}),
  };
}

/** Latency as stored: every statistic the measurement made. */
function latency(s: LatencyStats): NonNullable<RunInput['latency']> {
  return { iterations: s.iterations, warmup: s.warmup, mean: s.mean, std: s.std, min: s.min, max: s.max, p50: s.p50, p90: s.p90, p99: s.p99, fps: s.fps };
}

interface Common {
  model?: { name: string; family?: string; config?: Record<string, unknown>; params?: number; multiplyAdds?: number };
  dataset?: { name: string; kind: 'images' | 'video'; classNames: string[] };
  tags: string[];
  command?: string;
}

function base(c: Common): Pick<RunInput, 'model' | 'dataset' | 'tags' | 'command'> {
  return { ...(c.model ? { model: c.model } : {}), ...(c.dataset ? { dataset: c.dataset } : {}), tags: c.tags, command: c.command ?? commandLine() };
}

/** `pixelwise eval`: metrics of predicted label maps. */
export function evalRecord(c: Common & { metrics: SegmentationMetrics; confusion: ConfusionMatrix }): RunInput {
  return { kind: 'eval', ...base(c), ...segmentation(c.metrics, c.confusion) };
}

/** `pixelwise eval-video`: VPQ (per window in `extra`) and temporal consistency. */
export function evalVideoRecord(c: Common & { vpq: { vpq: number; vpqThings: number; vpqStuff: number; windows: ReadonlyArray<{ frames: number; vpq: number }> }; temporalConsistency?: number }): RunInput {
  const extra = Object.fromEntries(c.vpq.windows.map((w) => [`vpq_${w.frames}`, nan(w.vpq)]));
  return { kind: 'eval-video', ...base(c), metrics: { ...NO_METRICS, vpq: nan(c.vpq.vpq), vpqThings: nan(c.vpq.vpqThings), vpqStuff: nan(c.vpq.vpqStuff), temporalConsistency: nan(c.temporalConsistency), extra } };
}

export interface StageRow {
  name: string;
  pixelFraction: number;
  multiplyAdds: number;
}

interface Timed {
  backend: string;
  device: string;
  /** `[height, width]`. */
  size: [number, number];
  batch: number;
  latency: LatencyStats;
  fps: number;
}

function timed(t: Timed): Pick<RunInput, 'backend' | 'device' | 'inputSize' | 'batch' | 'warmup' | 'iterations' | 'latency'> {
  return { backend: t.backend, device: t.device, inputSize: { width: t.size[1], height: t.size[0] }, batch: t.batch, warmup: t.latency.warmup, iterations: t.latency.iterations, latency: latency(t.latency) };
}

const stageRows = (rows: readonly StageRow[] = []) => rows.map((s, i) => ({ stage: i + 1, name: s.name, pixelFraction: Math.min(1, Math.max(0, s.pixelFraction)), multiplyAdds: Math.round(s.multiplyAdds) }));

/** `pixelwise bench`: latency and FPS, and with data its metrics, stages and preview artifacts. */
export function benchRecord(c: Common & Timed & { metrics?: SegmentationMetrics & { confusion?: ConfusionMatrix }; extra?: Record<string, number | null>; stages?: StageRow[]; artifacts?: RunInput['artifacts'] }): RunInput {
  const s = segmentation(c.metrics, c.metrics?.confusion);
  return { kind: 'bench', ...base(c), ...timed(c), ...s, metrics: { ...s.metrics, fps: c.fps, ...(c.extra ? { extra: c.extra } : {}) }, stages: stageRows(c.stages), artifacts: c.artifacts ?? [] };
}

/** `pixelwise video`: mIoU and temporal consistency of a video method, its measured latency, units and frame record. */
export function videoRecord(c: Common & Timed & { metrics: SegmentationMetrics; temporalConsistency: number | null; extra: Record<string, number | null>; units: StageRow[]; frameRecord?: string }): RunInput {
  const s = segmentation(c.metrics);
  return {
    kind: 'video',
    ...base(c),
    ...timed(c),
    ...s,
    metrics: { ...s.metrics, temporalConsistency: nan(c.temporalConsistency), fps: c.fps, extra: c.extra },
    stages: stageRows(c.units),
    artifacts: c.frameRecord ? [{ kind: 'frame-record', path: c.frameRecord, mime: 'application/json' }] : [],
  };
}

/** `pixelwise train`: the final validation summary, loss, epochs and time. */
export function trainRecord(c: Common & { backend: string; device: string; size?: [number, number]; batch: number; val?: Record<string, number>; extra: Record<string, number | null> }): RunInput {
  return {
    kind: 'train',
    ...base(c),
    backend: c.backend,
    device: c.device,
    ...(c.size ? { inputSize: { width: c.size[1], height: c.size[0] } } : {}),
    batch: c.batch,
    metrics: { ...NO_METRICS, pixelAccuracy: nan(c.val?.pixelAccuracy), meanAccuracy: nan(c.val?.meanAccuracy), meanIoU: nan(c.val?.meanIoU), extra: c.extra },
  };
}

/**
 * Where a run was made: the machine's host name (PIXELWISE_HOST, set by a sweep worker, else the
 * OS's), and the sweep job it completes when a worker started this command (PIXELWISE_SWEEP_JOB):
 * the database then keeps one run per job however often the job is re-run.
 */
function origin(env: NodeJS.ProcessEnv, names: { job: string; host: string }): Pick<RunInput, 'host' | 'sweepJobId'> {
  const job = env[names.job];
  if (job !== undefined && !/^[1-9]\d{0,9}$/.test(job)) throw new CliError(`${names.job}=${job}: expected a sweep job id (a positive integer)`);
  const host = (env[names.host] || hostname()).slice(0, 200);
  return { host, ...(job ? { sweepJobId: Number(job) } : {}) };
}

/** Saves a record (opening DATABASE_URL, migrating it if needed); returns the run's id. */
export async function saveRecord(record: RunInput): Promise<number | string> {
  const { saveRun, SWEEP_JOB_ENV, HOST_ENV } = await import('@pixelwise/db');
  const { withDb } = await import('./db/open.js');
  const at = origin(process.env, { job: SWEEP_JOB_ENV, host: HOST_ENV });
  return withDb(async (db) => (await saveRun(db, { ...record, ...at })).id);
}
