/**
 * regionConv2d against dense convolution (issue: cost must follow the mask).
 * 64-channel 128x128 input, 3x3 filter, masks of 5/25/50/100% density, wasm backend.
 * Measurements are interleaved (dense, then each density, per round) so machine noise hits all
 * alike; the ratio of medians is what to read.
 */
import { regionConv2d, setBackend, tf, type Tensor4D } from '@pixelwise/core';
import { summarizeLatencies, type LatencyStats } from '@pixelwise/eval';
import { os, type BenchReport } from './report.js';

export interface RegionConvOptions {
  backend: 'wasm' | 'cpu' | 'auto';
  size: number;
  channels: number;
  warmup: number;
  iterations: number;
  densities: number[];
}

function mask(size: number, density: number, seed: number): Tensor4D {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  const m = new Float32Array(size * size);
  for (let i = 0; i < m.length; i++) m[i] = r() < density ? 1 : 0;
  return tf.tensor4d(m, [1, size, size, 1]);
}

export async function benchRegionConv(o: RegionConvOptions): Promise<BenchReport> {
  const choice = await setBackend(o.backend);
  const x = tf.randomNormal([1, o.size, o.size, o.channels]) as Tensor4D;
  const f = tf.randomNormal([3, 3, o.channels, o.channels]) as Tensor4D;
  const masks = o.densities.map((d, i) => mask(o.size, d, 17 + i));
  const time = (fn: () => tf.Tensor): number => {
    const t0 = performance.now();
    const y = fn();
    y.dataSync();
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  };
  const dense = () => tf.conv2d(x, f, 1, 'same');
  const region = (m: Tensor4D) => () => regionConv2d(x, f, m);
  for (let i = 0; i < o.warmup; i++) {
    time(dense);
    masks.forEach((m) => time(region(m)));
  }
  const denseMs: number[] = [];
  const regionMs: number[][] = masks.map(() => []);
  for (let i = 0; i < o.iterations; i++) {
    denseMs.push(time(dense));
    masks.forEach((m, j) => regionMs[j]?.push(time(region(m))));
    process.stderr.write(`\rregion-conv: round ${i + 1}/${o.iterations}`);
  }
  process.stderr.write('\n');
  const denseStats = summarizeLatencies(denseMs, o.warmup);
  const rows = o.densities.map((d, j) => {
    const st: LatencyStats = summarizeLatencies(regionMs[j] ?? [], o.warmup);
    return { density: d, region: st, ratio: st.p50 / denseStats.p50 };
  });
  tf.dispose([x, f, ...masks]);
  const flops = 2 * o.size * o.size * 9 * o.channels * o.channels;
  const md = [
    `| mask density | region p50 ms | region p90 ms | dense p50 ms | region / dense (p50) |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${(r.density * 100).toFixed(0)}% | ${r.region.p50.toFixed(2)} | ${r.region.p90.toFixed(2)} | ${denseStats.p50.toFixed(2)} | ${r.ratio.toFixed(3)} |`),
    '',
    `Dense convolution: ${(flops / (denseStats.p50 * 1e6)).toFixed(1)} GFLOP/s at p50.`,
  ].join('\n');
  return {
    name: 'region-conv',
    config: { ...o, input: [1, o.size, o.size, o.channels], filter: [3, 3, o.channels, o.channels] },
    backend: choice.backend,
    machine: os(),
    results: { dense: denseStats, regions: rows },
    markdown: md,
  };
}
