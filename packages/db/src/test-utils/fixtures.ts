import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunInput } from '../input.js';

/** A small file that passes as a PNG artifact (the store checks the signature only), outside any artifact root. */
export const SAMPLE_PNG = join(mkdtempSync(join(tmpdir(), 'pixelwise-db-sample-')), 'stage-0.png');
export const SAMPLE_PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2040, 7)]);
writeFileSync(SAMPLE_PNG, SAMPLE_PNG_BYTES);

/** A fully populated eval+bench style run; numbers chosen so that equality can fail. */
export function sampleRun(over: Partial<RunInput> = {}): RunInput {
  return {
    kind: 'eval',
    model: { name: 'pspnet-r18', family: 'pspnet', config: { outputStride: 8, backbone: 'resnet18', bins: [1, 2, 3, 6] }, params: 12_345_678, multiplyAdds: 9_876_543_210 },
    dataset: { name: 'synth-city', kind: 'images', classNames: ['road', 'car', 'sky'] },
    backend: 'wasm',
    device: 'AMD EPYC, 2 cores',
    inputSize: { width: 128, height: 96 },
    batch: 2,
    warmup: 3,
    iterations: 20,
    git: { commit: 'a'.repeat(40), branch: 'main', dirty: false },
    command: 'pixelwise eval --pred p --gt g --num-classes 3',
    tags: ['ci', 'nightly'],
    metrics: {
      pixelAccuracy: 0.9123456789012345,
      meanAccuracy: 0.8,
      meanIoU: 0.7234567890123456,
      frequencyWeightedIoU: 0.85,
      numPixels: 123456,
      fps: null,
      extra: { loss: 0.25 },
    },
    perClass: [
      { id: 0, name: 'road', iou: 0.9, accuracy: 0.95, gtPixels: 100000, predPixels: 99000 },
      { id: 1, name: 'car', iou: 0.5469135780246912, accuracy: 0.6, gtPixels: 23456, predPixels: 24000 },
      { id: 2, name: 'sky', iou: null, accuracy: null, gtPixels: 0, predPixels: 0 },
    ],
    latency: { iterations: 20, warmup: 3, mean: 25, std: 2, min: 21, max: 33, p50: 24.5, p90: 28, p99: 32.5, fps: 40 },
    stages: [
      { stage: 0, name: 'easy', pixelFraction: 1, multiplyAdds: 1_000_000 },
      { stage: 1, name: 'hard', pixelFraction: 0.25, multiplyAdds: 250_000, latencyMs: 3.5 },
    ],
    artifacts: [{ kind: 'stage-map', path: SAMPLE_PNG }],
    confusion: { numClasses: 3, counts: [90000, 5000, 5000, 9000, 14456, 0, 0, 0, 2 ** 40 + 3] },
    ...over,
  };
}

export function tempDir(prefix = 'pixelwise-db-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
