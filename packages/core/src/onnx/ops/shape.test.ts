/**
 * Data movement on ONNX Runtime against TensorFlow.js and core (wasm): concat over channels,
 * crop as Slice (core's `cropLike`), Pad in its three modes, Transpose, Reshape with `0` and `-1`.
 * Exact: these ops only move values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cropLike } from '../../ops/crop.js';
import { tf } from '../../tf.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore } from '../../test-utils/onnx.js';
import { onnx, OnnxGraph } from '../index.js';

const x = () => randomTensor([2, 7, 9, 3], 1) as Tensor4D;

describe('shape ops (ONNX Runtime vs tfjs / core, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  it('concat along channels', async () => {
    await expectOnnxMatchesCore({
      what: 'concat',
      tolerance: 0,
      x: x(),
      reference: (t) => tf.concat([t, tf.relu(t), t], 3),
      build: (g, i) => onnx.concat(g, [i, onnx.relu(g, i), i], 1),
    });
  });

  it("crop at an offset equals core's cropLike (FCN skip fusion)", async () => {
    await expectOnnxMatchesCore({
      what: 'crop',
      tolerance: 0,
      x: x(),
      reference: (t) => cropLike(t, [2, 4, 5, 3], [2, 3]),
      build: (g, i) => onnx.crop(g, i, [4, 5], [2, 3]),
    });
  });

  for (const mode of ['constant', 'reflect', 'edge'] as const) {
    it(`pad (${mode}) with asymmetric amounts`, async () => {
      const tfMode = mode === 'edge' ? undefined : mode;
      await expectOnnxMatchesCore({
        what: `pad ${mode}`,
        tolerance: 0,
        x: x(),
        reference: (t) => {
          const p: Array<[number, number]> = [[0, 0], [1, 2], [3, 0], [0, 0]];
          if (tfMode === 'constant') return tf.pad(t, p, 0.5);
          if (tfMode === 'reflect') return tf.mirrorPad(t, p, 'reflect');
          // edge: repeat the border rows/columns
          const rows = tf.concat([tf.slice(t, [0, 0, 0, 0], [-1, 1, -1, -1]), t, tf.slice(t, [0, 6, 0, 0], [-1, 1, -1, -1]), tf.slice(t, [0, 6, 0, 0], [-1, 1, -1, -1])], 1);
          const first = tf.slice(rows, [0, 0, 0, 0], [-1, -1, 1, -1]);
          return tf.concat([first, first, first, rows], 2);
        },
        build: (g, i) => onnx.pad(g, i, [[1, 2], [3, 0]], mode, 0.5),
      });
    });
  }

  it('transpose and reshape (0 keeps the symbolic batch, -1 is inferred)', async () => {
    await expectOnnxMatchesCore({
      what: 'transpose reshape',
      tolerance: 0,
      x: x(),
      // NCHW -> [N, C*H, W] -> [N, W, C*H] on the ONNX side is NHWC [N,H,W,C] -> ... on ours:
      reference: (t) => tf.transpose(tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [2, 21, 9]), [0, 2, 1]),
      build: (g, i) => {
        const r = onnx.reshape(g, i, [0, -1, 9]);
        expect(g.dims(r)).toEqual(['N', 21, 9]);
        return onnx.transpose(g, r, [0, 2, 1]);
      },
    });
  });

  it('slice and crop errors name the value', () => {
    const g = new OnnxGraph();
    const i = g.input('feat', 'float32', [1, 3, 4, 4]);
    expect(() => onnx.crop(g, i, [4, 4], [1, 0])).toThrow(/cannot crop 4x4 at offset \(1, 0\) from 'feat' of 4x4/);
    expect(() => onnx.slice(g, i, [2], [9], [1])).toThrow(/\[2:9\] on axis 1 of 'feat' \[1, 3, 4, 4\] is empty or out of range/);
    expect(() => onnx.reshape(g, onnx.transpose(g, i, [0, 2, 3, 1]), [-1, 3])).not.toThrow();
  });
});
