/**
 * The model zoo at one input size: parameters, convolution multiply-adds and wasm latency of one
 * forward pass (batch 1). -lite models: 1 warm-up + N timed runs; full-size models (seconds per
 * pass on one wasm thread): a single timed run. A model that cannot
 * be built or run here (e.g. out of wasm memory) is reported as such, not skipped silently.
 */
import { setBackend, tf, type Tensor4D } from '@pixelwise/core';
import { summarizeLatencies } from '@pixelwise/eval';
import { createModel, MODELS, modelComplexity } from '@pixelwise/models';
import { os, type BenchReport } from './report.js';

export interface ModelsBenchOptions {
  size: [number, number];
  /** Timed iterations for -lite models (full-size: 2). */
  iterations: number;
  /** Only these models (default: all). */
  names?: string[];
}

interface Row {
  name: string;
  family: string;
  params: number;
  gmacs: number;
  p50?: number;
  p90?: number;
  iterations?: number;
  error?: string;
}

export async function benchModels(o: ModelsBenchOptions): Promise<BenchReport> {
  const choice = await setBackend('wasm');
  const names = o.names ?? Object.keys(MODELS);
  const rows: Row[] = [];
  for (const name of names) {
    const e = MODELS[name];
    if (!e) throw new Error(`unknown model ${name}`);
    const c = modelComplexity(name, {}, o.size);
    const row: Row = { name, family: e.family, params: c.params, gmacs: c.macs / 1e9 };
    // Full-size models take seconds per pass on one CPU thread: one untimed-warm-up-free run.
    const full = e.width >= 1;
    const iterations = full ? 1 : o.iterations;
    process.stderr.write(`models: ${name} (${row.gmacs.toFixed(1)} GMACs)...\n`);
    try {
      const model = createModel(name);
      const x = tf.randomUniform([1, o.size[0], o.size[1], 3]) as Tensor4D;
      const once = () => {
        const t0 = performance.now();
        // Return the tensor from tidy, not its data: tidy walks every element of what it returns.
        const out = tf.tidy(() => model.forward(x).out);
        out.dataSync();
        out.dispose();
        return performance.now() - t0;
      };
      if (!full) once();
      const samples = Array.from({ length: iterations }, once);
      const st = summarizeLatencies(samples, full ? 0 : 1);
      Object.assign(row, { p50: st.p50, p90: st.p90, iterations });
      x.dispose();
      model.dispose();
    } catch (err) {
      row.error = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 120);
    }
    rows.push(row);
  }
  const md = [
    `| model | family | params (M) | GMACs @${o.size[1]}x${o.size[0]} | wasm p50 ms | wasm p90 ms | timed runs |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) =>
      r.error
        ? `| ${r.name} | ${r.family} | ${(r.params / 1e6).toFixed(2)} | ${r.gmacs.toFixed(2)} | not run: ${r.error} | | |`
        : `| ${r.name} | ${r.family} | ${(r.params / 1e6).toFixed(2)} | ${r.gmacs.toFixed(2)} | ${r.p50?.toFixed(0)} | ${r.p90?.toFixed(0)} | ${r.iterations} |`,
    ),
  ].join('\n');
  return { name: 'models', config: { size: o.size, liteIterations: o.iterations, liteWarmup: 1, fullIterations: 1, fullWarmup: 0, batch: 1 }, backend: choice.backend, machine: os(), results: rows, markdown: md };
}
