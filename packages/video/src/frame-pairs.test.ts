import { setBackend, tf } from '@pixelwise/core';
import type { FlowField } from '@pixelwise/core/io';
import type { Tensor4D } from '@pixelwise/core';
import { createRng } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { renderVideoFrame, sampleVideoSpec, UNKNOWN_FLOW, videoFlow } from './data/synth-video.js';
import { composeFlow, composeFlows } from './flow-compose.js';
import { isKnownFlow } from './flow-loss.js';
import { augmentFramePair, framePairs, NEIGHBOUR_OFFSETS, stackFramePairs, type PairVideo } from './frame-pairs.js';
import { uniform } from './test-utils/gradients.js';
import { warpBilinear } from './warp.js';

const constant = (w: number, h: number, u: number, v: number): FlowField => ({ width: w, height: h, data: new Float32Array(w * h * 2).map((_, i) => (i % 2 === 0 ? u : v)) });

describe('composing flows', () => {
  it('integer translations add up exactly; landing outside the frame or on an unknown vector is unknown', () => {
    const [w, h] = [6, 5];
    const b = constant(w, h, -1, 2);
    b.data[2 * (1 * w + 3)] = UNKNOWN_FLOW; // pixel (3, 1) of the middle frame is occluded onwards
    const c = composeFlow(constant(w, h, 2, 1), b);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const lands = x + 2 <= w - 1 && y + 1 <= h - 1 && !(x + 2 === 3 && y + 1 === 1);
        if (lands) expect([c.data[2 * p], c.data[2 * p + 1]]).toEqual([1, 3]);
        else expect(isKnownFlow(c.data[2 * p] as number, c.data[2 * p + 1] as number), `(${x}, ${y})`).toBe(false);
      }
    expect(composeFlows([b])).toBe(b);
    expect(() => composeFlows([])).toThrow('no flows');
    expect(() => composeFlow(b, constant(3, 3, 0, 0))).toThrow('differ in size');
  });

  it('fractional flows agree with first + warpBilinear(second, first) where every tap is inside', async () => {
    await setBackend('cpu');
    const [w, h] = [9, 7];
    const a = { width: w, height: h, data: uniform(w * h * 2, 1, -2, 2) };
    const b = { width: w, height: h, data: uniform(w * h * 2, 2, -2, 2) };
    const c = composeFlow(a, b);
    const ref = tf.tidy(() => {
      const fa = tf.tensor4d(a.data, [1, h, w, 2]);
      return tf.add(fa, warpBilinear(tf.tensor4d(b.data, [1, h, w, 2]), fa)).dataSync();
    });
    let checked = 0;
    for (let p = 0; p < w * h; p++) {
      if (!isKnownFlow(c.data[2 * p] as number, c.data[2 * p + 1] as number)) continue;
      checked++;
      for (const k of [0, 1]) expect(c.data[2 * p + k]).toBeCloseTo(ref[2 * p + k] as number, 5);
    }
    expect(checked).toBeGreaterThan(w * h * 0.3);
  });

  it('on synthetic video, t -> t+1 -> t+2 chained equals the exact flow t -> t+2 almost everywhere both are known', () => {
    const [w, h] = [96, 64];
    const spec = sampleVideoSpec({ width: w, height: h, classes: 8, frames: 5, seed: 3 });
    const chained = composeFlows([videoFlow(spec, 1, 2), videoFlow(spec, 2, 3)]);
    const exact = videoFlow(spec, 1, 3);
    let both = 0;
    let close = 0;
    let near = 0;
    for (let p = 0; p < w * h; p++) {
      const [u, v, eu, ev] = [chained.data[2 * p], chained.data[2 * p + 1], exact.data[2 * p], exact.data[2 * p + 1]] as number[];
      if (!isKnownFlow(u!, v!) || !isKnownFlow(eu!, ev!)) continue;
      both++;
      const e = Math.hypot(u! - eu!, v! - ev!);
      if (e < 0.05) close++;
      if (e < 0.5) near++;
    }
    expect(both).toBeGreaterThan(0.6 * w * h);
    // Inside a layer the flow is affine and bilinear sampling is exact; taps across a layer boundary are not.
    expect(close / both).toBeGreaterThan(0.95);
    expect(near / both).toBeGreaterThan(0.99);
  });
});

/** A synthetic video in memory as a PairVideo with its exact frame-to-frame flow. */
function memoryVideo(frames: number, seed: number, [w, h] = [48, 32]): PairVideo {
  const spec = sampleVideoSpec({ width: w, height: h, classes: 8, frames, seed });
  return {
    name: `v${seed}`,
    frames,
    read: async (t) => {
      const f = renderVideoFrame(spec, t);
      return { name: `f${t}`, image: { width: w, height: h, data: f.image }, labels: { width: w, height: h, data: f.labels } };
    },
    flow: async (t, direction) => videoFlow(spec, t, direction === 'forward' ? t + 1 : t - 1),
  };
}

describe('frame pairs', () => {
  it('draws neighbours t + k with k in {-2, -1, 1, 2, 3} (the code: t - randint(-3, 3) != 0) inside the video, each used', async () => {
    expect(NEIGHBOUR_OFFSETS).toEqual([-2, -1, 1, 2, 3]);
    const pairs = framePairs([memoryVideo(6, 1), memoryVideo(4, 2)], { estimate: (a) => ({ width: a.width, height: a.height, data: new Float32Array(a.width * a.height * 2) }) });
    expect(pairs.count).toBe(10);
    const rng = createRng(5);
    const seen = new Set<number>();
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < pairs.count; i++) {
        const p = await pairs.read(i, rng);
        const t = i < 6 ? i : i - 6;
        const frames = i < 6 ? 6 : 4;
        expect(NEIGHBOUR_OFFSETS).toContain(p.offset);
        expect(t + p.offset).toBeGreaterThanOrEqual(0);
        expect(t + p.offset).toBeLessThan(frames);
        seen.add(p.offset);
      }
    }
    expect([...seen].sort()).toEqual([-1, -2, 1, 2, 3]);
    await expect(pairs.read(10, rng)).rejects.toThrow('out of range');
  });

  it('with labels on one frame in N, only the middle frame of every N is a frame t; neighbours are any frames', async () => {
    const zero = (a: { width: number; height: number }): FlowField => ({ width: a.width, height: a.height, data: new Float32Array(a.width * a.height * 2) });
    const videos = [memoryVideo(12, 1, [8, 8]), memoryVideo(7, 2, [8, 8])];
    const pairs = framePairs(videos, { estimate: zero, labelledEvery: 6 });
    expect(pairs.count).toBe(3);
    const rng = createRng(3);
    const neighbours = new Set<string>();
    for (let round = 0; round < 40; round++)
      for (let i = 0; i < pairs.count; i++) {
        const p = await pairs.read(i, rng, false);
        expect(p.name).toBe(['v1/f3', 'v1/f9', 'v2/f3'][i]);
        neighbours.add(`${i}:${p.offset}`);
      }
    // Frame 3's neighbours 1, 2, 4, 5, 6 (unlabelled frames) are drawn.
    expect([...neighbours].filter((n) => n.startsWith('0:')).length).toBe(5);
    expect(framePairs(videos, { estimate: zero, labelledEvery: 1 }).count).toBe(19);
    expect(() => framePairs(videos, { labelledEvery: 0 })).toThrow('positive integer');
    expect(() => framePairs(videos, { labelledEvery: 40 })).toThrow('no labelled frame (one in every 40)');
  });

  it('ground-truth flow is chained over |k| frames: the neighbour warped by it reproduces the frame', async () => {
    await setBackend('wasm');
    const pairs = framePairs([memoryVideo(5, 4, [96, 64])], { offsets: [2, -2] });
    const rng = createRng(1);
    for (const i of [1, 2, 3]) {
      const p = augmentFramePair(await pairs.read(i, rng), rng, [48, 80], 1);
      expect([p.frame.image.width, p.frame.image.height, p.flow.width, p.neighbour.height]).toEqual([80, 48, 80, 48]);
      const s = stackFramePairs([p]);
      const { err, still, n } = tf.tidy(() => {
        const error = (flow: Tensor4D) => tf.sum(tf.mul(tf.abs(tf.sub(warpBilinear(tf.cast(s.neighbourRgb, 'float32') as Tensor4D, flow), tf.cast(s.rgb, 'float32'))), s.valid)).dataSync()[0] as number;
        return { err: error(s.flow), still: error(tf.zerosLike(s.flow)), n: tf.sum(s.valid).dataSync()[0] as number };
      });
      tf.dispose(Object.values(s));
      expect(n).toBeGreaterThan(0.5 * 80 * 48);
      // Mirrored crop of both frames and the flow (u negated): colours still agree (grain +-7, texture
      // resampling), far better than without motion compensation.
      expect(err / (3 * n)).toBeLessThan(12);
      expect(still / (3 * n)).toBeGreaterThan(err / (3 * n) + 3);
    }
  });
});
