/**
 * `pnpm bench --only predict-rss`: 200 consecutive predictions in one process, as `pixelwise
 * predict` makes them (PNG decode, the engine's pass, label PNG encode), on each engine: the
 * resident set after every 25 images (flat once the first session and its arena exist) and the
 * end-to-end images per second. One process per engine, so each RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { os, type BenchReport } from './report.js';

export interface PredictRssOptions {
  model: string;
  size: [number, number];
  images: number;
  threads: number;
}

interface Result {
  engine: string;
  backend: string;
  threads: number;
  /** RSS in MiB after image 1, 25, 50, ... */
  rssMiB: Array<[number, number]>;
  imagesPerSecond: number;
}

export async function benchPredictRss(o: PredictRssOptions): Promise<BenchReport> {
  const worker = fileURLToPath(new URL('./predict-rss-worker.js', import.meta.url));
  const results: Result[] = [];
  for (const engine of ['onnx', 'tfjs']) {
    process.stderr.write(`predict-rss: ${o.model} on ${engine}, ${o.images} images...\n`);
    const r = spawnSync(process.execPath, [worker, engine, o.model, String(o.size[0]), String(o.size[1]), String(o.images), String(o.threads)], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`predict-rss worker (${engine}) failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    results.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Result);
  }
  const [h, w] = o.size;
  const marks = results[0]?.rssMiB.map(([i]) => i) ?? [];
  const md = [
    `${o.images} consecutive predictions of ${o.model} at ${w}x${h} in one process (PNG decode, inference, label PNG encode); RSS in MiB after image n:`,
    '',
    `| engine | threads | ${marks.map((m) => `n=${m}`).join(' | ')} | growth n=25..${o.images} | images/s |`,
    `| --- | ---: | ${marks.map(() => '---:').join(' | ')} | ---: | ---: |`,
    ...results.map((r) => {
      const at = (n: number) => r.rssMiB.find(([i]) => i === n)?.[1] ?? NaN;
      return `| ${r.backend} | ${r.threads} | ${r.rssMiB.map(([, v]) => v.toFixed(0)).join(' | ')} | ${(at(o.images) - at(25)).toFixed(1)} | ${r.imagesPerSecond.toFixed(2)} |`;
    }),
  ].join('\n');
  return { name: 'predict-rss', config: { ...o }, backend: results.map((r) => r.backend).join(' / '), machine: os(), results, markdown: md };
}
