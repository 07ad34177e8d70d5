/**
 * Region convolution as Gather -> MatMul -> ScatterND on ONNX Runtime against core's
 * `regionConv2d` on TensorFlow.js (wasm): the same values at the region's pixels and zeros
 * elsewhere, for a 3x3 kernel at dilation 1 and 2 and a 1x1 kernel, with the region (and so the
 * number of gathered rows) chosen when the graph runs. Tolerance 1e-5 normwise.
 */
import { checkOnnx, relativeError, runOnnx, toOnnxLayout } from '@pixelwise/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskPositions, regionConv2d } from '../../ops/region-conv2d.js';
import { tf } from '../../tf.js';
import type { Tensor1D, Tensor4D } from '../../tf.js';
import { randomTensor, rng, useBackend } from '../../test-utils/index.js';
import { onnx, OnnxGraph } from '../index.js';

function mask(shape: [number, number, number, number], density: number, seed: number): Tensor4D {
  const r = rng(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() < density ? 1 : 0)), shape);
}

describe('region convolution (ONNX Runtime vs core regionConv2d, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  for (const [k, rate, density] of [[3, 1, 0.3], [3, 2, 0.6], [1, 1, 0.25]] as const) {
    it(`${k}x${k} kernel, dilation ${rate}, ${density * 100}% of the pixels`, async () => {
      const [n, h, w, cin, cout] = [2, 7, 9, 3, 5];
      const pad = rate * ((k - 1) / 2);
      const x = randomTensor([n, h, w, cin], 61) as Tensor4D;
      const filter = randomTensor([k, k, cin, cout], 62) as Tensor4D;
      const bias = randomTensor([cout], 63) as Tensor1D;
      const m = mask([n, h, w, 1], density, 64);
      const expected = regionConv2d(x, filter, m, { rate, padding: pad, bias });

      const g = new OnnxGraph('region');
      const input = g.input('x', 'float32', [n, cin, h, w]);
      const taps = g.input('taps', 'int64', ['P', k * k]);
      const centers = g.input('centers', 'int64', ['P', 1]);
      const oihw = tf.transpose(filter, [3, 2, 0, 1]);
      const matrix = onnx.regionConvMatrix({ data: Float32Array.from(oihw.dataSync() as Float32Array), dims: oihw.shape });
      const rows = onnx.pixelRows(g, input, pad);
      const values = onnx.regionConv(g, rows, taps, { matrix, bias: Float32Array.from(bias.dataSync() as Float32Array) });
      const rowCount = n * (h + 2 * pad) * (w + 2 * pad);
      const out = onnx.scatterRows(g, onnx.zeroRows(g, rowCount, cout), centers, values);
      g.output(onnx.fromPixelRows(g, out, [n, cout, h, w], pad), 'y');
      const bytes = g.toBytes();
      checkOnnx(bytes);

      const region = onnx.regionTaps(maskPositions(m), [n, h, w], { kernel: k, dilation: rate, pad });
      expect(region.count).toBeGreaterThan(0);
      const { y } = await runOnnx(bytes, {
        x: toOnnxLayout(Float32Array.from(x.dataSync() as Float32Array), x.shape),
        taps: { data: region.taps, dims: [region.count, k * k] },
        centers: { data: region.centers, dims: [region.count, 1] },
      });
      const want = toOnnxLayout(Float32Array.from(expected.dataSync() as Float32Array), expected.shape);
      expect(y?.dims).toEqual(want.dims);
      expect(relativeError(y?.data ?? [], want.data)).toBeLessThan(1e-5);
      tf.dispose([x, filter, bias, m, expected, oihw]);
    });
  }

  it('refuses taps that leave the padded grid', () => {
    expect(() => onnx.regionTaps([0], [1, 4, 4], { kernel: 3, dilation: 2, pad: 1 })).toThrow(/needs padding 2, got 1/);
  });
});
