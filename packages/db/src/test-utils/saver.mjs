// Child process for concurrency and crash tests: saves N runs into DATABASE_URL using the built
// package, then prints the ids as JSON. Usage: node saver.mjs N TAG
import { openDatabase, saveRun } from '../../dist/index.js';

const n = Number(process.argv[2] ?? 1);
const tag = process.argv[3] ?? 'child';
const db = await openDatabase();
const ids = [];
for (let i = 0; i < n; i++) {
  const { id } = await saveRun(db, {
    kind: 'bench',
    model: { name: `model-${i % 5}`, family: 'fcn', config: { variant: i % 5 }, params: 1000 + i, multiplyAdds: 1e9 + i },
    dataset: { name: 'synth', kind: 'images', classNames: ['a', 'b'] },
    backend: 'wasm',
    device: 'test',
    git: null,
    tags: [tag],
    metrics: { meanIoU: (i % 100) / 100 },
    perClass: [{ id: 0, iou: 0.5, accuracy: 0.5, gtPixels: 10, predPixels: 10 }, { id: 1, iou: 0.25, accuracy: 0.5, gtPixels: 10, predPixels: 10 }],
    latency: { iterations: 10, warmup: 1, mean: 10 + (i % 7), std: 1, min: 9, max: 20, p50: 10, p90: 12, p99: 19, fps: 1000 / (10 + (i % 7)) },
  });
  ids.push(id);
}
await db.close();
process.stdout.write(JSON.stringify(ids));
