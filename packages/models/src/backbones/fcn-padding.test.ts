/**
 * FCN's stage 1 exported with the reduced conv1_1 padding and the repeated constant pool3 rows
 * (`fcn-padding.ts`) gives the pool3 map the TensorFlow.js forward computes with the full
 * 100-pixel padding, at frame sizes from 1 pixel to 128 (odd, even, non-square), within 1e-5
 * normwise relative (float rounding only; the export test's usual bound is 1e-4). The map does
 * have distinct border, constant and frame rows, so a wrong row index would fail. The TensorFlow.js
 * forward does the same (`FcnVgg16.stage(0)`): same values, and the same gradients for training.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL, TRAIN } from '../module.js';
import { expectExportMatchesForward, randomizeParameters } from '../test-utils/onnx.js';
import { FCN_FIRST_PADDING, FCN_SKIPPED_PAD_ROWS, fcnReducedPadding, repeatRows } from './fcn-padding.js';
import { FcnVgg16 } from './vgg.js';

describe('FCN stage 1 with the reduced padding', () => {
  beforeAll(() => setBackend('wasm'));

  it('maps every full pool3 row to a reduced one, in order, repeating one row per band', () => {
    for (const n of [1, 2, 7, 8, 9, 40, 57, 128, 333]) {
      const { padding, rows } = fcnReducedPadding(n);
      expect(padding).toBe(FCN_FIRST_PADDING - 8 * FCN_SKIPPED_PAD_ROWS);
      const full = Math.ceil(Math.ceil(Math.ceil((n + 198) / 2) / 2) / 2);
      expect(rows).toHaveLength(full);
      const reduced = full - 2 * FCN_SKIPPED_PAD_ROWS;
      expect(new Set(rows)).toEqual(new Set(Array.from({ length: reduced }, (_, i) => i)));
      rows.slice(1).forEach((r, i) => expect(r - (rows[i] as number)).toBeGreaterThanOrEqual(0));
      expect(rows.length - new Set(rows).size).toBe(2 * FCN_SKIPPED_PAD_ROWS);
    }
    expect(fcnReducedPadding(40, 0)).toEqual({ padding: 100, rows: Array.from({ length: 30 }, (_, i) => i) });
    expect(() => fcnReducedPadding(40, 7)).toThrow(/at most 6 rows/);
  });

  it.each([
    [1, 1],
    [1, 9],
    [8, 8],
    [17, 23],
    [40, 40],
    [64, 33],
    [128, 128],
  ])('pool3 of a %ix%i frame equals the fully padded forward', async (h, w) => {
    const vgg = new FcnVgg16(0.0625);
    randomizeParameters(vgg, 5);
    // Positive biases keep the padding's constant alive through the ReLUs, so the border rows differ from it.
    for (const [name, slot] of vgg.namedSlots()) if (name.endsWith('bias')) slot.variable.assign(tf.tidy(() => tf.add(tf.abs(slot.variable), 0.1)));
    const x = tf.randomNormal([1, h, w, 3], 0, 1, 'float32', h * 1000 + w) as Tensor4D;
    const ref = tf.tidy(() => vgg.fullyPaddedStage1(x, EVAL));
    // The map has border-influenced rows next to the constant ones: a misplaced row would show.
    const rowsOf = (r: number) => tf.tidy(() => tf.slice(ref, [0, r, 0, 0], [1, 1, -1, -1]).dataSync());
    const [edge, constant] = [rowsOf(2), rowsOf(3)];
    expect(edge.some((v, i) => Math.abs(v - (constant[i] as number)) > 1e-4)).toBe(true);
    await expectExportMatchesForward({ what: `fcn stage 1 ${h}x${w}`, root: vgg, x, forward: (t) => vgg.fullyPaddedStage1(t, EVAL), emit: (g, input) => vgg.stageToOnnx(0, g, input), tolerance: 1e-5 });
    tf.dispose([x, ref]);
    vgg.dispose();
  });

  it('repeatRows gathers rows along an axis, as tf.gather does', () => {
    const x = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 4, 3]);
    for (const [axis, rows] of [[1, [0, 0, 1, 2, 2, 2, 3]], [2, [2, 1, 0]], [1, [0, 1, 2, 3]]] as const) {
      expect(Array.from(repeatRows(x, axis, rows).dataSync())).toEqual(Array.from(tf.gather(x, rows as unknown as number[], axis).dataSync()));
    }
    // A repeated row's gradient is the sum of its copies' gradients.
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(repeatRows(t, 0, [0, 0, 0, 1]), tf.tensor2d([[1], [2], [3], [4]]))))(tf.tensor2d([[5], [6]]));
    expect(Array.from(g.dataSync())).toEqual([6, 4]);
  });

  it.each([
    [1, 1],
    [17, 23],
    [64, 33],
    [96, 96],
  ])('the TensorFlow.js stage 1 of a %ix%i frame equals the fully padded one, values and gradients', (h, w) => {
    const vgg = new FcnVgg16(0.0625);
    randomizeParameters(vgg, 7);
    for (const [name, slot] of vgg.namedSlots()) if (name.endsWith('bias')) slot.variable.assign(tf.tidy(() => tf.add(tf.abs(slot.variable), 0.1)));
    const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', h * 100 + w) as Tensor4D;
    const reduced = tf.tidy(() => vgg.stage(0, x, TRAIN));
    const full = tf.tidy(() => vgg.fullyPaddedStage1(x, TRAIN));
    expect(reduced.shape).toEqual(full.shape);
    const relErr = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));
    expect(relErr(reduced, full)).toBeLessThan(1e-5);
    // Gradients of a loss that weights every pool3 position differently (the constant rows included).
    const weights = tf.randomNormal(full.shape, 0, 1, 'float32', 3);
    const vars = vgg.trainableVariables();
    const gradsOf = (f: () => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.mul(f(), weights)) as tf.Scalar, vars).grads;
    const a = gradsOf(() => vgg.stage(0, x, TRAIN));
    const b = gradsOf(() => vgg.fullyPaddedStage1(x, TRAIN));
    let compared = 0;
    for (const v of vars) {
      const [ga, gb] = [a[v.name], b[v.name]];
      if (!gb) continue;
      expect(ga, v.name).toBeDefined();
      expect(relErr(ga as tf.Tensor, gb), v.name).toBeLessThan(1e-4);
      compared++;
    }
    expect(compared).toBe(14);
    tf.dispose([x, reduced, full, weights, ...Object.values(a), ...Object.values(b)]);
    vgg.dispose();
  });
});
