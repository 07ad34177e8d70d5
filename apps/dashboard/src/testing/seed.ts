/**
 * Files a test database is seeded from: ground-truth and predicted label PNGs (for `pixelwise
 * eval --save`), and run files with real PNG artifacts (layer cascade) and a frame record (video)
 * for `pixelwise runs import`, as docs/ARTIFACTS.md describes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLabelPng, encodePng, vocPalette } from '@pixelwise/core/io';

export const SIZE = 32;
export const CLASS_NAMES = ['road', 'car', 'sky', 'boat']; // boat never occurs: NaN IoU

/** Ground truth: sky on top, road below, a car in the middle; column 0 is ignore (255). */
export function groundTruth(image: number, carShift = 0): Uint8Array {
  const d = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const cx = x - carShift;
      d[y * SIZE + x] = x === 0 ? 255 : y < 10 + image ? 2 : y >= 12 && y < 24 && cx >= 8 && cx < 22 ? 1 : 0;
    }
  }
  return d;
}

/** A prediction: the ground truth with the car shifted by `shift` pixels (ignore pixels predicted as road). */
export function prediction(image: number, shift: number): Uint8Array {
  return groundTruth(image, shift).map((v) => (v === 255 ? 0 : v));
}

function writeLabels(dir: string, maps: Uint8Array[]): string {
  mkdirSync(dir, { recursive: true });
  maps.forEach((data, i) => writeFileSync(join(dir, `img${i}.png`), encodeLabelPng({ width: SIZE, height: SIZE, data })));
  return dir;
}

/** `gt/`, `pred-a/` (car off by 4 px), `pred-b/` (off by 1 px) and `names.txt` under `root`. */
export function writeEvalData(root: string): { gt: string; predA: string; predB: string; names: string } {
  const gt = writeLabels(join(root, 'synth-city'), [0, 1].map((i) => groundTruth(i)));
  const predA = writeLabels(join(root, 'pred-a'), [0, 1].map((i) => prediction(i, 4)));
  const predB = writeLabels(join(root, 'pred-b'), [0, 1].map((i) => prediction(i, 1)));
  const names = join(root, 'names.txt');
  writeFileSync(names, `${CLASS_NAMES.join('\n')}\n`);
  return { gt, predA, predB, names };
}

const STAGE_RGB: Record<number, [number, number, number]> = { 1: [0x2c, 0xa0, 0x2c], 2: [0xff, 0x7f, 0x0e], 3: [0xd6, 0x27, 0x28] };

/**
 * A layer-cascade run file: image, prediction and stage-map PNGs, and stage rows whose pixel
 * fractions are counted from the stage map (stage 3 on the car's border, 2 near it, 1 elsewhere).
 */
export function writeCascadeRun(root: string): { file: string; fractions: number[] } {
  const dir = join(root, 'cascade');
  mkdirSync(dir, { recursive: true });
  const labels = prediction(0, 0);
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  const colored = new Uint8Array(SIZE * SIZE * 3);
  const stages = new Uint8Array(SIZE * SIZE * 3);
  const palette = vocPalette(4);
  const counts = [0, 0, 0];
  const at = (x: number, y: number) => labels[Math.min(SIZE - 1, Math.max(0, y)) * SIZE + Math.min(SIZE - 1, Math.max(0, x))];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const l = labels[i] ?? 0;
      const border = [at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1)].some((n) => n !== l);
      const near = !border && [at(x - 3, y), at(x + 3, y), at(x, y - 3), at(x, y + 3)].some((n) => n !== l);
      const stage = border ? 3 : near ? 2 : 1;
      counts[stage - 1] = (counts[stage - 1] ?? 0) + 1;
      const p = palette[l] ?? [0, 0, 0];
      const s = STAGE_RGB[stage] ?? [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        rgb[i * 3 + c] = (x * 7 + y * 3 + c * 60 + l * 50) % 256;
        colored[i * 3 + c] = p[c] ?? 0;
        stages[i * 3 + c] = s[c] ?? 0;
      }
    }
  }
  const png = (name: string, data: Uint8Array) => writeFileSync(join(dir, name), encodePng({ width: SIZE, height: SIZE, channels: 3, depth: 8, data }));
  png('image.png', rgb);
  png('prediction.png', colored);
  png('stage-map.png', stages);
  const fractions = counts.map((c) => c / (SIZE * SIZE));
  const file = join(dir, 'run.json');
  writeFileSync(
    file,
    JSON.stringify({
      kind: 'eval',
      model: { name: 'layer-cascade-lite', family: 'layer-cascade', params: 1_200_000, multiplyAdds: 150_000_000 },
      dataset: { name: 'synth-city', classNames: CLASS_NAMES },
      backend: 'wasm',
      meanIoU: 0.58,
      pixelAccuracy: 0.9,
      latency: { iterations: 5, warmup: 1, mean: 20, std: 1, min: 18, max: 23, p50: 19.5, p90: 22, p99: 23, fps: 50 },
      extraMetrics: { macsFractionOfFull: 0.46, rho: 0.95 },
      stages: fractions.map((f, k) => ({ stage: k + 1, name: `stage${k + 1}`, pixelFraction: f, multiplyAdds: 50_000_000 * (k + 1) })),
      artifacts: [
        { kind: 'image', path: 'image.png' },
        { kind: 'prediction', path: 'prediction.png' },
        { kind: 'stage-map', path: 'stage-map.png' },
      ],
    }),
  );
  return { file, fractions };
}

/** A clockwork video run: stage 1 on every frame, stage 2 every 2nd, stage 3 every 3rd; mIoU on even frames only. */
export function writeVideoRun(root: string): { file: string; frames: number; ranCells: number } {
  const dir = join(root, 'video');
  mkdirSync(dir, { recursive: true });
  const units = ['stage1', 'stage2', 'stage3'];
  const frames = ['v000', 'v001'].flatMap((video) =>
    Array.from({ length: 6 }, (_, frame) => {
      const ran = units.filter((_, k) => frame % (k + 1) === 0);
      return { video, frame, ran, ms: 5 + 4 * Number(ran.includes('stage2')) + 6 * Number(ran.includes('stage3')), meanIoU: frame % 2 === 0 ? 0.5 + frame / 100 : null };
    }),
  );
  writeFileSync(join(dir, 'frames.json'), JSON.stringify({ method: 'clockwork', schedule: 'fixed', units, frames }));
  const file = join(dir, 'run.json');
  writeFileSync(
    file,
    JSON.stringify({
      kind: 'video',
      model: { name: 'clockwork-fcn8s-lite', family: 'clockwork' },
      dataset: { name: 'synth-video', kind: 'video', classNames: CLASS_NAMES },
      meanIoU: 0.52,
      fps: 90,
      stages: units.map((name, k) => ({ stage: k + 1, name, pixelFraction: frames.filter((f) => f.ran.includes(name)).length / frames.length })),
      artifacts: [{ kind: 'frame-record', path: 'frames.json' }],
    }),
  );
  return { file, frames: frames.length, ranCells: frames.reduce((s, f) => s + f.ran.length, 0) };
}

/** A speed-and-accuracy run file for another model (the scatter needs several). */
export function writeModelRun(root: string, name: string, family: string, meanIoU: number, fps: number, gmacs: number): string {
  const file = join(root, `${name}.json`);
  const mean = 1000 / fps;
  writeFileSync(
    file,
    JSON.stringify({
      kind: 'bench',
      model: { name, family, multiplyAdds: gmacs * 1e9, params: 1e6 },
      dataset: { name: 'synth-city', classNames: CLASS_NAMES },
      backend: 'wasm',
      meanIoU,
      latency: { iterations: 5, warmup: 1, mean, std: mean / 20, min: mean * 0.9, max: mean * 1.2, p50: mean, p90: mean * 1.1, p99: mean * 1.15, fps },
    }),
  );
  return file;
}
