/**
 * `segmentorLoss` picks one pixel loss for every term: main scores, auxiliary heads (weighted) and
 * cascade stages (over the pixels reaching each, as ignored labels for the IoU losses), checked
 * against the losses called by hand on hand-masked labels.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SegmentorOutput } from '../segmentors/segmentor.js';
import { crossEntropy } from './cross-entropy.js';
import { lovaszSoftmaxLoss } from './lovasz-softmax.js';
import { segmentorLoss } from './segmentor-loss.js';
import { softIouLoss } from './soft-iou.js';

const shape: [number, number, number, number] = [2, 3, 4, 3];
const n = shape[0] * shape[1] * shape[2];
let s = 11;
const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const labelData = Int32Array.from({ length: n }, (_, i) => (i % 7 === 6 ? 255 : Math.floor(next() * 3)));
const reachData = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
const logits = () => tf.tensor4d(Float32Array.from({ length: n * 3 }, () => 4 * (next() - 0.5)), shape);
const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('segmentorLoss', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  for (const [name, loss] of [['iou', softIouLoss], ['lovasz', lovaszSoftmaxLoss]] as const) {
    it(`--loss ${name}: main + 0.4 aux, and stages over the pixels reaching them`, () => {
      const labels = tf.tensor3d(labelData, shape.slice(0, 3) as [number, number, number], 'int32');
      const out = logits();
      const aux = logits();
      const plain: SegmentorOutput = { out, aux: [aux] };
      const expected = value(loss(out, labels)) + 0.4 * value(loss(aux, labels));
      expect(value(segmentorLoss(plain, labels, { loss: name }))).toBeCloseTo(expected, 6);
      expect(value(segmentorLoss(plain, labels, { loss: name, auxWeight: 0 }))).toBeCloseTo(value(loss(out, labels)), 6);

      // Stage 1 sees every pixel, stage 2 two thirds: the others count as ignored.
      const reach = tf.tensor3d(reachData, labels.shape);
      const masked = tf.tensor3d(labelData.map((l, i) => (reachData[i] === 0 ? 255 : l)), labels.shape, 'int32');
      const stage2 = logits();
      const staged: SegmentorOutput = { out: stage2, aux: [], stages: [{ out, reach: tf.ones(labels.shape) as Tensor3D }, { out: stage2, reach }] };
      const want = value(loss(out, labels)) + value(loss(stage2, masked));
      expect(value(segmentorLoss(staged, labels, { loss: name }))).toBeCloseTo(want, 6);
      expect(() => segmentorLoss(plain, labels, { loss: name, classWeights: [1, 1, 1] })).toThrow(`segmentorLoss: class weights apply to the cross-entropy loss only, not '${name}'`);
      tf.dispose([labels, out, aux, reach, masked, stage2, ...(staged.stages ?? []).map((st) => st.reach)]);
    });
  }

  it('--loss ce (the default) is cross-entropy, with the reach mask as pixel weights', () => {
    const labels = tf.tensor3d(labelData, shape.slice(0, 3) as [number, number, number], 'int32');
    const out = logits();
    const reach = tf.tensor3d(reachData, labels.shape);
    const before = tf.memory().numTensors;
    expect(value(segmentorLoss({ out, aux: [] }, labels))).toBeCloseTo(value(crossEntropy(out, labels)), 6);
    expect(value(segmentorLoss({ out, aux: [], stages: [{ out, reach }] }, labels, { loss: 'ce' }))).toBeCloseTo(value(crossEntropy(out, labels, { pixelWeights: reach })), 6);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([labels, out, reach] as Array<Tensor3D | Tensor4D>);
  });
});
