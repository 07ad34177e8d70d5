/**
 * The video methods on ONNX Runtime (onnxruntime-node, CPU, 1 thread) against the same methods on
 * TensorFlow.js (wasm), same weights, same frames: Clockwork with each schedule gives the same
 * labels on every frame and the same update record (stages run, adaptive clock's changed
 * fractions), the frames that may skip the deep stages going through the one stage 1 + fusion
 * session, whose outputs equal the stage-1 and fusion sessions' within 1e-4; TDNet's stream the
 * same labels and sub-network record; per-frame inference the same labels. The stage, fusion,
 * stage 1 + fusion, sub-network and attention graphs pass the onnx checker.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { checkOnnx, relativeError } from '@pixelwise/core/testing';
import { createModel, onnxSegmenter, resetSeeds, type FCN, type OnnxEngine, type OrtTensor, type TDNet } from '@pixelwise/models';
import { chooseEngine } from '@pixelwise/models/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clockwork, clockworkStageMacs } from './clockwork.js';
import type { ClockworkScheduleOptions } from './clockwork-schedule.js';
import { clockworkGraphs, onnxClockworkStages } from './onnx-clockwork.js';
import { onnxTdnetParts, tdnetGraphs } from './onnx-tdnet.js';
import { TDNetStream } from './tdnet-video.js';
import { PerFrame, type VideoSegmenter } from './video-segmenter.js';

const SIZE = 40;

/** A video: a SIZE x SIZE window sliding over a random image (one pixel right, half down per frame). */
function frames(n: number, seed: number): Tensor4D[] {
  const base = tf.randomUniform([1, 2 * SIZE, 2 * SIZE, 3], 0, 255, 'int32', seed) as Tensor4D;
  const out = Array.from({ length: n }, (_, t) => tf.slice(base, [0, Math.floor(t / 2), t, 0], [1, SIZE, SIZE, 3]) as Tensor4D);
  base.dispose();
  return out;
}

const labelsOf = (l: Tensor2D | Int32Array) => (l instanceof Int32Array ? l : new Int32Array(l.dataSync()));

/** Steps both segmenters over the video; returns what each gave per frame. */
async function both(a: VideoSegmenter, b: VideoSegmenter, video: readonly Tensor4D[], extra?: (s: VideoSegmenter) => unknown) {
  const out: Array<Array<{ labels: Int32Array; ran: string[]; extra: unknown }>> = [[], []];
  for (const [i, s] of [a, b].entries()) {
    s.reset();
    for (const f of video) {
      const r = await s.step(f);
      out[i]?.push({ labels: labelsOf(r.labels), ran: r.ran, extra: extra?.(s) });
      if (!(r.labels instanceof Int32Array)) r.labels.dispose();
    }
  }
  return out as [typeof out[0], typeof out[0]];
}

describe('video methods on ONNX Runtime (vs TensorFlow.js, wasm)', () => {
  let engine: OnnxEngine;
  let video: Tensor4D[];
  beforeAll(async () => {
    await setBackend('wasm');
    const c = await chooseEngine({ engine: 'onnx', threads: 1 });
    if (c.engine !== 'onnx') throw new Error('onnxruntime-node did not load');
    engine = c.onnx;
    video = frames(12, 7);
  });
  afterAll(() => tf.dispose(video));

  // Adaptive at 0.005 updates on every frame, at 0.008 on some (changed fractions 0.007-0.01 here).
  it.each<ClockworkScheduleOptions>([{ schedule: 'fixed' }, { schedule: 'alternating' }, { schedule: 'pipelined' }, { schedule: 'adaptive', threshold: 0.005 }, { schedule: 'adaptive', threshold: 0.008 }])('Clockwork %o: same labels and update record', async (o) => {
    resetSeeds(3);
    const model = createModel('fcn8s-lite', { numClasses: 3 }) as FCN;
    model.namedSlots().forEach(([, s], i) => s.variable.assign(tf.randomNormal(s.shape, 0, 0.15, 'float32', 200 + i)));
    const macs = clockworkStageMacs('fcn8s-lite', { numClasses: 3 }, [SIZE, SIZE]);
    const stages = onnxClockworkStages(engine, model, [SIZE, SIZE]);
    // Count the frames that went through the stage 1 + fusion session.
    let merged = 0;
    const stage1AndFuse = stages.stage1AndFuse?.bind(stages);
    stages.stage1AndFuse = (x, deep) => (merged++, (stage1AndFuse as NonNullable<typeof stage1AndFuse>)(x, deep));
    const onnx = new Clockwork(stages, o, macs, () => void stages.dispose());
    const tfjs = new Clockwork(model, o, macs, () => undefined);
    const [a, b] = await both(onnx, tfjs, video, (s) => (s as Clockwork<unknown>).lastChangedFraction);
    a.forEach((r, t) => {
      expect(r.labels, `frame ${t}`).toEqual(b[t]?.labels);
      expect(r.ran).toEqual(b[t]?.ran);
      expect(r.extra).toEqual(b[t]?.extra);
    });
    expect(new Set(a.flatMap((r) => [...r.labels])).size).toBeGreaterThan(1);
    if (o.schedule === 'adaptive') expect(a.filter((r) => r.ran.length === 3).length).toBeGreaterThan(1);
    // Frames that may skip the deep stages took one session for stage 1 + fusion: every adaptive
    // frame after the first (decided after stage 1), the stage-1-only frames of the others.
    expect(merged).toBe(o.schedule === 'adaptive' ? video.length - 1 : a.filter((r) => r.ran.length === 1).length);
    if (o.schedule === 'fixed' || o.threshold === 0.008) expect(a.some((r) => r.ran.length === 1)).toBe(true);
    onnx.dispose();
    tfjs.dispose();
    const graphs = clockworkGraphs(model, [SIZE, SIZE]);
    for (const bytes of [...graphs.stages, graphs.fusion, graphs.stage1Fusion]) checkOnnx(bytes);
    model.dispose();
  });

  it('stage 1 + fusion in one session equals the stage-1 session followed by the fusion session (1e-4)', async () => {
    resetSeeds(5);
    const model = createModel('fcn8s-lite', { numClasses: 3 }) as FCN;
    model.namedSlots().forEach(([, s], i) => s.variable.assign(tf.randomNormal(s.shape, 0, 0.15, 'float32', 500 + i)));
    const graphs = clockworkGraphs(model, [SIZE, SIZE]);
    const [s1, s2, s3, fusion, merged] = await Promise.all([...graphs.stages, graphs.fusion, graphs.stage1Fusion].map((b) => engine.createSession(b)));
    const image = (f: Tensor4D) => engine.tensor('uint8', Uint8Array.from(f.dataSync()), [1, SIZE, SIZE, 3]);
    // Deep score maps from frame 0, stage 1 on frame 5: the cached-deep case.
    const a1 = await s1!.run({ image: image(video[0]!) });
    const a2 = await s2!.run({ previous: a1.features! });
    const a3 = await s3!.run({ previous: a2.features! });
    const fresh = await s1!.run({ image: image(video[5]!) });
    const separate = await fusion!.run({ score1: fresh.score!, score2: a2.score!, score3: a3.score! });
    const one = await merged!.run({ image: image(video[5]!), score2: a2.score!, score3: a3.score! });
    const data = (t: OrtTensor | undefined) => t!.data as Float32Array;
    expect(relativeError(data(one.features), data(fresh.features))).toBeLessThan(1e-4);
    expect(relativeError(data(one.score), data(fresh.score))).toBeLessThan(1e-4);
    expect(relativeError(data(one.scores), data(separate.scores))).toBeLessThan(1e-4);
    expect(one.labels!.data).toEqual(separate.labels!.data);
    expect(new Set(one.labels!.data as BigInt64Array).size).toBeGreaterThan(1);
    for (const s of [s1, s2, s3, fusion, merged]) await s!.release();
    model.dispose();
  });

  it.each(['tdnet2-lite', 'tdnet4-lite'])('%s stream: same labels and sub-network record', async (name) => {
    resetSeeds(2);
    const model = createModel(name, { numClasses: 4 }) as TDNet;
    model.namedSlots().forEach(([, s], i) => s.variable.dtype === 'float32' && s.shape.length > 1 && s.variable.assign(tf.randomNormal(s.shape, 0, 0.2, 'float32', 300 + i)));
    const parts = onnxTdnetParts(engine, model, [SIZE, SIZE]);
    const onnx = new TDNetStream(parts, { paths: model.paths === 2 ? [0, 0] : [0, 0, 0, 0], shared: 0 }, () => void parts.dispose());
    const tfjs = new TDNetStream(model, { paths: model.paths === 2 ? [0, 0] : [0, 0, 0, 0], shared: 0 }, () => undefined);
    const [a, b] = await both(onnx, tfjs, video.slice(0, 8));
    a.forEach((r, t) => {
      expect(r.labels, `frame ${t}`).toEqual(b[t]?.labels);
      expect(r.ran).toEqual(b[t]?.ran);
    });
    expect(new Set(a.flatMap((r) => [...r.labels])).size).toBeGreaterThan(1);
    onnx.dispose();
    tfjs.dispose();
    const graphs = tdnetGraphs(model, [SIZE, SIZE]);
    for (const bytes of [...graphs.paths, graphs.classify]) checkOnnx(bytes);
    model.dispose();
  });

  it('per-frame inference: same labels', async () => {
    resetSeeds(4);
    const model = createModel('pspnet-lite', { numClasses: 4 });
    model.namedSlots().forEach(([, s], i) => s.variable.dtype === 'float32' && s.shape.length > 1 && s.variable.assign(tf.randomNormal(s.shape, 0, 0.2, 'float32', 400 + i)));
    const onnx = new PerFrame(onnxSegmenter(engine, { model, name: 'pspnet-lite', options: { numClasses: 4, aux: true } }), 0);
    const [a, b] = await both(onnx, new PerFrame(model, 0), video.slice(0, 3));
    a.forEach((r, t) => expect(r.labels).toEqual(b[t]?.labels));
    onnx.dispose();
    model.dispose();
  });
});
