/**
 * The ONNX Runtime engine (onnxruntime-node, CPU, 1 thread) against TensorFlow.js (wasm) on the
 * same weights and images: scores within 1e-4 normwise relative and the same labels for a whole
 * model; Deep Layer Cascade run stage by stage with region convolution gives the same labels,
 * stage map and stage fractions as its TensorFlow.js forward at thresholds where pixels exit at
 * every stage, at none and at all; sessions are created once per input size and reused; and
 * 200 consecutive runs in one process keep the resident set flat (a loose bound: 32 MB).
 */
import { setBackend } from '@pixelwise/core';
import { checkOnnx, relativeError } from '@pixelwise/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseEngine } from '../node/onnx-runtime.js';
import { createModel, resolveModelOptions, type ModelOptions } from '../registry.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { hashParameters } from '../test-utils/onnx.js';
import { OnnxCascade } from './onnx-cascade.js';
import type { OnnxEngine } from './onnx-engine.js';
import { onnxSegmenter, OnnxSegmenter } from './onnx-segmenter.js';
import { TfjsSegmenter, type RgbBatch } from './segmenter.js';

const batch = (n: number, h: number, w: number, seed = 1): RgbBatch => ({ data: new Uint8Array(n * h * w * 3).map((_, i) => ((i + seed) * 2654435761) % 251), shape: [n, h, w] });

let engine: OnnxEngine;
function build(name: string, options: ModelOptions): { model: Segmentor; name: string; options: Record<string, unknown> } {
  const model = createModel(name, options);
  hashParameters(model, name);
  const { width: _w, ...recorded } = options;
  return { model, name, options: resolveModelOptions(name, recorded) };
}

describe('ONNX Runtime engine (vs TensorFlow.js, wasm)', () => {
  beforeAll(async () => {
    await setBackend('wasm');
    const c = await chooseEngine({ engine: 'onnx', threads: 1 });
    if (c.engine !== 'onnx') throw new Error('onnxruntime-node did not load');
    engine = c.onnx;
  });

  it('a whole model: the same scores and labels; one session per input size, reused', async () => {
    const src = build('pspnet-lite', { numClasses: 5, width: 0.25 / 8 });
    const ort = onnxSegmenter(engine, src) as OnnxSegmenter;
    const tfjs = new TfjsSegmenter(src.model);
    expect(ort.info).toMatchObject({ engine: 'onnx', backend: 'onnx-cpu', executionProvider: 'cpu', threads: 1 });
    const before = engine.openSessions;
    for (const [n, h, w] of [[2, 37, 45], [1, 37, 45], [1, 37, 45], [1, 48, 32]] as const) {
      const b = batch(n, h, w, h + n);
      const a = await ort.run(b, { scores: true });
      const e = await tfjs.run(b, { scores: true });
      expect(relativeError(a.scores ?? [], e.scores ?? [])).toBeLessThan(1e-4);
      expect(a.labels).toEqual(e.labels);
    }
    expect(ort.sessionCount).toBe(2);
    expect(engine.openSessions - before).toBe(2);
    await ort.dispose();
    expect(engine.openSessions).toBe(before);
    src.model.dispose();
  });

  for (const [rho, what] of [[0.23, 'pixels exit at every stage'], [0, 'every pixel exits after stage 1'], [1, 'no pixel exits early']] as const) {
    it(`Deep Layer Cascade, stage sessions with region convolution (rho ${rho}: ${what})`, async () => {
      const src = build('layer-cascade-lite', { numClasses: 5, width: 0.5 / 16, rho });
      const ort = onnxSegmenter(engine, src);
      expect(ort).toBeInstanceOf(OnnxCascade);
      const b = batch(2, 37, 45);
      const a = await ort.run(b, { scores: true });
      const e = await new TfjsSegmenter(src.model).run(b, { scores: true });
      expect(a.labels).toEqual(e.labels);
      expect(a.stats?.stageMap).toEqual(e.stats?.stageMap);
      expect(a.stats?.stageFractions).toEqual(e.stats?.stageFractions);
      expect(a.stats?.stageMacsSpent).toEqual(e.stats?.stageMacsSpent);
      if (rho === 0.23) {
        expect(a.stats?.stageFractions.every((f) => f > 0)).toBe(true);
        const cascade = ort as OnnxCascade;
        for (const s of [0, 1, 2]) checkOnnx(cascade.stageGraph(s, 2, [37, 45]));
        checkOnnx(cascade.outputGraph(2, [37, 45]));
      }
      if (rho === 0) expect(a.stats?.stageFractions).toEqual([1, 0, 0]);
      if (rho === 1) expect(a.stats?.stageFractions).toEqual([0, 0, 1]);
      expect(relativeError(a.scores ?? [], e.scores ?? [])).toBeLessThan(1e-4);
      await ort.dispose();
      src.model.dispose();
    });
  }

  it('Deep Layer Cascade in full mode runs the whole graph and reports every pixel at stage 3', async () => {
    const src = build('layer-cascade-lite', { numClasses: 5, width: 0.5 / 16, mode: 'full' });
    const ort = onnxSegmenter(engine, src);
    expect(ort).toBeInstanceOf(OnnxSegmenter);
    const b = batch(1, 40, 40);
    const [a, e] = [await ort.run(b), await new TfjsSegmenter(src.model).run(b)];
    expect(a.labels).toEqual(e.labels);
    expect(a.stats).toEqual(e.stats);
    await ort.dispose();
    src.model.dispose();
  });

  it('200 consecutive runs keep the resident set flat', async () => {
    const src = build('lraspp_mobilenet_v3_large', { numClasses: 5, width: 1 / 8 });
    const ort = onnxSegmenter(engine, src);
    const b = batch(1, 64, 64);
    const rss: number[] = [];
    for (let i = 0; i < 200; i++) {
      await ort.run(b, { scores: true });
      if (i % 25 === 24) rss.push(process.memoryUsage().rss);
    }
    // After warm-up (the first 50 runs) the arena and the session are at their size.
    const growth = (rss.at(-1) ?? 0) - (rss[1] ?? 0);
    expect(growth).toBeLessThan(32 * 2 ** 20);
    await ort.dispose();
    src.model.dispose();
  });

  it('a batch whose bytes do not fit its shape is refused', async () => {
    const src = build('fcn8s-lite', { numClasses: 3, width: 1 / 128 });
    const ort = onnxSegmenter(engine, src);
    await expect(ort.run({ data: new Uint8Array(10), shape: [1, 4, 4] })).rejects.toThrow('segmenter: a 1x4x4 RGB batch has 48 bytes, got 10');
    src.model.dispose();
  });
});
