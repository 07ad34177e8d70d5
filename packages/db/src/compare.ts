/**
 * Comparing two runs: accuracy metrics are judged in percentage points against a threshold; speed
 * is judged against the measured run-to-run spread so that noise on a shared machine does not raise
 * false alarms. One verdict for `pixelwise compare` (a pull-request comment) and the dashboard.
 */
import type { Database } from './client.js';
import { similarSpeedRuns, type RunDetail } from './query.js';

export interface RunLike {
  /** "run 12", "main (3f2a1b0)", or the file name. */
  label: string;
  id: number | null;
  model: string | null;
  dataset: string | null;
  backend: string | null;
  metrics: Partial<Record<MetricName, number | null>>;
  fps: number | null;
  latency: { mean: number; std: number; p50: number; p90: number; iterations: number } | null;
  perClass: Array<{ id: number; name: string; iou: number | null }>;
  /** FPS of this run and the earlier runs of its configuration (model, backend, size, batch, device). */
  fpsHistory: number[];
}

/** A signed number with a real minus sign: `+1.25`, `−0.40`. */
export function signed(v: number, digits = 2): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
}

export const METRICS = ['meanIoU', 'pixelAccuracy', 'meanAccuracy', 'frequencyWeightedIoU', 'vpq', 'temporalConsistency'] as const;
export type MetricName = (typeof METRICS)[number];

export interface MetricChange {
  name: MetricName;
  base: number | null;
  head: number | null;
  /** head - base, in percentage points. */
  deltaPp: number | null;
  significant: boolean;
}

export interface SpeedChange {
  baseFps: number;
  headFps: number;
  deltaPct: number;
  /** Changes within this many percent are noise. */
  noisePct: number;
  /** How the noise band was measured. */
  noiseSource: string;
  significant: boolean;
  baseP50: number | null;
  headP50: number | null;
}

export interface Comparison {
  verdict: 'regression' | 'improvement' | 'mixed' | 'no significant change';
  summary: string;
  thresholdPct: number;
  base: RunLike;
  head: RunLike;
  metrics: MetricChange[];
  classes: Array<{ id: number; name: string; base: number | null; head: number | null; deltaPp: number | null }>;
  speed: SpeedChange | null;
  links: { base: string | null; head: string | null; compare: string | null };
}

const relStd = (xs: number[]): number => {
  const m = xs.reduce((s, v) => s + v, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);
  return m > 0 ? Math.sqrt(v) / m : 0;
};

/**
 * The noise band for an FPS change, in percent: twice the measured run-to-run spread (relative
 * standard deviation of FPS over the base and its earlier runs of the same configuration, when
 * there are at least 3), else twice the combined per-iteration spread of both runs (relative
 * standard deviation of one iteration: wider than the spread of means, so it errs against false
 * alarms); never below the threshold.
 */
export function speedNoise(base: RunLike, head: RunLike, thresholdPct: number): { noisePct: number; source: string } {
  // The head is the run under test: only the base side's history measures the machine's noise.
  const history = base.fpsHistory.filter((v) => v > 0);
  let spread = 0;
  let source = 'no spread measured; threshold only';
  if (history.length >= 3) {
    spread = relStd(history);
    source = `run-to-run spread of ${history.length} runs up to the base`;
  } else if (base.latency && head.latency) {
    const cv = (l: NonNullable<RunLike['latency']>) => (l.mean > 0 ? l.std / l.mean : 0);
    spread = Math.hypot(cv(base.latency), cv(head.latency));
    source = 'per-iteration spread of both runs';
  }
  return { noisePct: Math.max(thresholdPct, 2 * spread * 100), source };
}

export function compareRuns(base: RunLike, head: RunLike, thresholdPct: number, dashboardUrl: string | null): Comparison {
  const metrics: MetricChange[] = METRICS.filter((m) => base.metrics[m] != null || head.metrics[m] != null).map((name) => {
    const b = base.metrics[name] ?? null;
    const h = head.metrics[name] ?? null;
    const deltaPp = b != null && h != null ? (h - b) * 100 : null;
    return { name, base: b, head: h, deltaPp, significant: deltaPp != null && Math.abs(deltaPp) > thresholdPct };
  });
  const classes = classDeltas(base, head)
    .filter((c) => (c.deltaPp != null ? Math.abs(c.deltaPp) > thresholdPct : c.base !== c.head))
    .sort((a, b) => Math.abs(b.deltaPp ?? 0) - Math.abs(a.deltaPp ?? 0));
  let speed: SpeedChange | null = null;
  if (base.fps != null && head.fps != null && base.fps > 0) {
    const { noisePct, source } = speedNoise(base, head, thresholdPct);
    const deltaPct = ((head.fps - base.fps) / base.fps) * 100;
    speed = { baseFps: base.fps, headFps: head.fps, deltaPct, noisePct, noiseSource: source, significant: Math.abs(deltaPct) > noisePct, baseP50: base.latency?.p50 ?? null, headP50: head.latency?.p50 ?? null };
  }
  const worse: string[] = [];
  const better: string[] = [];
  for (const m of metrics) if (m.significant && m.deltaPp != null) (m.deltaPp < 0 ? worse : better).push(`${m.name} ${signed(m.deltaPp)} pp`);
  if (speed?.significant) (speed.deltaPct < 0 ? worse : better).push(`FPS ${signed(speed.deltaPct, 1)}%`);
  const verdict = worse.length && better.length ? 'mixed' : worse.length ? 'regression' : better.length ? 'improvement' : 'no significant change';
  const parts = [...worse, ...better];
  const summary = parts.length ? parts.join(', ') : `no metric moved more than ${thresholdPct} pp${speed ? `; FPS within noise (±${speed.noisePct.toFixed(1)}%)` : ''}`;
  const base_ = dashboardUrl?.replace(/\/+$/, '') ?? null;
  return {
    verdict,
    summary,
    thresholdPct,
    base,
    head,
    metrics,
    classes,
    speed,
    links: {
      base: base_ && base.id != null ? `${base_}/runs/${base.id}` : null,
      head: base_ && head.id != null ? `${base_}/runs/${head.id}` : null,
      compare: base_ && base.id != null && head.id != null ? `${base_}/compare?base=${base.id}&head=${head.id}` : null,
    },
  };
}

/** A saved run as a comparison side; its FPS history comes from earlier runs of its configuration. */
export async function runLikeFromRun(db: Database, r: RunDetail, label: string): Promise<RunLike> {
  const history = r.fps != null ? await similarSpeedRuns(db, r.id) : [];
  return {
    label,
    id: r.id,
    model: r.model,
    dataset: r.dataset,
    backend: r.backend,
    metrics: { meanIoU: r.meanIoU, pixelAccuracy: r.pixelAccuracy, meanAccuracy: r.meanAccuracy, frequencyWeightedIoU: r.frequencyWeightedIoU, vpq: r.vpq, temporalConsistency: r.temporalConsistency },
    fps: r.fps,
    latency: r.latency,
    perClass: r.perClass.map((c) => ({ id: c.id, name: c.name, iou: c.iou })),
    fpsHistory: history,
  };
}

/** Every class of the base run with both IoUs and the change in percentage points (null where either is NaN), in class-id order. */
export function classDeltas(base: RunLike, head: RunLike): Comparison['classes'] {
  const headClasses = new Map(head.perClass.map((c) => [c.id, c]));
  return base.perClass.map((c) => {
    const h = headClasses.get(c.id);
    const deltaPp = c.iou != null && h?.iou != null ? (h.iou - c.iou) * 100 : null;
    return { id: c.id, name: h?.name ?? c.name, base: c.iou, head: h?.iou ?? null, deltaPp };
  });
}
