/**
 * Bilinear `Resize` on ONNX Runtime against core's `resizeBilinear` (wasm) for both align-corners
 * settings: up by 2, by odd factors, down, to and from one pixel. Tolerance 1e-5 normwise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBilinear } from '../../ops/resize-bilinear.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore } from '../../test-utils/onnx.js';
import { onnx, OnnxGraph } from '../index.js';

const cases: Array<[string, [number, number], [number, number]]> = [
  ['up 2x', [7, 9], [14, 18]],
  ['up by odd factors', [7, 9], [20, 13]],
  ['down', [13, 17], [5, 7]],
  ['to one pixel', [5, 4], [1, 1]],
  ['to one row', [6, 5], [1, 9]],
  ['from one pixel', [1, 1], [4, 3]],
];

describe('onnx.resize (ONNX Runtime vs core resizeBilinear, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  for (const alignCorners of [false, true]) {
    for (const [what, from, to] of cases) {
      it(`${what} ${from.join('x')} -> ${to.join('x')}, alignCorners ${alignCorners}`, async () => {
        await expectOnnxMatchesCore({
          what,
          x: randomTensor([2, ...from, 3], 7) as Tensor4D,
          reference: (x) => resizeBilinear(x, to, { alignCorners }),
          build: (g, x) => onnx.resize(g, x, to, { alignCorners }),
        });
      });
    }
  }

  it('with a fixed batch the target shape is a constant; with a symbolic one it is read at run time', () => {
    const fixed = new OnnxGraph();
    onnx.resize(fixed, fixed.input('x', 'float32', [1, 3, 4, 4]), [8, 8]);
    expect(fixed.opTypes()).toEqual(['Resize']);
    const symbolic = new OnnxGraph();
    onnx.resize(symbolic, symbolic.input('x', 'float32', ['N', 3, 4, 4]), [8, 8]);
    expect(symbolic.opTypes()).toEqual(['Shape', 'Slice', 'Concat', 'Resize']);
  });
});
