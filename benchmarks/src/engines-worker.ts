/**
 * One engine, one model, one thread count, in a process of its own (so its peak RSS is its own):
 * the pixelwise side of `pnpm bench --only engines`. The model gets the hash-generated weights by
 * state-dict key that the PyTorch side gives torchvision's (`hashedWeight`, see
 * scripts/make_torchvision_fixtures.py), the image comes from a .npy both sides read, and what is
 * timed is `ImageSegmenter.run`: uint8 RGB in, labels out (the scores computed for the argmax,
 * not copied out; `benchmark` in @pixelwise/models), after untimed warm-up passes (the first, which
 * also writes the scores for the parity check, creates the ONNX Runtime session).
 * Usage: node dist/engines-worker.js ENGINE MODEL THREADS IMAGE.npy WARMUP ITERS [SCORES_OUT.npy]
 * Prints one JSON object.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setBackend, tf } from '@pixelwise/core';
import { readNpy, writeNpy } from '@pixelwise/core/io';
import { benchmark, createModel, fromTorch, hashedWeight, torchShape, type RgbBatch } from '@pixelwise/models';
import { chooseEngine, segmenterFor } from '@pixelwise/models/node';

const [engineName = 'onnx', name = '', threads = '1', imagePath = '', warmup = '1', iters = '3', scoresOut] = process.argv.slice(2);
if (engineName !== 'onnx' && engineName !== 'tfjs') throw new Error(`engines-worker: engine must be onnx or tfjs, got '${engineName}'`);
const backend = await setBackend('wasm');
const engine = await chooseEngine(engineName === 'onnx' ? { engine: 'onnx', threads: Number(threads) } : { engine: 'tfjs' });
const model = createModel(name, { numClasses: 21 });
for (const [key, slot] of model.namedSlots()) {
  if (slot.variable.dtype !== 'float32') continue;
  tf.tidy(() => {
    const shape = torchShape(slot.shape, slot.layout);
    slot.variable.assign(fromTorch(tf.tensor(hashedWeight(key, shape), shape), slot.layout));
  });
}
const image = readNpy(new Uint8Array(readFileSync(imagePath)));
const [h = 0, w = 0] = image.shape;
const batch: RgbBatch = { data: image.data as Uint8Array, shape: [1, h, w] };
const segmenter = segmenterFor(engine, { model, name, options: { numClasses: 21 } });
const t0 = performance.now();
const first = await segmenter.run(batch, { scores: true });
const firstMs = performance.now() - t0;
if (scoresOut && first.scores) writeFileSync(scoresOut, writeNpy({ dtype: '<f4', shape: [model.numClasses, h, w], data: first.scores }));
const { latency } = await benchmark(segmenter, [batch], { warmup: Math.max(0, Number(warmup) - 1), iterations: Number(iters) });
await segmenter.dispose();
model.dispose();
process.stdout.write(
  `${JSON.stringify({
    engine: segmenter.info.engine,
    backend: segmenter.info.backend,
    model: name,
    threads: segmenter.info.threads,
    runtime: engineName === 'onnx' ? segmenter.info.runtime : `${segmenter.info.runtime} ${backend.backend}`,
    firstMs,
    p50: latency.p50,
    p90: latency.p90,
    mean: latency.mean,
    fps: latency.fps,
    iterations: latency.iterations,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
