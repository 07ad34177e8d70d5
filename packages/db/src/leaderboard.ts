/**
 * Best run per model. Accuracy and speed usually come from different runs (an `eval` measures
 * meanIoU, a `bench` measures FPS), so each row joins the model's best accuracy run and its best
 * speed run, and names both. Two window queries, each one pass over the filtered runs.
 */
import { Prisma, type Database } from './client.js';

/** Rank by best meanIoU, best FPS, lowest p50 latency, or fewest multiply-adds. */
export const LEADERBOARD_SORTS = ['miou', 'fps', 'latency', 'macs'] as const;
export type LeaderboardSort = (typeof LEADERBOARD_SORTS)[number];

export interface LeaderboardOptions {
  /** Only accuracy runs on this dataset (speed runs without a dataset still count). */
  dataset?: string;
  /** Only runs on this backend (accuracy runs that recorded no backend still count). */
  backend?: string;
  /** Only models of this family (e.g. `fcn`, `layer-cascade`). */
  family?: string;
  sort?: LeaderboardSort;
  limit?: number;
}

export interface LeaderboardRow {
  rank: number;
  model: string | null;
  /** The model's configuration (what makes it its own row, e.g. a cascade's mode). */
  config: Record<string, unknown>;
  /** The name to show: the model with its configuration, e.g. `layer-cascade-lite (mode=full)`. */
  label: string | null;
  family: string | null;
  meanIoU: number | null;
  fps: number | null;
  p50Ms: number | null;
  gmacs: number | null;
  params: number | null;
  backend: string | null;
  device: string | null;
  dataset: string | null;
  /** The run the row is ranked by (the speed run for fps and latency, else the accuracy run; else the other). */
  runId: number;
  accuracyRunId: number | null;
  speedRunId: number | null;
}

interface BestRow {
  id: number | bigint;
  modelId: number | bigint | null;
  value: number;
  p50: number | null;
  backend: string | null;
  device: string | null;
  dataset: string | null;
}

async function best(db: Database, metric: 'meanIoU' | 'fps', o: LeaderboardOptions): Promise<Map<number, BestRow>> {
  const col = Prisma.raw(`r."${metric}"`);
  const conds = [Prisma.sql`${col} IS NOT NULL`];
  if (o.dataset) conds.push(metric === 'meanIoU' ? Prisma.sql`d."name" = ${o.dataset}` : Prisma.sql`(d."name" = ${o.dataset} OR r."datasetId" IS NULL)`);
  if (o.backend) conds.push(metric === 'fps' ? Prisma.sql`r."backend" = ${o.backend}` : Prisma.sql`(r."backend" = ${o.backend} OR r."backend" IS NULL)`);
  if (o.family) conds.push(Prisma.sql`r."modelId" IN (SELECT m."id" FROM "Model" m WHERE m."family" = ${o.family})`);
  const rows = await db.prisma.$queryRaw<BestRow[]>`
    SELECT "id", "modelId", "value", "p50", "backend", "device", "dataset" FROM (
      SELECT r."id", r."modelId", ${col} AS "value", l."p50", r."backend", r."device", d."name" AS "dataset",
             ROW_NUMBER() OVER (PARTITION BY COALESCE(r."modelId", 0) ORDER BY ${col} DESC, r."id" DESC) AS "rn"
      FROM "Run" r
      LEFT JOIN "Dataset" d ON d."id" = r."datasetId"
      LEFT JOIN "LatencyStat" l ON l."runId" = r."id"
      WHERE ${Prisma.join(conds, ' AND ')}
    ) t WHERE "rn" = 1`;
  return new Map(rows.map((r) => [Number(r.modelId ?? 0), r]));
}

export async function leaderboard(db: Database, options: LeaderboardOptions = {}): Promise<LeaderboardRow[]> {
  const sort = options.sort ?? 'miou';
  const [acc, speed] = await Promise.all([best(db, 'meanIoU', options), best(db, 'fps', options)]);
  const bySpeed = sort === 'fps' || sort === 'latency';
  const keys = new Set([...(bySpeed ? speed.keys() : acc.keys())]);
  // Models with only the other kind of run still appear, ranked after the rest.
  for (const k of bySpeed ? acc.keys() : speed.keys()) keys.add(k);
  const ids = [...keys].filter((k) => k !== 0);
  const models = new Map(
    (await db.prisma.model.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, family: true, config: true, params: true, multiplyAdds: true } })).map((m) => [m.id, m]),
  );
  const rows = [...keys].map((k): Omit<LeaderboardRow, 'rank'> => {
    const a = acc.get(k);
    const s = speed.get(k);
    const m = models.get(k);
    const primary = bySpeed ? (s ?? a) : (a ?? s);
    const config = (m?.config ?? {}) as Record<string, unknown>;
    return {
      model: m?.name ?? null,
      config,
      label: m ? modelLabel(m.name, config) : null,
      family: m?.family ?? null,
      meanIoU: a ? Number(a.value) : null,
      fps: s ? Number(s.value) : null,
      p50Ms: s?.p50 ?? a?.p50 ?? null,
      gmacs: m?.multiplyAdds != null ? Number(m.multiplyAdds) / 1e9 : null,
      params: m?.params != null ? Number(m.params) : null,
      backend: s?.backend ?? a?.backend ?? null,
      device: s?.device ?? a?.device ?? null,
      dataset: a?.dataset ?? null,
      runId: Number(primary?.id),
      accuracyRunId: a ? Number(a.id) : null,
      speedRunId: s ? Number(s.id) : null,
    };
  });
  const key = (r: Omit<LeaderboardRow, 'rank'>) => ({ miou: r.meanIoU, fps: r.fps, latency: r.p50Ms, macs: r.gmacs })[sort];
  const descending = sort === 'miou' || sort === 'fps';
  rows.sort((x, y) => {
    const a = key(x);
    const b = key(y);
    if (a == null || b == null) return a == null && b == null ? y.runId - x.runId : a == null ? 1 : -1;
    return (descending ? b - a : a - b) || y.runId - x.runId;
  });
  const limited = options.limit ? rows.slice(0, options.limit) : rows;
  return limited.map((r, i) => ({ rank: i + 1, ...r }));
}

/** What the leaderboard can be filtered by: dataset names, backends and model families that occur in saved runs. */
export interface LeaderboardFacets {
  datasets: string[];
  backends: string[];
  families: string[];
}

export async function leaderboardFacets(db: Database): Promise<LeaderboardFacets> {
  const [datasets, backends, families] = await Promise.all([
    db.prisma.$queryRaw<Array<{ v: string }>>`SELECT DISTINCT d."name" AS "v" FROM "Dataset" d WHERE EXISTS (SELECT 1 FROM "Run" r WHERE r."datasetId" = d."id") ORDER BY 1`,
    db.prisma.$queryRaw<Array<{ v: string }>>`SELECT DISTINCT r."backend" AS "v" FROM "Run" r WHERE r."backend" IS NOT NULL ORDER BY 1`,
    db.prisma.$queryRaw<Array<{ v: string }>>`SELECT DISTINCT m."family" AS "v" FROM "Model" m WHERE m."family" IS NOT NULL AND EXISTS (SELECT 1 FROM "Run" r WHERE r."modelId" = m."id") ORDER BY 1`,
  ]);
  const values = (rows: Array<{ v: string }>) => rows.map((r) => r.v);
  return { datasets: values(datasets), backends: values(backends), families: values(families) };
}

/**
 * A model's display name: its name, and its configuration when it has one, as `k=v` pairs
 * (`layer-cascade-lite (mode=full, rho=0.9)`): two configurations are two leaderboard rows.
 */
export function modelLabel(name: string, config: Record<string, unknown>): string {
  const parts = Object.entries(config)
    // Values the name already says (a video run's `clockwork-adaptive`) are not repeated.
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object' && !name.includes(String(v)))
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}
