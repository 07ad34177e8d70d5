/**
 * Loading weights: PyTorch checkpoints against the same state dict as safetensors. For each
 * `DIR/NAME.pth` (as `scripts/make_torchvision_fixtures.py --pth DIR` writes them, torchvision's
 * three models with hash-generated weights, in the format torchvision published them in), times
 * the file-format decode alone (`readTorchCheckpoint`, `readSafetensors`: bytes to contiguous
 * typed arrays) and the whole way to TensorFlow.js tensors (`readWeights`, which picks the reader
 * by magic bytes), interleaved per round. Files are read into memory first: disk time is not
 * counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@pixelwise/core';
import { readSafetensors, readTorchCheckpoint, torchToSafetensors } from '@pixelwise/core/io';
import { summarizeLatencies } from '@pixelwise/eval';
import { readWeights } from '@pixelwise/models';
import { os, type BenchReport } from './report.js';

export interface WeightsLoadOptions {
  /** Directory of NAME.pth files. */
  dir: string;
  warmup: number;
  iterations: number;
}

export async function benchWeightsLoad(o: WeightsLoadOptions): Promise<BenchReport> {
  const choice = await setBackend('wasm');
  const files = readdirSync(o.dir).filter((f) => f.endsWith('.pth')).sort();
  if (files.length === 0) throw new Error(`weights-load: no .pth files in ${o.dir} (write them with scripts/make_torchvision_fixtures.py --pth ${o.dir})`);
  const rows = files.map((file) => {
    const pth = new Uint8Array(readFileSync(join(o.dir, file)));
    const st = torchToSafetensors(pth, file).bytes;
    const ckpt = readTorchCheckpoint(pth, file);
    const time = (fn: () => void): number => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    };
    const runs = { pthDecode: [] as number[], stDecode: [] as number[], pthTensors: [] as number[], stTensors: [] as number[] };
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      runs.pthDecode.push(time(() => readTorchCheckpoint(pth, file)));
      runs.stDecode.push(time(() => readSafetensors(st, file)));
      runs.pthTensors.push(time(() => readWeights(pth, file).tensors.forEach((t) => t.dispose())));
      runs.stTensors.push(time(() => readWeights(st, file).tensors.forEach((t) => t.dispose())));
      process.stderr.write(`\rweights-load: ${file} round ${i + 1}/${o.warmup + o.iterations}`);
    }
    process.stderr.write('\n');
    const p50 = (ms: number[]) => summarizeLatencies(ms.slice(o.warmup), 0).p50;
    return {
      file,
      format: ckpt.format,
      tensors: ckpt.tensors.size,
      pthMB: pth.length / 1e6,
      safetensorsMB: st.length / 1e6,
      pthDecodeMs: p50(runs.pthDecode),
      safetensorsDecodeMs: p50(runs.stDecode),
      pthToTensorsMs: p50(runs.pthTensors),
      safetensorsToTensorsMs: p50(runs.stTensors),
    };
  });
  const md = [
    '| file | format | tensors | .pth MB | .safetensors MB | decode .pth p50 ms | decode .safetensors p50 ms | to tf tensors .pth p50 ms | to tf tensors .safetensors p50 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.file} | ${r.format} | ${r.tensors} | ${r.pthMB.toFixed(1)} | ${r.safetensorsMB.toFixed(1)} | ${r.pthDecodeMs.toFixed(0)} | ${r.safetensorsDecodeMs.toFixed(0)} | ${r.pthToTensorsMs.toFixed(0)} | ${r.safetensorsToTensorsMs.toFixed(0)} |`,
    ),
  ].join('\n');
  return { name: 'weights-load', config: { ...o }, backend: choice.backend, machine: os(), results: rows, markdown: md };
}
