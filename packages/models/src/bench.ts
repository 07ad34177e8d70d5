/**
 * Benchmarking a segmentor: latency percentiles of its forward pass (read-back included) over
 * given inputs, and — for staged models — what the passes measured (stage fractions, multiply-adds
 * spent), pooled over many forwards. `pixelwise bench` is this plus printing.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { measure, type LatencyStats } from '@pixelwise/eval';
import { resizeBilinear } from './data/augment.js';
import type { Segmentor, StageStats } from './segmentors/segmentor.js';
import type { SampleSource } from './train/batches.js';

/**
 * Pools per-forward {@link StageStats} over many passes, each weighted by its pixels, and reports
 * them per input pixel so that passes on images of other sizes can be scaled to one size.
 */
export class StageAccumulator {
  private labelled: number[] = [];
  private spent: number[] = [];
  private skipped = 0;
  private gridPixels = 0;
  private inputPixels = 0;

  /** @param inputPixels pixels of the input batch (images x height x width) */
  add(stats: StageStats, inputPixels: number): void {
    const [n, h, w] = stats.stageMap.shape;
    stats.stageFractions.forEach((f, i) => (this.labelled[i] = (this.labelled[i] ?? 0) + f * n * h * w));
    stats.stageMacsSpent.forEach((m, i) => (this.spent[i] = (this.spent[i] ?? 0) + m * n));
    this.skipped += stats.skippedMacs * n;
    this.gridPixels += n * h * w;
    this.inputPixels += inputPixels;
  }

  get empty(): boolean {
    return this.gridPixels === 0;
  }

  /** Share of pixels labelled by each stage. */
  fractions(): number[] {
    return this.labelled.map((c) => c / Math.max(1, this.gridPixels));
  }

  /** Multiply-adds stage `stage` spent per input pixel. */
  stageMacsPerInputPixel(stage: number): number {
    return (this.spent[stage] ?? 0) / Math.max(1, this.inputPixels);
  }

  /** Multiply-adds per input pixel not spent compared with running every stage everywhere. */
  skippedPerInputPixel(): number {
    return this.skipped / Math.max(1, this.inputPixels);
  }
}

export interface BenchmarkResult {
  latency: LatencyStats;
  /** Staged models: statistics of the timed passes. */
  stages?: StageAccumulator;
}

/**
 * Times `model.forward` (evaluation mode, the scores read back) on `inputs` in turn: `warmup`
 * untimed passes, then `iterations` timed ones.
 */
export async function benchmark(model: Segmentor, inputs: readonly Tensor4D[], o: { warmup: number; iterations: number; onIteration?: (i: number) => void }): Promise<BenchmarkResult> {
  if (inputs.length === 0) throw new Error('benchmark: no inputs');
  const stages = new StageAccumulator();
  let call = 0;
  const latency = await measure(
    () => {
      const x = inputs[call++ % inputs.length] as Tensor4D;
      let stats: StageStats | undefined;
      // Return the tensor from tidy and read it outside: tidy would walk a returned typed array.
      const out = tf.tidy(() => {
        const r = model.forward(x);
        stats = r.stats;
        return r.out;
      });
      out.dataSync();
      out.dispose();
      if (stats) stages.add(stats, x.shape[0] * x.shape[1] * x.shape[2]);
    },
    { warmup: o.warmup, iterations: o.iterations, ...(o.onIteration ? { onIteration: o.onIteration } : {}) },
  );
  return { latency, ...(stages.empty ? {} : { stages }) };
}

/**
 * Normalised inputs `[batch, H, W, 3]` for {@link benchmark}: up to `count` batches of the
 * source's images resized to `[H, W]` (a cascade's cost depends on the content), or one batch of
 * uniform noise without a source.
 */
export async function benchmarkInputs(model: Segmentor, size: [number, number], batch: number, source?: SampleSource, count = 8): Promise<Tensor4D[]> {
  const [h, w] = size;
  if (!source) return [tf.tidy(() => model.normalize(tf.randomUniform([batch, h, w, 3], 0, 255) as Tensor4D))];
  const out: Tensor4D[] = [];
  let next = 0;
  for (let b = 0; b < Math.max(1, count); b++) {
    const flat = new Uint8Array(batch * w * h * 3);
    for (let k = 0; k < batch; k++) {
      const s = await source.read(next++ % source.names.length);
      flat.set(s.image.width === w && s.image.height === h ? s.image.data : resizeBilinear(s.image, w, h).data, k * w * h * 3);
    }
    out.push(tf.tidy(() => model.normalize(tf.tensor4d(flat, [batch, h, w, 3], 'int32'))));
    if (next >= source.names.length && b + 1 >= Math.ceil(source.names.length / batch)) break;
  }
  return out;
}
