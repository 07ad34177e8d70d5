/**
 * `MaxPool` + `MaxUnpool` on ONNX Runtime against core's `maxPoolWithSwitches` + `maxUnpool`
 * (wasm), SegNet's 2x2/2 on odd sizes, with the indices made in the graph and with core's
 * per-plane switches fed in and converted. Exact: unpooling only moves values.
 */
import { describe, beforeAll, it } from 'vitest';
import { maxPoolWithSwitches, maxUnpool } from '../../ops/max-pool-switches.js';
import { tf } from '../../tf.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore, toNchw } from '../../test-utils/onnx.js';
import { onnx } from '../index.js';

describe('onnx.maxUnpool (ONNX Runtime vs core, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  for (const symbolicBatch of [true, false]) {
    for (const size of [[7, 9], [8, 6]] as const) {
      it(`pool then unpool on ${size.join('x')}, ${symbolicBatch ? 'symbolic' : 'fixed'} batch`, async () => {
        await expectOnnxMatchesCore({
          what: 'unpool',
          symbolicBatch,
          tolerance: 0,
          x: randomTensor([2, ...size, 3], 3) as Tensor4D,
          reference: (x) => {
            const { output, switches } = maxPoolWithSwitches(x, { size: 2 });
            return maxUnpool(tf.mul(output, 2), switches, [size[0], size[1]]);
          },
          build: (g, x) => {
            const { output, indices } = onnx.maxPoolWithIndices(g, x, { kernel: 2 });
            return onnx.maxUnpool(g, onnx.mul(g, output, g.scalar(2)), indices, { kernel: 2, outputSize: [size[0], size[1]] });
          },
        });
      });
    }

    it(`core's switches converted to ONNX indices, ${symbolicBatch ? 'symbolic' : 'fixed'} batch`, async () => {
      const source = randomTensor([2, 7, 9, 3], 4) as Tensor4D;
      const { output, switches } = maxPoolWithSwitches(source, { size: 2 });
      const s = toNchw(tf.cast(switches, 'float32') as Tensor4D);
      await expectOnnxMatchesCore({
        what: 'switches to indices',
        symbolicBatch,
        tolerance: 0,
        x: output,
        inputs: [{ name: 'switches', data: Int32Array.from(s.data), dims: s.dims }],
        reference: (x) => maxUnpool(x, switches, [7, 9]),
        build: (g, x, [sw]) => onnx.maxUnpool(g, x, onnx.switchesToIndices(g, sw as string, [7, 9]), { kernel: 2, outputSize: [7, 9] }),
      });
    });
  }
});
