/**
 * Latency statistics for benchmarks: warm-up, iterations, mean, percentiles and FPS from a
 * monotonic clock (`performance.now()`, available in Node and browsers).
 */

export interface LatencyStats {
  /** Timed iterations (warm-up excluded). */
  iterations: number;
  /** Untimed iterations run first. */
  warmup: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  /** Frames (calls) per second from the mean latency: `1000 / mean`. */
  fps: number;
}

/**
 * Percentile with linear interpolation between closest ranks (NumPy's default `linear` method).
 * @param sorted ascending values
 * @param q in [0, 100]
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty sample');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile must be in [0, 100], got ${q}`);
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? 0;
  return a + (b - a) * (pos - lo);
}

/** Summarises latencies in milliseconds. */
export function summarizeLatencies(samplesMs: readonly number[], warmup = 0): LatencyStats {
  if (samplesMs.length === 0) throw new Error('no latency samples to summarise');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return {
    iterations: n,
    warmup,
    mean,
    std: Math.sqrt(variance),
    min: sorted[0] ?? 0,
    max: sorted[n - 1] ?? 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    fps: mean > 0 ? 1000 / mean : Infinity,
  };
}

export interface MeasureOptions {
  /** Untimed calls first (JIT, caches, kernel setup). Default 3. */
  warmup?: number;
  /** Timed calls. Default 20. */
  iterations?: number;
  /** Milliseconds clock; default `performance.now`. */
  clock?: () => number;
  /** Called after each timed call with its index, e.g. to drive a progress bar. */
  onIteration?: (index: number, ms: number) => void;
}

/**
 * Times `fn` (awaited; it must finish its work, e.g. read back a tensor, before resolving).
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<LatencyStats> {
  const warmup = options.warmup ?? 3;
  const iterations = options.iterations ?? 20;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got ${iterations}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warmup must be a non-negative integer, got ${warmup}`);
  const clock = options.clock ?? (() => performance.now());
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = clock();
    await fn();
    const ms = clock() - t0;
    samples.push(ms);
    options.onIteration?.(i, ms);
  }
  return summarizeLatencies(samples, warmup);
}
