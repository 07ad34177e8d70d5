/**
 * The AdaptSegNet discriminator against a naive float64 reference (4x4 stride-2 convolutions
 * with padding 1, leaky ReLU 0.2), its PyTorch state-dict names and shapes, and the video
 * discriminator's input `[N, H, W, 2C]`.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { resetSeeds, stateDict } from '@pixelwise/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorInput, FCDiscriminator } from './discriminator.js';

/** Naive NHWC convolution, HWIO filter, stride 2, zero padding 1, in float64. */
function naiveConv(x: Float64Array, [n, h, w, c]: number[], filter: Float32Array, bias: Float32Array, k: number, out: number): { y: Float64Array; shape: number[] } {
  const oh = Math.floor((h! + 2 - k) / 2) + 1;
  const ow = Math.floor((w! + 2 - k) / 2) + 1;
  const y = new Float64Array(n! * oh * ow * out);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < out; o++) {
          let acc = bias[o] as number;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const yy = 2 * i - 1 + di;
              const xx = 2 * j - 1 + dj;
              if (yy < 0 || xx < 0 || yy >= h! || xx >= w!) continue;
              for (let ch = 0; ch < c!; ch++) acc += (x[((b * h! + yy) * w! + xx) * c! + ch] as number) * (filter[((di * k + dj) * c! + ch) * out + o] as number);
            }
          y[((b * oh + i) * ow + j) * out + o] = acc;
        }
  return { y, shape: [n!, oh, ow, out] };
}

describe('FCDiscriminator (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('equals a naive reference of five 4x4 stride-2 convolutions with leaky ReLU 0.2 (within 1e-4)', () => {
    resetSeeds(3);
    const d = new FCDiscriminator({ inChannels: 6, width: 4 });
    const x = tf.randomUniform([2, 32, 32, 6], 0, 1, 'float32', 7) as Tensor4D;
    const got = d.forward(x);
    expect(got.shape).toEqual([2, 1, 1, 1]);
    let v: Float64Array = Float64Array.from(x.dataSync());
    let shape = x.shape as number[];
    const convs = ['conv1', 'conv2', 'conv3', 'conv4', 'classifier'];
    const slots = new Map(d.namedSlots().map(([k, s]) => [k, s.variable]));
    convs.forEach((name, i) => {
      const filter = slots.get(`${name}.weight`) as tf.Variable;
      const bias = slots.get(`${name}.bias`) as tf.Variable;
      const r = naiveConv(v, shape, filter.dataSync() as Float32Array, bias.dataSync() as Float32Array, 4, filter.shape[3] as number);
      v = i < convs.length - 1 ? r.y.map((a) => (a > 0 ? a : 0.2 * a)) : r.y;
      shape = r.shape;
    });
    const g = got.dataSync();
    v.forEach((a, i) => expect(Math.abs(a - (g[i] as number))).toBeLessThan(1e-4));
    tf.dispose([x, got]);
    d.dispose();
  });

  it('has AdaptSegNet state-dict names and PyTorch shapes (64-128-256-512-1 on 2C inputs)', () => {
    const d = new FCDiscriminator({ inChannels: 16 });
    const sd = stateDict(d);
    expect([...sd.keys()]).toEqual(['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'conv3.weight', 'conv3.bias', 'conv4.weight', 'conv4.bias', 'classifier.weight', 'classifier.bias']);
    expect(sd.get('conv1.weight')?.shape).toEqual([64, 16, 4, 4]);
    expect(sd.get('conv4.weight')?.shape).toEqual([512, 256, 4, 4]);
    expect(sd.get('classifier.weight')?.shape).toEqual([1, 512, 4, 4]);
    tf.dispose([...sd.values()]);
    const out = d.forward(tf.zeros([1, 96, 96, 16]) as Tensor4D);
    expect(out.shape).toEqual([1, 3, 3, 1]);
    out.dispose();
    expect(() => d.forward(tf.zeros([1, 32, 32, 8]) as Tensor4D)).toThrow(/expected 16 input channels/);
    d.dispose();
  });

  it('sees [N, H, W, 2C] for frames t and t-k: one softmax over 2C (joint) or one per frame', () => {
    const [n, h, w, c] = [2, 5, 7, 4];
    const now = tf.randomNormal([n, h, w, c], 0, 2, 'float32', 1) as Tensor4D;
    const before = tf.randomNormal([n, h, w, c], 0, 2, 'float32', 2) as Tensor4D;
    const joint = discriminatorInput(now, before, 'joint');
    const perFrame = discriminatorInput(now, before, 'per-frame');
    const image = discriminatorInput(now);
    expect(joint.shape).toEqual([n, h, w, 2 * c]);
    expect(perFrame.shape).toEqual([n, h, w, 2 * c]);
    expect(image.shape).toEqual([n, h, w, c]);
    const sums = (t: Tensor4D, from: number, size: number) => Array.from(tf.sum(tf.slice(t, [0, 0, 0, from], [-1, -1, -1, size]), 3).dataSync());
    sums(joint, 0, 2 * c).forEach((s) => expect(s).toBeCloseTo(1, 5));
    sums(perFrame, 0, c).forEach((s) => expect(s).toBeCloseTo(1, 5));
    sums(perFrame, c, c).forEach((s) => expect(s).toBeCloseTo(1, 5));
    // Per frame, the first half is frame t's own softmax; jointly, it is proportional to it.
    const own = Array.from(tf.softmax(now).dataSync());
    const firstHalf = Array.from(tf.slice(perFrame, [0, 0, 0, 0], [-1, -1, -1, c]).dataSync());
    firstHalf.forEach((p, i) => expect(p).toBeCloseTo(own[i] as number, 6));
    expect(() => discriminatorInput(now, tf.zeros([n, h, w, c + 1]) as Tensor4D)).toThrow(/differ/);
    tf.dispose([now, before, joint, perFrame, image]);
  });
});
