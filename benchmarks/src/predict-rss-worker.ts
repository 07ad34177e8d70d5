/**
 * The worker of the predict-rss benchmark: `pixelwise predict`'s loop (decode a PNG, run the
 * engine, encode the label PNG) over `count` different images of one size, RSS sampled every 25.
 * Usage: node dist/predict-rss-worker.js ENGINE MODEL H W COUNT THREADS. Prints one JSON object.
 */
import { setBackend } from '@pixelwise/core';
import { decodeRgbPng, encodeLabelPng, encodePng } from '@pixelwise/core/io';
import { createModel, hashedUniform, resolveModelOptions } from '@pixelwise/models';
import { chooseEngine, segmenterFor } from '@pixelwise/models/node';

const [engine = 'onnx', name = '', hs = '512', ws = '512', counts = '200', threads = '2'] = process.argv.slice(2);
const [h, w, count] = [Number(hs), Number(ws), Number(counts)];
await setBackend('wasm');
const choice = await chooseEngine(engine === 'onnx' ? { engine: 'onnx', threads: Number(threads) } : { engine: 'tfjs' });
const options = resolveModelOptions(name, { numClasses: 21 });
const model = createModel(name, options);
const segmenter = segmenterFor(choice, { model, name, options });
// Eight different PNGs, cycled: decoding and encoding are part of each prediction.
const pngs = Array.from({ length: 8 }, (_, k) => encodePng({ width: w, height: h, channels: 3, depth: 8, data: Uint8Array.from(hashedUniform(`predict-rss-${k}`, h * w * 3), (u) => Math.floor(u * 256)) }));
const rss: Array<[number, number]> = [];
const t0 = performance.now();
for (let i = 1; i <= count; i++) {
  const img = decodeRgbPng(pngs[i % pngs.length] as Uint8Array);
  const { labels } = await segmenter.run({ data: img.data, shape: [1, img.height, img.width] });
  encodeLabelPng({ width: img.width, height: img.height, data: Uint8Array.from(labels) });
  if (i === 1 || i % 25 === 0) rss.push([i, process.memoryUsage().rss / 2 ** 20]);
}
const seconds = (performance.now() - t0) / 1000;
await segmenter.dispose();
model.dispose();
process.stdout.write(`${JSON.stringify({ engine, backend: segmenter.info.backend, threads: segmenter.info.threads, rssMiB: rss, imagesPerSecond: count / seconds })}\n`);
