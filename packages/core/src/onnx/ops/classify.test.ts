/**
 * `Softmax`, `ArgMax` and the top class probability (`ReduceMax` of `Softmax`, Deep Layer Cascade's
 * exit score) over channels on ONNX Runtime against TensorFlow.js (wasm) over the last (NHWC) axis;
 * argmax ties take the first maximum on both sides.
 */
import { beforeAll, describe, it } from 'vitest';
import { tf } from '../../tf.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore } from '../../test-utils/onnx.js';
import { onnx } from '../index.js';

describe('softmax and argmax (ONNX Runtime vs tfjs, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  it('softmax over channels', async () => {
    await expectOnnxMatchesCore({ what: 'softmax', x: tf.mul(randomTensor([2, 5, 6, 7], 1), 4) as Tensor4D, reference: (t) => tf.softmax(t, 3), build: (g, i) => onnx.softmax(g, i) });
  });

  it('argmax over channels, with ties', async () => {
    await expectOnnxMatchesCore({
      what: 'argmax',
      tolerance: 0,
      x: tf.round(randomTensor([2, 5, 6, 4], 2)) as Tensor4D,
      reference: (t) => tf.cast(tf.argMax(t, 3), 'float32'),
      build: (g, i) => {
        const labels = onnx.argMax(g, i);
        return onnx.cast(g, labels, 'float32');
      },
    });
  });

  it('top class probability, and the exit mask it gives at a threshold', async () => {
    const x = () => tf.mul(randomTensor([2, 5, 6, 4], 3), 3) as Tensor4D;
    const top = (t: Tensor4D) => tf.max(tf.softmax(t, 3), 3, true);
    await expectOnnxMatchesCore({ what: 'top probability', x: x(), reference: top, build: (g, i) => onnx.topProbability(g, i) });
    await expectOnnxMatchesCore({
      what: 'exit mask',
      tolerance: 0,
      x: x(),
      reference: (t) => tf.sub(1, tf.cast(tf.greaterEqual(top(t), 0.6), 'float32')),
      build: (g, i) => onnx.sub(g, g.scalar(1), onnx.cast(g, onnx.greaterOrEqual(g, onnx.topProbability(g, i), g.scalar(0.6)), 'float32')),
    });
  });
});
