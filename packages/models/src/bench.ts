/**
 * Benchmarking a segmenter on any engine: latency percentiles of its forward pass (read-back
 * included) over given inputs, and — for staged models — what the passes measured (stage fractions, multiply-adds
 * spent), pooled over many forwards. `pixelwise bench` is this plus printing.
 */
import { tf } from '@pixelwise/core';
import { measure, type LatencyStats } from '@pixelwise/eval';
import { resizeBilinear } from './data/augment.js';
import type { ImageSegmenter, RgbBatch } from './engine/segmenter.js';
import type { StageStats } from './segmentors/segmentor.js';
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
 * Times `segmenter.run` (evaluation mode, uint8 RGB in, the labels read back; the scores are
 * computed for the argmax but not copied out) on `batches` in turn: `warmup` untimed passes, then
 * `iterations` timed ones. The same measurement on every engine: TensorFlow.js includes the upload
 * and normalisation, ONNX Runtime has them in its graph.
 */
export async function benchmark(segmenter: ImageSegmenter, batches: readonly RgbBatch[], o: { warmup: number; iterations: number; onIteration?: (i: number) => void }): Promise<BenchmarkResult> {
  if (batches.length === 0) throw new Error('benchmark: no inputs');
  const stages = new StageAccumulator();
  let call = 0;
  const latency = await measure(
    async () => {
      const b = batches[call++ % batches.length] as RgbBatch;
      const { stats } = await segmenter.run(b);
      if (stats) stages.add(stats, b.shape[0] * b.shape[1] * b.shape[2]);
    },
    { warmup: o.warmup, iterations: o.iterations, ...(o.onIteration ? { onIteration: o.onIteration } : {}) },
  );
  return { latency, ...(stages.empty ? {} : { stages }) };
}

/**
 * uint8 RGB batches `[batch, H, W, 3]` for {@link benchmark}: up to `count` batches of the
 * source's images resized to `[H, W]` (a cascade's cost depends on the content), or one batch of
 * seeded noise without a source.
 */
export async function benchmarkInputs(size: [number, number], batch: number, source?: SampleSource, count = 8): Promise<RgbBatch[]> {
  const [h, w] = size;
  const shape = [batch, h, w] as const;
  if (!source) return [{ data: Uint8Array.from(tf.tidy(() => tf.randomUniform([batch * h * w * 3], 0, 256, 'int32', 1).dataSync())), shape }];
  const out: RgbBatch[] = [];
  let next = 0;
  for (let b = 0; b < Math.max(1, count); b++) {
    const flat = new Uint8Array(batch * w * h * 3);
    for (let k = 0; k < batch; k++) {
      const s = await source.read(next++ % source.names.length);
      flat.set(s.image.width === w && s.image.height === h ? s.image.data : resizeBilinear(s.image, w, h).data, k * w * h * 3);
    }
    out.push({ data: flat, shape });
    if (next >= source.names.length && b + 1 >= Math.ceil(source.names.length / batch)) break;
  }
  return out;
}
