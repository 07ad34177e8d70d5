/**
 * `Softmax` and `ArgMax` over channels on ONNX Runtime against TensorFlow.js (wasm) over the last
 * (NHWC) axis; argmax ties take the first maximum on both sides.
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
        return g.node1('Cast', [labels], { to: 1 }, { dtype: 'float32', dims: g.dims(labels) });
      },
    });
  });
});
