/**
 * Dense CRF speed (issue 19): seconds per image for mean-field inference at `iterations`
 * iterations with the default (DeepLab) parameters, on synthetic scenes of growing square size
 * with noisy scores for `numClasses` classes, split into building the kernels (lattices and
 * normalisation) and the iterations; then the worker-thread pool's throughput on several
 * images against the same images one after another. Single-threaded TypeScript, no TF.js.
 */
import { DEFAULT_CRF_PARAMS, DenseCrf, PermutohedralLattice, bilateralFeatures, positionFeatures, softmaxClasses, unaryFromProbabilities } from '@pixelwise/core/crf';
import { CrfWorkerPool } from '@pixelwise/core/node';
import { summarizeLatencies, type LatencyStats } from '@pixelwise/eval';
import { generateScene } from '@pixelwise/models/data';
import { os, type BenchReport } from './report.js';

export interface CrfBenchOptions {
  /** Square image sizes in pixels. */
  sizes: number[];
  numClasses: number;
  /** Mean-field iterations per image. */
  iterations: number;
  /** Timed runs per size (after one untimed). */
  rounds: number;
  /** Pool throughput: this many images of `poolSize`, on `workers` threads. */
  poolImages: number;
  poolSize: number;
  workers: number;
}

interface Image {
  width: number;
  height: number;
  numClasses: number;
  image: Uint8Array;
  unary: Float32Array;
}

/** A synthetic scene and scores favouring its labels by 1 with N(0, 1.2) noise. */
function sceneImage(size: number, numClasses: number, seed: number): Image {
  const scene = generateScene({ width: size, height: size, classes: Math.min(numClasses, 8), seed });
  const n = size * size;
  const logits = new Float32Array(numClasses * n);
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < numClasses; k++) logits[k * n + i] = (scene.labels[i] === k ? 1 : 0) + 1.2 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return { width: size, height: size, numClasses, image: scene.image, unary: unaryFromProbabilities(softmaxClasses(logits, numClasses)) };
}

export async function benchCrf(o: CrfBenchOptions): Promise<BenchReport> {
  const params = { ...DEFAULT_CRF_PARAMS, iterations: o.iterations };
  const rows: Array<{ size: number; vertices: { gaussian: number; bilateral: number }; build: LatencyStats; inference: LatencyStats; total: LatencyStats }> = [];
  for (const size of o.sizes) {
    const img = sceneImage(size, o.numClasses, size);
    const n = size * size;
    const vertices = {
      gaussian: new PermutohedralLattice(positionFeatures(size, size, params.gaussian.xy), n, 2, 1).vertices,
      bilateral: new PermutohedralLattice(bilateralFeatures(size, size, img.image, params.bilateral.xy, params.bilateral.rgb), n, 5, 1).vertices,
    };
    const build: number[] = [];
    const inference: number[] = [];
    for (let r = 0; r <= o.rounds; r++) {
      const t0 = performance.now();
      const crf = new DenseCrf(img, params);
      const t1 = performance.now();
      crf.inference(img.unary);
      const t2 = performance.now();
      // The first run is untimed (JIT warm-up).
      if (r > 0) {
        build.push(t1 - t0);
        inference.push(t2 - t1);
      }
      process.stderr.write(`\rcrf: ${size}x${size} run ${r + 1}/${o.rounds + 1}`);
    }
    process.stderr.write('\n');
    const total = build.map((b, i) => b + (inference[i] as number));
    rows.push({ size, vertices, build: summarizeLatencies(build, 1), inference: summarizeLatencies(inference, 1), total: summarizeLatencies(total, 1) });
  }

  const images = Array.from({ length: o.poolImages }, (_, i) => sceneImage(o.poolSize, o.numClasses, 100 + i));
  const t0 = performance.now();
  for (const img of images) new DenseCrf(img, params).inference(img.unary);
  const serialS = (performance.now() - t0) / 1000;
  const pool = new CrfWorkerPool({ workers: o.workers, crf: params });
  let poolS: number;
  try {
    // One untimed image per worker first: starting a thread and compiling the CRF in it is a
    // one-off cost of a pool that then serves many images (it made the first run read 0.82x).
    await Promise.all(images.slice(0, o.workers).map((img) => pool.marginals(img)));
    const t1 = performance.now();
    await Promise.all(images.map((img) => pool.marginals(img)));
    poolS = (performance.now() - t1) / 1000;
  } finally {
    await pool.close();
  }

  const s = (ms: number) => (ms / 1000).toFixed(2);
  const md = [
    `| size | lattice vertices (Gaussian / bilateral) | build s (p50) | ${o.iterations} iterations s (p50) | total s per image (p50) | total p90 | ns per pixel-class-iteration |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.size}x${r.size} | ${r.vertices.gaussian} / ${r.vertices.bilateral} | ${s(r.build.p50)} | ${s(r.inference.p50)} | ${s(r.total.p50)} | ${s(r.total.p90)} | ${((r.inference.p50 * 1e6) / (r.size * r.size * o.numClasses * o.iterations)).toFixed(1)} |`,
    ),
    '',
    `Pool: ${o.poolImages} images of ${o.poolSize}x${o.poolSize}, one after another ${serialS.toFixed(2)} s, on ${o.workers} warm worker threads ${poolS.toFixed(2)} s (${(serialS / poolS).toFixed(2)}x).`,
  ].join('\n');
  return {
    name: 'crf',
    config: { ...o, params },
    backend: 'none (plain TypeScript)',
    machine: os(),
    results: { sizes: rows, pool: { images: o.poolImages, size: o.poolSize, workers: o.workers, serialS, poolS } },
    markdown: md,
  };
}
