import { setBackend, tf } from '@pixelwise/core';
import { describe, expect, it } from 'vitest';
import { EVAL } from '../module.js';
import { createModel } from '../registry.js';
import { EncoderDecoder } from './encoder-decoder.js';

describe('EncoderDecoder.forwardWithFeature', () => {
  it('gives the output of forward, the head feature before the classifier and the scores on the head grid', async () => {
    await setBackend('wasm');
    const model = createModel('pspnet-lite', { numClasses: 5 });
    expect(model).toBeInstanceOf(EncoderDecoder);
    const m = model as EncoderDecoder;
    const x = tf.randomNormal([2, 48, 40, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const r = tf.tidy(() => {
      const plain = m.forward(x, EVAL).out;
      const f = m.forwardWithFeature(x, EVAL);
      return { gap: tf.max(tf.abs(tf.sub(plain, f.out))).dataSync()[0], out: f.out.shape, feature: f.feature.shape, scores: f.scores.shape };
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.gap).toBe(0);
    expect(r.out).toEqual([2, 48, 40, 5]);
    // Output stride 8; the PSP head's bottleneck is 64 channels at width x0.25.
    expect(r.scores).toEqual([2, 6, 5, 5]);
    expect(r.feature).toEqual([2, 6, 5, 64]);
    tf.dispose(x);
    model.dispose();
  });
});
