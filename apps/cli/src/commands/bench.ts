/**
 * `pixelwise bench --model NAME [--weights CKPT] [--size WxH] [--batch N] [--backend B]
 * [--iters N] [--warmup N] [--data DIR] [--json] [--save]`: latency percentiles and FPS of one
 * forward pass, parameters and multiply-adds, and with `--data` the mIoU on that data's val split.
 */
import { cpus } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeChoice, setBackend, tf, type BackendName, type Tensor4D } from '@pixelwise/core';
import { measure, type LatencyStats } from '@pixelwise/eval';
import { createModel, evaluate, isModelName, loadWeights, MODELS, modelComplexity, modelNames } from '@pixelwise/models';
import { openDataset, readCheckpointInfo, type SegmentationDataset } from '@pixelwise/models/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { addSaveOptions, intFlag, modelFlag, parseFlags, saveFlags, sizeFlag } from '../options.js';
import { createProgress } from '../progress.js';

const schema = z.object({
  model: modelFlag(isModelName, modelNames),
  weights: z.string().optional(),
  size: sizeFlag('--size', 16),
  batch: intFlag('--batch', 1, 256),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  iters: intFlag('--iters', 1, 100000),
  warmup: intFlag('--warmup', 0, 1000),
  data: z.string().optional(),
  json: z.boolean().optional(),
  ...saveFlags,
});

export interface BenchResult {
  model: string;
  backend: string;
  device: string;
  size: [number, number];
  batch: number;
  params: number;
  gmacs: number;
  fps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number };
  warmup: number;
  iterations: number;
  meanIoU?: number;
  runId?: number | string;
}

export async function benchCommand(raw: Record<string, unknown>): Promise<BenchResult> {
  const o = parseFlags(schema, raw);
  if (o.weights !== undefined && !existsSync(o.weights)) throw new CliError(`--weights: ${o.weights} does not exist`);
  const info = o.weights ? await readCheckpointInfo(o.weights) : undefined;
  let val: SegmentationDataset | undefined;
  if (o.data !== undefined) {
    try {
      val = await openDataset(o.data, 'val');
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  const numClasses = info?.numClasses ?? val?.classes.length ?? 21;
  const choice = await setBackend(o.backend as BackendName);
  process.stderr.write(`bench: ${describeChoice(choice)}\n`);
  const model = createModel(o.model, { numClasses });
  if (o.weights) {
    try {
      loadWeights(model, new Uint8Array(readFileSync(o.weights)), o.weights);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  const [w, h] = o.size;
  const complexity = modelComplexity(o.model, { numClasses }, [h, w]);
  const x = tf.randomUniform([o.batch, h, w, 3]) as Tensor4D;
  const bar = createProgress(o.iters, { label: `bench ${o.model}`, unit: 'runs' });
  const stats: LatencyStats = await measure(
    () => {
      // Return the tensor from tidy and read it outside: tidy would walk a returned typed array.
      const out = tf.tidy(() => model.forward(x).out);
      out.dataSync();
      out.dispose();
    },
    { warmup: o.warmup, iterations: o.iters, onIteration: (i) => bar.update(i + 1) },
  );
  bar.done();
  x.dispose();
  const res: BenchResult = {
    model: o.model,
    backend: choice.backend,
    device: `${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores)`,
    size: [w, h],
    batch: o.batch,
    params: complexity.params,
    gmacs: (complexity.macs * o.batch) / 1e9,
    fps: stats.fps * o.batch,
    latencyMs: { mean: stats.mean, p50: stats.p50, p90: stats.p90, p99: stats.p99 },
    warmup: o.warmup,
    iterations: o.iters,
  };
  if (val) {
    const m = await evaluate(model, val, numClasses, { ignoreIndex: val.ignoreIndex, names: val.classes.map((c) => c.name) });
    res.meanIoU = m.meanIoU;
  }
  model.dispose();
  if (o.save) {
    const { saveRun } = await import('@pixelwise/db');
    const { withDb } = await import('../db/open.js');
    res.runId = await withDb(async (db) => {
      const { id } = await saveRun(db, {
        kind: 'bench',
        model: { name: o.model, family: MODELS[o.model]?.family, params: complexity.params, multiplyAdds: complexity.macs },
        ...(o.data ? { dataset: { name: o.data, kind: 'images', classNames: val?.classes.map((c) => c.name) ?? [] } } : {}),
        backend: choice.backend,
        device: res.device,
        inputSize: { width: w, height: h },
        batch: o.batch,
        warmup: o.warmup,
        iterations: o.iters,
        command: `pixelwise bench --model ${o.model} --size ${w}x${h} --backend ${o.backend}`,
        tags: o.tag ?? [],
        metrics: { pixelAccuracy: null, meanAccuracy: null, meanIoU: res.meanIoU ?? null, frequencyWeightedIoU: null, vpq: null, vpqThings: null, vpqStuff: null, temporalConsistency: null, fps: res.fps },
        latency: stats,
      });
      return id;
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    process.stdout.write(
      `${o.model} on ${res.backend}, ${w}x${h} batch ${o.batch}: p50 ${res.latencyMs.p50.toFixed(1)} ms, p90 ${res.latencyMs.p90.toFixed(1)} ms, ${res.fps.toFixed(2)} FPS; ${(res.params / 1e6).toFixed(2)} M params, ${res.gmacs.toFixed(2)} GMACs${res.meanIoU !== undefined ? `; mIoU ${(res.meanIoU * 100).toFixed(2)}` : ''}\n`,
    );
    if (res.runId !== undefined) process.stdout.write(`saved run ${res.runId}\n`);
  }
  return res;
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('measure latency percentiles and FPS of a model (and mIoU with --data)')
    .requiredOption('--model <name>', 'registry name')
    .option('--weights <ckpt>', 'weights (.safetensors); default: random initialisation')
    .option('--size <WxH>', 'input size', '512x512')
    .option('--batch <n>', 'batch size', '1')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'))
    .option('--iters <n>', 'timed iterations', '20')
    .option('--warmup <n>', 'untimed iterations first', '3')
    .option('--data <dir>', 'also evaluate mIoU on this dataset\'s val split')
    .option('--json', 'print one JSON object')
    .action(async (raw: Record<string, unknown>) => {
      await benchCommand(raw);
    });
  addSaveOptions(cmd, 'the run');
}
