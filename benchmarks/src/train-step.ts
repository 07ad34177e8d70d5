/**
 * `pnpm bench --only train-step`: where a training step's time goes, and how it compares with
 * PyTorch. For each model: the wall time of a step (forward, backward, optimizer) through the one
 * training loop with 1 and 2 threads (data-parallel workers), and the top kernels of one step on
 * one thread (TensorFlow.js's profiler); for fcn_resnet50 (with its auxiliary head) also PyTorch
 * CPU (Debian's python3-torch) at the same batch, size and thread count, as ratios measured in the
 * same run (rounds interleaved).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend, tf } from '@pixelwise/core';
import { sampleRng } from '@pixelwise/models';
import { runTraining, segmentationSetup, writeSynthDataset } from '@pixelwise/models/node';
import { median, os, type BenchReport } from './report.js';

interface Case {
  model: string;
  batch: number;
  size: number;
  /** Also time PyTorch on this model (torchvision builds it). */
  torch?: boolean;
}

export interface TrainStepOptions {
  cases: Case[];
  /** Optimizer steps per timing (after one untimed epoch of warm-up). */
  steps: number;
  rounds: number;
}

/** Milliseconds per optimizer step over `o.steps` steps, with `threads` threads. */
async function timeSteps(c: Case, data: string, threads: number, steps: number, out: string): Promise<number> {
  const setup = await segmentationSetup({ model: c.model, data, crop: [c.size, c.size], validate: false });
  try {
    const fit = { epochs: 2, batchSize: c.batch, lr: 0.01, optimizer: 'sgd' as const, seed: 1 };
    const r = await runTraining(setup, { out, threads, fit });
    // Epoch 1 warms up (kernels, worker start-up); epoch 2 is timed: `steps` steps of `batch` samples.
    return ((r.state.history[1]?.seconds ?? NaN) * 1000) / steps;
  } finally {
    setup.dispose();
  }
}

/** The top kernels of one step on this thread: name, total ms, share. */
async function profileStep(c: Case, data: string): Promise<Array<{ kernel: string; ms: number; share: number }>> {
  const setup = await segmentationSetup({ model: c.model, data, crop: [c.size, c.size], validate: false });
  try {
    const task = setup.task;
    const batch = await task.loadBatch(Array.from({ length: c.batch }, (_, i) => i), sampleRng(1, 0));
    const objective = task.objectives[0];
    if (!objective) throw new Error('no objective');
    const once = () => {
      const { value, grads } = tf.variableGrads(() => objective.loss(batch), objective.model.trainableVariables());
      tf.dispose([value, ...Object.values(grads)]);
    };
    once();
    const profile = await tf.profile(once);
    task.disposeBatch(batch);
    const by = new Map<string, number>();
    for (const k of profile.kernels) by.set(k.name, (by.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    return [...by].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([kernel, ms]) => ({ kernel, ms, share: ms / total }));
  } finally {
    setup.dispose();
  }
}

function torchStep(c: Case, threads: number, steps: number): number {
  const py = fileURLToPath(new URL('../src/train_step_torch.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [py, c.model, String(c.batch), String(c.size), String(threads), String(steps)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`train_step_torch.py: ${r.stderr.trim().split('\n').pop() ?? r.status}`);
  return (JSON.parse(r.stdout) as { p50: number }).p50;
}

export async function benchTrainStep(o: TrainStepOptions): Promise<BenchReport> {
  await setBackend('wasm');
  const dir = mkdtempSync(join(tmpdir(), 'pixelwise-train-step-'));
  const rows: string[] = [];
  const results: unknown[] = [];
  try {
    for (const c of o.cases) {
      const data = join(dir, `${c.model}-${c.size}`);
      await writeSynthDataset({ out: data, count: c.batch * o.steps, width: c.size, height: c.size, classes: 8, seed: 1, split: { val: 0 } });
      const ms: Record<string, number[]> = { one: [], two: [], torch1: [], torch2: [] };
      for (let r = 0; r < o.rounds; r++) {
        ms.one?.push(await timeSteps(c, data, 1, o.steps, join(dir, 'ck.safetensors')));
        ms.two?.push(await timeSteps(c, data, 2, o.steps, join(dir, 'ck.safetensors')));
        if (c.torch) {
          ms.torch1?.push(torchStep(c, 1, o.steps));
          ms.torch2?.push(torchStep(c, 2, o.steps));
        }
      }
      const [one, two, t1, t2] = [median(ms.one ?? []), median(ms.two ?? []), median(ms.torch1 ?? []), median(ms.torch2 ?? [])];
      const top = await profileStep(c, data);
      results.push({ ...c, msPerStep: { oneThread: one, twoThreads: two, torch1: t1, torch2: t2 }, top });
      const vs = c.torch ? ` | ${t1.toFixed(0)} / ${t2.toFixed(0)} | ${(one / t1).toFixed(1)}x / ${(two / t2).toFixed(1)}x` : ' | - | -';
      rows.push(`| ${c.model} | ${c.batch} | ${c.size}x${c.size} | ${one.toFixed(0)} | ${two.toFixed(0)} | ${(one / two).toFixed(2)}x${vs} | ${top.slice(0, 3).map((k) => `${k.kernel} ${(k.share * 100).toFixed(0)}%`).join(', ')} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const markdown = [
    '| model | batch | size | ms/step 1 thread | ms/step 2 threads | speed-up | PyTorch ms 1 / 2 threads | pixelwise / PyTorch (1, 2 threads) | top kernels (1 thread) |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
  return { name: 'train-step', config: o as unknown as Record<string, unknown>, backend: 'wasm', machine: os(), results, markdown };
}
