import { setBackend, tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import { describe, expect, it } from 'vitest';
import { renderVideoFrame, sampleVideoSpec, videoFlow } from './data/synth-video.js';
import { uniform } from './test-utils/gradients.js';
import { forwardBackwardMask, inFrameMask, warpBilinear, warpNearest } from './warp.js';

/** Naive float64 bilinear backward warp with zero padding. */
function naiveWarp(x: Float32Array, flow: Float32Array, [n, h, w, c]: number[]): Float64Array {
  const out = new Float64Array(n! * h! * w! * c!);
  const at = (b: number, yy: number, xx: number, ch: number) => (xx < 0 || yy < 0 || xx >= w! || yy >= h! ? 0 : (x[((b * h! + yy) * w! + xx) * c! + ch] as number));
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < h!; y++)
      for (let xx = 0; xx < w!; xx++) {
        const p = (b * h! + y) * w! + xx;
        const sx = xx + (flow[2 * p] as number);
        const sy = y + (flow[2 * p + 1] as number);
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        for (let ch = 0; ch < c!; ch++) {
          out[p * c! + ch] =
            (1 - fx) * (1 - fy) * at(b, y0, x0, ch) + fx * (1 - fy) * at(b, y0, x0 + 1, ch) + (1 - fx) * fy * at(b, y0 + 1, x0, ch) + fx * fy * at(b, y0 + 1, x0 + 1, ch);
        }
      }
  return out;
}

/** Flow whose sample positions have fractional parts in [0.2, 0.8], some outside the frame. */
function fractionalFlow(shape: [number, number, number], seed: number, range: number): Float32Array {
  const [n, h, w] = shape;
  const base = uniform(n * h * w * 2, seed, -range, range).map(Math.round);
  const frac = uniform(n * h * w * 2, seed + 1, 0.2, 0.8);
  return base.map((b, i) => b + (frac[i] as number));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`warping (${backend})`, () => {
    it('zero flow is the identity; an integer shift moves pixels exactly, zeros / fill outside', async () => {
      await setBackend(backend);
      const x = tf.tensor4d(uniform(2 * 5 * 6 * 3, 1), [2, 5, 6, 3]);
      const zero = tf.zeros([2, 5, 6, 2]) as Tensor4D;
      expect(Array.from(warpBilinear(x, zero).dataSync())).toEqual(Array.from(x.dataSync()));
      expect(Array.from(warpNearest(x, zero).dataSync())).toEqual(Array.from(x.dataSync()));
      // u = 2, v = -1: out[y, x] = in[y - 1, x + 2].
      const shift = tf.tensor4d(new Float32Array(2 * 5 * 6 * 2).map((_, i) => (i % 2 === 0 ? 2 : -1)), [2, 5, 6, 2]);
      const xs = x.arraySync();
      const bil = warpBilinear(x, shift).arraySync();
      const labels = tf.tensor4d(new Int32Array(2 * 5 * 6).map((_, i) => i % 7), [2, 5, 6, 1], 'int32');
      const ls = labels.arraySync();
      const near = warpNearest(labels, shift, 255);
      expect(near.dtype).toBe('int32');
      const ns = near.arraySync();
      for (let b = 0; b < 2; b++)
        for (let y = 0; y < 5; y++)
          for (let c = 0; c < 6; c++) {
            const inside = y - 1 >= 0 && c + 2 < 6;
            expect(bil[b]![y]![c]).toEqual(inside ? xs[b]![y - 1]![c + 2] : [0, 0, 0]);
            expect(ns[b]![y]![c]![0]).toBe(inside ? ls[b]![y - 1]![c + 2]![0] : 255);
          }
      const mask = inFrameMask(shift).arraySync();
      expect(mask[1]![0]![0]![0]).toBe(0); // y - 1 < 0
      expect(mask[1]![1]![3]![0]).toBe(1);
      expect(mask[1]![1]![4]![0]).toBe(0); // x + 2 = 6 is outside
      tf.dispose([x, zero, shift, labels, near]);
    });

    it('nearest warping rounds halves up and marks unknown flow with the fill', async () => {
      await setBackend(backend);
      const x = tf.tensor4d([10, 11, 12, 13], [1, 1, 4, 1], 'int32');
      const flow = tf.tensor4d([0.5, 0, -0.5, 0, 1e10, 1e10, 0.49, 0], [1, 1, 4, 2]);
      expect(Array.from(warpNearest(x, flow, -1).dataSync())).toEqual([11, 11, -1, 13]);
      expect(Array.from(inFrameMask(flow).dataSync())).toEqual([1, 1, 0, 0]);
      tf.dispose([x, flow]);
    });

    it('bilinear warping matches a naive float64 reference, also across the border', async () => {
      await setBackend(backend);
      const shape = [2, 7, 9, 4];
      const xd = uniform(2 * 7 * 9 * 4, 3);
      const fd = uniform(2 * 7 * 9 * 2, 4, -4, 4);
      const out = tf.tidy(() => warpBilinear(tf.tensor4d(xd, shape as [number, number, number, number]), tf.tensor4d(fd, [2, 7, 9, 2])).dataSync());
      const ref = naiveWarp(xd, fd, shape);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs((out[i] as number) - (ref[i] as number)));
      expect(err).toBeLessThan(1e-5);
    });

    it('gradients in features and flow match central differences; no tensors leak', async () => {
      await setBackend(backend);
      const shape: [number, number, number, number] = [1, 5, 6, 3];
      const x = tf.tensor4d(uniform(5 * 6 * 3, 5), shape);
      const flow = tf.tensor4d(fractionalFlow([1, 5, 6], 6, 2), [1, 5, 6, 2]);
      const r = tf.tensor4d(uniform(5 * 6 * 3, 7), shape);
      const loss = (a: Tensor, f: Tensor) => tf.sum(tf.mul(warpBilinear(a as Tensor4D, f as Tensor4D), r));
      const before = tf.memory().numTensors;
      const [gx, gf] = tf.grads(loss)([x, flow]) as [Tensor, Tensor];
      const analyticX = gx.dataSync();
      const analyticF = gf.dataSync();
      tf.dispose([gx, gf]);
      expect(tf.memory().numTensors).toBe(before);
      const numeric = (which: 0 | 1, i: number, eps: number) => {
        const base = (which === 0 ? x : flow).dataSync().slice();
        const at = (delta: number) =>
          tf.tidy(() => {
            const d = base.slice();
            d[i] = (d[i] as number) + delta;
            const t = tf.tensor(d, (which === 0 ? x : flow).shape);
            return loss(which === 0 ? t : x, which === 0 ? flow : t).dataSync()[0] as number;
          });
        return (at(eps) - at(-eps)) / (2 * eps);
      };
      // Linear in x: any step is exact. Piecewise bilinear in the flow: steps stay in one cell.
      for (let i = 0; i < analyticX.length; i += 7) expect(analyticX[i]).toBeCloseTo(numeric(0, i, 0.5), 3);
      let nonzero = 0;
      for (let i = 0; i < analyticF.length; i++) {
        const n = numeric(1, i, 0.05);
        expect(Math.abs((analyticF[i] as number) - n)).toBeLessThan(2e-3 * Math.max(1, Math.abs(n)));
        if (Math.abs(n) > 1e-3) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(analyticF.length / 2);
      tf.dispose([x, flow, r]);
    });

    it('forward-backward check passes consistent flow and rejects an inconsistent region and out-of-frame pixels', async () => {
      await setBackend(backend);
      const [h, w] = [6, 8];
      const fw = new Float32Array(h * w * 2).map((_, i) => (i % 2 === 0 ? 2 : 0));
      const bw = new Float32Array(h * w * 2).map((_, i) => (i % 2 === 0 ? -2 : 0));
      // Frame t+1 pixels (4..5, 2..3) move elsewhere: (3..4, 0..1) of frame t point at them and fail.
      for (const y of [2, 3]) for (const x of [4, 5]) bw[2 * (y * w + x)] = 3;
      bw[2 * (0 * w + 6)] = 1e10; // unknown backward flow: (0, 4) of frame t fails too
      const m = tf.tidy(() => forwardBackwardMask(tf.tensor4d(fw, [1, h, w, 2]), tf.tensor4d(bw, [1, h, w, 2])).dataSync());
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const bad = x >= w - 2 || ((y === 2 || y === 3) && (x === 2 || x === 3)) || (y === 0 && x === 4);
          expect(m[y * w + x], `(${x}, ${y})`).toBe(bad ? 0 : 1);
        }
    });
  });
}

describe('warping synthetic video by its ground-truth flow', () => {
  it('frame t+1 warped back reproduces frame t: labels (nearest) and colours (bilinear)', async () => {
    await setBackend('wasm');
    const [w, h] = [96, 64];
    const spec = sampleVideoSpec({ width: w, height: h, classes: 8, frames: 3, seed: 21 });
    const a = renderVideoFrame(spec, 1);
    const b = renderVideoFrame(spec, 2);
    const fw = videoFlow(spec, 1, 2, a);
    const bw = videoFlow(spec, 2, 1, b);
    const r = tf.tidy(() => {
      const flow = tf.tensor4d(fw.data, [1, h, w, 2]);
      const valid = inFrameMask(flow);
      const safe = tf.mul(flow, valid) as Tensor4D; // unknown (1e10) values zeroed: masked anyway
      const labels = warpNearest(tf.tensor4d(Int32Array.from(b.labels), [1, h, w, 1], 'int32'), safe, 255);
      const image = warpBilinear(tf.tensor4d(Float32Array.from(b.image), [1, h, w, 3]), safe);
      const fb = forwardBackwardMask(flow, tf.tensor4d(bw.data, [1, h, w, 2]));
      return { valid: valid.dataSync(), labels: labels.dataSync(), image: image.dataSync(), fb: fb.dataSync() };
    });
    let n = 0;
    let same = 0;
    let diff = 0;
    let fbAgree = 0;
    for (let p = 0; p < w * h; p++) {
      if (r.fb[p] === r.valid[p]) fbAgree++;
      if (r.valid[p] !== 1) continue;
      n++;
      if (r.labels[p] === a.labels[p]) same++;
      for (let c = 0; c < 3; c++) diff += Math.abs((r.image[3 * p + c] as number) - (a.image[3 * p + c] as number));
    }
    expect(n).toBeGreaterThan(0.8 * w * h);
    expect(same / n).toBeGreaterThan(0.95);
    // Only sensor grain (+-7 levels), texture resampling and boundary pixels differ.
    expect(diff / (3 * n)).toBeLessThan(12);
    // Zero flow does much worse: the check can fail.
    let zeroDiff = 0;
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) zeroDiff += Math.abs((b.image[3 * p + c] as number) - (a.image[3 * p + c] as number));
    expect(zeroDiff / (3 * w * h)).toBeGreaterThan(diff / (3 * n) + 3);
    // The forward-backward check on exact flows agrees with the known, in-frame mask almost everywhere.
    expect(fbAgree / (w * h)).toBeGreaterThan(0.97);
  });
});
