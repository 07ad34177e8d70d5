/**
 * Activations and broadcasting arithmetic on ONNX Runtime against TensorFlow.js (wasm): ReLU,
 * ReLU6 as Clip, sigmoid, and PyTorch's hardsigmoid / hardswish (`relu6(x + 3) / 6`, the
 * definitions in models' `activate`). Tolerance 1e-5 normwise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore } from '../../test-utils/onnx.js';
import { onnx, OnnxGraph } from '../index.js';

// Spread over [-6, 6] so every piece of the piecewise-linear activations is hit.
const x = () => tf.mul(randomTensor([2, 5, 7, 3], 1), 3) as Tensor4D;
const hardsigmoid = (t: Tensor4D) => tf.div(tf.relu6(tf.add(t, 3)), 6);

describe('element-wise ops (ONNX Runtime vs tfjs, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  const cases: Array<[string, (t: Tensor4D) => ReturnType<typeof tf.relu>, (g: OnnxGraph, i: string) => string]> = [
    ['relu', (t) => tf.relu(t), (g, i) => onnx.relu(g, i)],
    ['relu6 as Clip(0, 6)', (t) => tf.relu6(t), (g, i) => onnx.clip(g, i, 0, 6)],
    ['sigmoid', (t) => tf.sigmoid(t), (g, i) => onnx.sigmoid(g, i)],
    ['hardsigmoid (alpha 1/6, beta 0.5)', hardsigmoid, (g, i) => onnx.hardSigmoid(g, i)],
    ['hardswish', (t) => tf.mul(t, hardsigmoid(t)), (g, i) => onnx.hardSwish(g, i)],
  ];
  for (const [what, reference, build] of cases) {
    it(what, async () => {
      await expectOnnxMatchesCore({ what, x: x(), reference, build });
    });
  }

  it('add and mul broadcast a per-channel constant', async () => {
    const scale = Float32Array.of(0.5, -1, 2);
    await expectOnnxMatchesCore({
      what: 'broadcast',
      x: x(),
      reference: (t) => tf.add(tf.mul(t, tf.tensor1d(scale)), t),
      build: (g, i) => onnx.add(g, onnx.mul(g, i, g.initializer('scale', 'float32', [1, 3, 1, 1], scale)), i),
    });
  });

  it('refuses shapes that do not broadcast', () => {
    const g = new OnnxGraph();
    const a = g.input('a', 'float32', [1, 3, 4, 4]);
    const b = g.input('b', 'float32', [1, 2, 4, 4]);
    expect(() => onnx.add(g, a, b)).toThrow(/onnx Add: shapes \[1, 3, 4, 4\] and \[1, 2, 4, 4\] do not broadcast/);
  });
});
