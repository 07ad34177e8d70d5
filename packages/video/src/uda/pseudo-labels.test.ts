/**
 * The consistency filter on a hand-made case, and pseudo-labels of a real segmentor against a
 * naive reference: argmax, confidence threshold, and the label of t-k carried to t by the flow
 * (a one-pixel shift done by hand).
 */
import { setBackend, tf } from '@pixelwise/core';
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import { createModel, EVAL, generateScene, resetSeeds, toUint8Rgb, type Segmentor } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consistencyFilter, pseudoLabel } from './pseudo-labels.js';

describe('consistencyFilter', () => {
  it('keeps label t where the warped label of t-k agrees: [0, 1] vs [0, 2] -> [0, ignore]', () => {
    expect(Array.from(consistencyFilter([0, 1], [0, 2]))).toEqual([0, 255]);
    // No flow (warped = ignore), an ignored prediction, and another ignore index.
    expect(Array.from(consistencyFilter([3, 255, 4, 4], [255, 255, 4, 5]))).toEqual([255, 255, 4, 255]);
    expect(Array.from(consistencyFilter([1, 2], [1, 2], 2))).toEqual([1, 2]);
    expect(() => consistencyFilter([1], [1, 2])).toThrow(/1 labels at t, 2 warped/);
  });
});

describe('pseudoLabel (wasm)', () => {
  let model: Segmentor;
  const W = 32;
  const H = 24;
  const frame = (seed: number): RgbImage => ({ width: W, height: H, data: generateScene({ width: W, height: H, classes: 5, seed }).image });
  const zero: FlowField = { width: W, height: H, data: new Float32Array(W * H * 2) };
  beforeAll(async () => {
    await setBackend('wasm');
    resetSeeds(5);
    model = createModel('pspnet-lite', { numClasses: 5, aux: false });
  });
  afterAll(() => model.dispose());

  /** argmax and top probability of the model on one frame, computed directly. */
  const reference = (image: RgbImage) =>
    tf.tidy(() => {
      const p = tf.softmax(model.forward(model.normalize(toUint8Rgb(image)), EVAL).out);
      return { labels: Array.from(tf.argMax(p, 3).dataSync()), confidence: Array.from(tf.max(p, 3).dataSync()) };
    });

  it('threshold 0 on a frame and itself with zero flow keeps the argmax everywhere; a threshold above 1 keeps nothing', async () => {
    const a = frame(1);
    const all = await pseudoLabel(model, a, a, () => zero, { threshold: 0 });
    expect(Array.from(all.labels)).toEqual(reference(a).labels);
    expect([all.kept, all.confident, all.consistent]).toEqual([1, 1, 1]);
    const none = await pseudoLabel(model, a, a, () => zero, { threshold: 1.01 });
    expect(none.kept).toBe(0);
    expect(none.labels.every((v) => v === 255)).toBe(true);
  });

  it('keeps confident pixels whose label equals the label of t-k at the flow target (flow t -> t-k, a one-pixel shift)', async () => {
    const now = frame(2);
    const before = frame(3);
    const calls: Array<[RgbImage, RgbImage]> = [];
    // Frame t's pixel (x, y) shows what frame t-k shows at (x + 1, y).
    const shift: FlowField = { width: W, height: H, data: new Float32Array(W * H * 2).map((_, i) => (i % 2 === 0 ? 1 : 0)) };
    const threshold = 0.3;
    const pl = await pseudoLabel(model, now, before, (a, b) => (calls.push([a, b]), shift), { threshold });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe(now);
    expect(calls[0]?.[1]).toBe(before);
    const r = reference(now);
    const p = reference(before);
    let kept = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const warped = x + 1 < W ? p.labels[i + 1] : 255;
        const keep = (r.confidence[i] as number) >= threshold && warped === r.labels[i];
        if (keep) kept++;
        expect(pl.labels[i], `pixel ${x},${y}`).toBe(keep ? r.labels[i] : 255);
      }
    }
    expect(pl.kept).toBeCloseTo(kept / (W * H), 10);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(W * H);
    // Without the consistency filter, only the threshold applies and no flow is estimated.
    const loose = await pseudoLabel(model, now, before, () => {
      throw new Error('no flow needed');
    }, { threshold, consistency: false });
    expect(Array.from(loose.labels)).toEqual(r.labels.map((l, i) => ((r.confidence[i] as number) >= threshold ? l : 255)));
  });

  it('leaks no tensors', async () => {
    const a = frame(4);
    await pseudoLabel(model, a, a, () => zero);
    const before = tf.memory().numTensors;
    await pseudoLabel(model, a, frame(5), () => zero);
    expect(tf.memory().numTensors).toBe(before);
  });
});
