/**
 * The video methods on ONNX Runtime (onnxruntime-node, CPU, 1 thread) against the same methods on
 * TensorFlow.js (wasm), same weights, same frames: Clockwork with each schedule gives the same
 * labels on every frame and the same update record (stages run, adaptive clock's changed
 * fractions); TDNet's stream the same labels and sub-network record; per-frame inference the same
 * labels. The stage, fusion, sub-network and attention graphs pass the onnx checker.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { checkOnnx } from '@pixelwise/core/testing';
import { createModel, onnxSegmenter, resetSeeds, type FCN, type OnnxEngine, type TDNet } from '@pixelwise/models';
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

  it.each<ClockworkScheduleOptions>([{ schedule: 'fixed' }, { schedule: 'alternating' }, { schedule: 'pipelined' }, { schedule: 'adaptive', threshold: 0.005 }])('Clockwork $schedule: same labels and update record', async (o) => {
    resetSeeds(3);
    const model = createModel('fcn8s-lite', { numClasses: 3 }) as FCN;
    model.namedSlots().forEach(([, s], i) => s.variable.assign(tf.randomNormal(s.shape, 0, 0.15, 'float32', 200 + i)));
    const macs = clockworkStageMacs('fcn8s-lite', { numClasses: 3 }, [SIZE, SIZE]);
    const stages = onnxClockworkStages(engine, model, [SIZE, SIZE]);
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
    onnx.dispose();
    tfjs.dispose();
    const graphs = clockworkGraphs(model, [SIZE, SIZE]);
    for (const bytes of [...graphs.stages, graphs.fusion]) checkOnnx(bytes);
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
