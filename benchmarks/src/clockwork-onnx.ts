/**
 * `pnpm bench --only clockwork-onnx [--weights CKPT]`: where an adaptive Clockwork frame's time goes
 * on ONNX Runtime (issue 14: adaptive Clockwork <= 0.7x the ms per frame of per-frame inference).
 * FCN-8s's sessions at one frame size, each case timed alternately in one process (medians): the
 * whole model's one session (per-frame inference), a frame that runs every stage (three stage
 * sessions and the fusion), and a frame on which the clock skips the deep stages, as the stage-1
 * session then the fusion session, and as the one stage 1 + fusion session `Clockwork` uses.
 * The clock's argmax and the label read-back are in every Clockwork case, as in `Clockwork.step`.
 */
import { setBackend, tf } from '@pixelwise/core';
import { channelArgmax, createModel, exportOnnx, FCN, labelsOf, tensorData, type OrtSession, type OrtTensor } from '@pixelwise/models';
import { chooseEngine, loadModel } from '@pixelwise/models/node';
import { clockworkGraphs } from '@pixelwise/video';
import { median, os, type BenchReport } from './report.js';

export interface ClockworkOnnxOptions {
  /** A trained FCN-8s checkpoint; without it fcn8s-lite with its initial weights (8 classes). */
  weights?: string;
  size: [number, number];
  threads: number[];
  warmup: number;
  iterations: number;
}

interface Row {
  threads: number;
  /** Median ms per case. */
  ms: Record<Case, number>;
}
const CASES = ['per-frame', 'all stages', 'skip: two sessions', 'skip: one session'] as const;
type Case = (typeof CASES)[number];

export async function benchClockworkOnnx(o: ClockworkOnnxOptions): Promise<BenchReport> {
  await setBackend('wasm');
  const loaded = o.weights ? await loadModel(o.weights) : { model: createModel('fcn8s-lite', { numClasses: 8 }), name: 'fcn8s-lite', options: { numClasses: 8 } };
  const model = loaded.model;
  if (!(model instanceof FCN)) throw new Error(`clockwork-onnx: --weights must be an FCN-8s checkpoint, got ${loaded.name}`);
  const [h, w] = o.size;
  const frame = Uint8Array.from(tf.tidy(() => tf.randomUniform([h * w * 3], 0, 256, 'int32', 1).dataSync()));
  const graphs = clockworkGraphs(model, o.size);
  const whole = exportOnnx(model, loaded.name, loaded.options, o.size).bytes;
  const rows: Row[] = [];
  for (const threads of o.threads) {
    const choice = await chooseEngine({ engine: 'onnx', threads });
    if (choice.engine !== 'onnx') throw new Error('clockwork-onnx: onnxruntime-node did not load');
    const engine = choice.onnx;
    const open = async (b: Uint8Array) => engine.createSession(b);
    const sessions = await Promise.all([whole, ...graphs.stages, graphs.fusion, graphs.stage1Fusion].map(open));
    const [perFrame, s1, s2, s3, fusion, merged] = sessions as [OrtSession, OrtSession, OrtSession, OrtSession, OrtSession, OrtSession];
    const image = () => engine.tensor('uint8', frame, [1, h, w, 3]);
    const clock = (score: OrtTensor | undefined) => channelArgmax(tensorData(score, 'score', Float32Array), score?.dims ?? []);
    const fuse = async (a: Record<string, OrtTensor>, b: Record<string, OrtTensor>, c: Record<string, OrtTensor>) =>
      labelsOf((await fusion.run({ score1: a.score as OrtTensor, score2: b.score as OrtTensor, score3: c.score as OrtTensor }, ['labels'])).labels);
    // Cached deep score maps, as after a frame that ran every stage.
    const a1 = await s1.run({ image: image() });
    const a2 = await s2.run({ previous: a1.features as OrtTensor });
    const a3 = await s3.run({ previous: a2.features as OrtTensor });
    const run: Record<Case, () => Promise<unknown>> = {
      'per-frame': async () => labelsOf((await perFrame.run({ image: image() }, ['labels'])).labels),
      'all stages': async () => {
        const b1 = await s1.run({ image: image() });
        clock(b1.score);
        const b2 = await s2.run({ previous: b1.features as OrtTensor });
        return fuse(b1, b2, await s3.run({ previous: b2.features as OrtTensor }));
      },
      'skip: two sessions': async () => {
        const b1 = await s1.run({ image: image() });
        clock(b1.score);
        return fuse(b1, a2, a3);
      },
      'skip: one session': async () => {
        const r = await merged.run({ image: image(), score2: a2.score as OrtTensor, score3: a3.score as OrtTensor }, ['features', 'score', 'labels']);
        clock(r.score);
        return labelsOf(r.labels);
      },
    };
    const times = Object.fromEntries(CASES.map((c) => [c, [] as number[]])) as Record<Case, number[]>;
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      // Alternate the order so that each case meets the machine's noise in every position.
      for (const c of i % 2 ? CASES : [...CASES].reverse()) {
        const t0 = performance.now();
        await run[c]();
        if (i >= o.warmup) times[c].push(performance.now() - t0);
      }
    }
    rows.push({ threads, ms: Object.fromEntries(CASES.map((c) => [c, median(times[c])])) as Record<Case, number> });
    for (const s of sessions) await s.release();
  }
  model.dispose();
  const ratio = (r: Row, c: Case) => `${r.ms[c].toFixed(2)} (${(r.ms[c] / r.ms['per-frame']).toFixed(3)})`;
  const md = [
    `${loaded.name}${o.weights ? ` (${o.weights})` : ' (initial weights)'} at ${w}x${h} on ONNX Runtime (CPU), medians of ${o.iterations} alternating runs per case, ms (ratio to per-frame):`,
    '',
    `| threads | ${CASES.join(' | ')} |`,
    `| ---: | ${CASES.map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${r.threads} | ${r.ms['per-frame'].toFixed(2)} | ${CASES.slice(1).map((c) => ratio(r, c)).join(' | ')} |`),
  ].join('\n');
  return { name: 'clockwork-onnx', config: { ...o, model: loaded.name }, backend: 'onnx-cpu', machine: os(), results: rows, markdown: md };
}
