/**
 * Child process of the db-load benchmark: saves N realistic runs (19 per-class rows, latency,
 * two stages, a 19x19 confusion matrix) into DATABASE_URL through `saveRun`, one transaction each,
 * and prints their ids as JSON. Usage: node dist/db-saver.js N WORKER
 */
import { openDatabase, saveRun } from '@pixelwise/db';

const n = Number(process.argv[2] ?? 50);
const worker = Number(process.argv[3] ?? 0);
const classes = Array.from({ length: 19 }, (_, i) => `class-${i}`);
const db = await openDatabase();
const ids: number[] = [];
for (let i = 0; i < n; i++) {
  const m = (worker * 7 + i) % 20;
  const mean = 20 + m + (i % 5);
  const { id } = await saveRun(db, {
    kind: i % 2 ? 'bench' : 'eval',
    model: { name: `model-${m}`, family: 'pspnet', config: { variant: m }, params: 1e6 * (m + 1), multiplyAdds: 1e9 * (m + 1) },
    dataset: { name: 'load-test', kind: 'images', classNames: classes },
    backend: 'wasm',
    device: 'load test',
    inputSize: { width: 512, height: 256 },
    batch: 1,
    git: null,
    tags: [`worker-${worker}`],
    metrics: { meanIoU: 0.5 + ((worker * 31 + i) % 400) / 1000, pixelAccuracy: 0.9 },
    perClass: classes.map((name, id) => ({ id, name, iou: ((id + i) % 10) / 10, accuracy: 0.5, gtPixels: 1000 + id, predPixels: 990 + id })),
    latency: { iterations: 20, warmup: 3, mean, std: 1, min: mean - 2, max: mean + 5, p50: mean, p90: mean + 1, p99: mean + 4, fps: 1000 / mean },
    stages: [
      { stage: 0, pixelFraction: 1, multiplyAdds: 1e9 },
      { stage: 1, pixelFraction: 0.3, multiplyAdds: 3e8 },
    ],
    confusion: { numClasses: 19, counts: Array.from({ length: 361 }, (_, k) => (k % 20 === 0 ? 5000 : k % 7)) },
  });
  ids.push(id);
}
await db.close();
process.stdout.write(JSON.stringify(ids));
