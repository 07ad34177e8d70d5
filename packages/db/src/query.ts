/** Reading runs back: lists, details, lookups by git commit, flat export rows. */
import { artifactFile } from './artifacts.js';
import type { Database } from './client.js';
import { decodeConfusion } from './confusion.js';
import { DbError } from './errors.js';
import type { RunKind } from './input.js';

const num = (v: bigint | number | null | undefined): number | null => (v == null ? null : Number(v));

/** One run in a list: how it was made and its headline numbers. */
export interface RunSummary {
  id: number;
  kind: RunKind;
  createdAt: string;
  model: string | null;
  modelFamily: string | null;
  dataset: string | null;
  backend: string | null;
  device: string | null;
  inputSize: { width: number; height: number } | null;
  batch: number | null;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
  tags: string[];
  meanIoU: number | null;
  pixelAccuracy: number | null;
  meanAccuracy: number | null;
  frequencyWeightedIoU: number | null;
  vpq: number | null;
  fps: number | null;
  p50Ms: number | null;
}

export interface RunDetail extends RunSummary {
  command: string | null;
  /** The machine that made the run (null for runs saved before hosts were recorded). */
  host: string | null;
  /** The sweep job this run completes (pixelwise sweep / worker), if any. */
  sweepJobId: number | null;
  warmup: number | null;
  iterations: number | null;
  numPixels: number | null;
  vpqThings: number | null;
  vpqStuff: number | null;
  temporalConsistency: number | null;
  extraMetrics: Record<string, number | null>;
  modelInfo: { id: number; name: string; family: string | null; config: unknown; params: number | null; multiplyAdds: number | null } | null;
  datasetInfo: { id: number; name: string; kind: string; classNames: string[] } | null;
  perClass: Array<{ id: number; name: string; iou: number | null; accuracy: number | null; gtPixels: number; predPixels: number }>;
  latency: { iterations: number; warmup: number; mean: number; std: number; min: number; max: number; p50: number; p90: number; p99: number; fps: number } | null;
  stages: Array<{ stage: number; name: string | null; pixelFraction: number; multiplyAdds: number | null; latencyMs: number | null }>;
  /**
   * `path`: the file in the artifact root (absolute), what the dashboard serves; `stored`: the
   * path as recorded (relative to the root); `source`: where it was copied from.
   */
  artifacts: Array<{ kind: string; path: string; stored: string; mime: string | null; bytes: number | null; sha256: string | null; source: string | null }>;
  confusion: { numClasses: number; counts: number[] } | null;
}

const summarySelect = {
  id: true,
  kind: true,
  createdAt: true,
  backend: true,
  device: true,
  inputWidth: true,
  inputHeight: true,
  batch: true,
  gitCommit: true,
  gitBranch: true,
  gitDirty: true,
  tags: true,
  meanIoU: true,
  pixelAccuracy: true,
  meanAccuracy: true,
  frequencyWeightedIoU: true,
  vpq: true,
  fps: true,
  model: { select: { name: true, family: true } },
  dataset: { select: { name: true } },
  latency: { select: { p50: true } },
} as const;

type SummaryRow = {
  id: number;
  kind: string;
  createdAt: Date;
  backend: string | null;
  device: string | null;
  inputWidth: number | null;
  inputHeight: number | null;
  batch: number | null;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
  tags: unknown;
  meanIoU: number | null;
  pixelAccuracy: number | null;
  meanAccuracy: number | null;
  frequencyWeightedIoU: number | null;
  vpq: number | null;
  fps: number | null;
  model: { name: string; family: string | null } | null;
  dataset: { name: string } | null;
  latency: { p50: number } | null;
};

function toSummary(r: SummaryRow): RunSummary {
  return {
    id: r.id,
    kind: r.kind as RunKind,
    createdAt: r.createdAt.toISOString(),
    model: r.model?.name ?? null,
    modelFamily: r.model?.family ?? null,
    dataset: r.dataset?.name ?? null,
    backend: r.backend,
    device: r.device,
    inputSize: r.inputWidth != null && r.inputHeight != null ? { width: r.inputWidth, height: r.inputHeight } : null,
    batch: r.batch,
    gitCommit: r.gitCommit,
    gitBranch: r.gitBranch,
    gitDirty: r.gitDirty,
    tags: Array.isArray(r.tags) ? r.tags.map(String) : [],
    meanIoU: r.meanIoU,
    pixelAccuracy: r.pixelAccuracy,
    meanAccuracy: r.meanAccuracy,
    frequencyWeightedIoU: r.frequencyWeightedIoU,
    vpq: r.vpq,
    fps: r.fps,
    p50Ms: r.latency?.p50 ?? null,
  };
}

export interface ListOptions {
  limit?: number;
  kind?: RunKind;
}

/** Newest first. */
export async function listRuns(db: Database, options: ListOptions = {}): Promise<RunSummary[]> {
  const rows = await db.prisma.run.findMany({
    where: options.kind ? { kind: options.kind } : {},
    orderBy: { id: 'desc' },
    ...(options.limit ? { take: options.limit } : {}),
    select: summarySelect,
  });
  return rows.map(toSummary);
}

export async function countRuns(db: Database): Promise<number> {
  return db.prisma.run.count();
}

/** A run with every row saved with it; DbError 'not-found' for an unknown id. */
export async function getRun(db: Database, id: number): Promise<RunDetail> {
  const r = await db.prisma.run.findUnique({
    where: { id },
    include: {
      model: true,
      dataset: { include: { classes: { orderBy: { classId: 'asc' } } } },
      classMetrics: { orderBy: { classId: 'asc' } },
      latency: true,
      stages: { orderBy: { stage: 'asc' } },
      artifacts: { orderBy: { id: 'asc' } },
      confusion: true,
    },
  });
  if (!r) throw new DbError(`no run with id ${id} in ${db.location.display}`, 'not-found');
  const { latency } = r;
  return {
    ...toSummary({ ...r, latency: latency ? { p50: latency.p50 } : null }),
    command: r.command,
    host: r.host,
    sweepJobId: r.sweepJobId,
    warmup: r.warmup,
    iterations: r.iterations,
    numPixels: num(r.numPixels),
    vpqThings: r.vpqThings,
    vpqStuff: r.vpqStuff,
    temporalConsistency: r.temporalConsistency,
    extraMetrics: (r.extraMetrics ?? {}) as Record<string, number | null>,
    modelInfo: r.model
      ? { id: r.model.id, name: r.model.name, family: r.model.family, config: r.model.config, params: num(r.model.params), multiplyAdds: num(r.model.multiplyAdds) }
      : null,
    datasetInfo: r.dataset ? { id: r.dataset.id, name: r.dataset.name, kind: r.dataset.kind, classNames: r.dataset.classes.map((c) => c.name) } : null,
    perClass: r.classMetrics.map((c) => ({
      id: c.classId,
      name: c.name,
      iou: c.iou,
      accuracy: c.accuracy,
      gtPixels: Number(c.gtPixels),
      predPixels: Number(c.predPixels),
    })),
    latency: latency ? { iterations: latency.iterations, warmup: latency.warmup, mean: latency.mean, std: latency.std, min: latency.min, max: latency.max, p50: latency.p50, p90: latency.p90, p99: latency.p99, fps: latency.fps } : null,
    stages: r.stages.map((s) => ({ stage: s.stage, name: s.name, pixelFraction: s.pixelFraction, multiplyAdds: num(s.multiplyAdds), latencyMs: s.latencyMs })),
    artifacts: r.artifacts.map((a) => ({ kind: a.kind, path: artifactFile(db.artifactRoot, a.path), stored: a.path, mime: a.mime, bytes: a.bytes, sha256: a.sha256, source: a.source })),
    confusion: r.confusion ? { numClasses: r.confusion.numClasses, counts: Array.from(decodeConfusion(r.confusion.data, r.confusion.numClasses)) } : null,
  };
}

/** The newest run recorded at a commit (full hash, or a prefix of at least 7 hex digits). */
export async function latestRunAtCommit(db: Database, commit: string, kind?: RunKind): Promise<number | null> {
  const where = /^[0-9a-f]{40}$/i.test(commit) ? { gitCommit: commit.toLowerCase() } : { gitCommit: { startsWith: commit.toLowerCase() } };
  const r = await db.prisma.run.findFirst({ where: { ...where, ...(kind ? { kind } : {}) }, orderBy: { id: 'desc' }, select: { id: true } });
  return r?.id ?? null;
}

/**
 * FPS of `runId` and the earlier runs of the same configuration (model, backend, input size, batch, device) that
 * measured latency: the sample for the run-to-run spread of FPS.
 */
export async function similarSpeedRuns(db: Database, runId: number, limit = 20): Promise<number[]> {
  const r = await db.prisma.run.findUnique({ where: { id: runId }, select: { modelId: true, backend: true, inputWidth: true, inputHeight: true, batch: true, device: true } });
  if (!r) return [];
  const rows = await db.prisma.run.findMany({
    where: { id: { lte: runId }, modelId: r.modelId, backend: r.backend, inputWidth: r.inputWidth, inputHeight: r.inputHeight, batch: r.batch, device: r.device, fps: { not: null } },
    orderBy: { id: 'desc' },
    take: limit,
    select: { fps: true },
  });
  return rows.map((x) => x.fps).filter((v): v is number => v != null);
}

/** Flat rows for CSV/JSON export: one per run, newest first. */
export async function exportRuns(db: Database): Promise<Array<Record<string, string | number | boolean | null>>> {
  const rows = await db.prisma.run.findMany({
    orderBy: { id: 'desc' },
    include: { model: true, dataset: true, latency: true },
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt.toISOString(),
    model: r.model?.name ?? null,
    family: r.model?.family ?? null,
    params: num(r.model?.params),
    multiplyAdds: num(r.model?.multiplyAdds),
    dataset: r.dataset?.name ?? null,
    backend: r.backend,
    device: r.device,
    inputWidth: r.inputWidth,
    inputHeight: r.inputHeight,
    batch: r.batch,
    warmup: r.warmup,
    iterations: r.iterations,
    gitCommit: r.gitCommit,
    gitBranch: r.gitBranch,
    gitDirty: r.gitDirty,
    tags: Array.isArray(r.tags) ? r.tags.join(';') : '',
    meanIoU: r.meanIoU,
    pixelAccuracy: r.pixelAccuracy,
    meanAccuracy: r.meanAccuracy,
    frequencyWeightedIoU: r.frequencyWeightedIoU,
    numPixels: num(r.numPixels),
    vpq: r.vpq,
    temporalConsistency: r.temporalConsistency,
    fps: r.fps,
    latencyMeanMs: r.latency?.mean ?? null,
    latencyP50Ms: r.latency?.p50 ?? null,
    latencyP90Ms: r.latency?.p90 ?? null,
    latencyP99Ms: r.latency?.p99 ?? null,
  }));
}
