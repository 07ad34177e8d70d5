import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectNoLeak, randomTensor, useBackend } from '../test-utils/index.js';
import { maxPoolWithSwitches, maxUnpool } from './max-pool-switches.js';

/** Direct max pooling with PyTorch's first-maximum rule. */
function naivePool(x: Tensor4D, k: number, s: number, p: number, ho: number, wo: number): { out: number[]; idx: number[] } {
  const [n, h, w, c] = x.shape;
  const v = x.dataSync();
  const out: number[] = [];
  const idx: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const yy = i * s + ky - p;
              const xx = j * s + kx - p;
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              const val = v[((b * h + yy) * w + xx) * c + ch] ?? -Infinity;
              if (val > best) {
                best = val;
                at = yy * w + xx;
              }
            }
          out.push(best);
          idx.push(at);
        }
  return { out, idx };
}

describe.each(BACKENDS)('maxPoolWithSwitches / maxUnpool on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const [k, s, p] of [[2, 2, 0], [3, 2, 1], [3, 3, 0], [2, 1, 0]] as Array<[number, number, number]>) {
    it(`matches direct pooling: window ${k} stride ${s} padding ${p}, odd sizes, batch 2`, () => {
      tf.tidy(() => {
        const x = randomTensor([2, 9, 11, 3], k * 7 + s) as Tensor4D;
        const { output, switches } = maxPoolWithSwitches(x, { size: k, stride: s, padding: p });
        const [, ho, wo] = output.shape;
        const ref = naivePool(x, k, s, p, ho, wo);
        expect(Array.from(output.dataSync())).toEqual(ref.out.map(Math.fround));
        expect(Array.from(switches.dataSync())).toEqual(ref.idx);
        expect(switches.dtype).toBe('int32');
      });
    });
  }

  it('breaks ties toward the first maximum and sends the gradient only there', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 5, 5, 2, 0, 0, 0, 0], [1, 2, 4, 1]);
      const { output, switches } = maxPoolWithSwitches(x, { size: 2 });
      expect(Array.from(output.dataSync())).toEqual([5, 5]);
      expect(Array.from(switches.dataSync())).toEqual([1, 2]);
      const g = tf.grad((a: Tensor) => tf.sum(maxPoolWithSwitches(a as Tensor4D, { size: 2 }).output))(x);
      expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
    });
  });

  it('unpools to the switch positions and zeros elsewhere (SegNet decoder)', () => {
    tf.tidy(() => {
      const x = randomTensor([2, 7, 9, 2], 41) as Tensor4D;
      const { output, switches } = maxPoolWithSwitches(x, { size: 2 });
      const up = maxUnpool(output, switches, [7, 9]);
      expect(up.shape).toEqual([2, 7, 9, 2]);
      const u = up.dataSync();
      const xv = x.dataSync();
      const sw = switches.dataSync();
      const ov = output.dataSync();
      let nonzero = 0;
      for (let i = 0; i < u.length; i++) if (u[i] !== 0) nonzero++;
      expect(nonzero).toBe(output.size);
      // Each pooled value lands exactly where it came from.
      for (let i = 0; i < sw.length; i++) {
        const ch = i % 2;
        const b = Math.floor(i / (output.size / 2));
        const pos = (b * 63 + (sw[i] ?? 0)) * 2 + ch;
        expect(u[pos]).toBe(ov[i]);
        expect(xv[pos]).toBe(ov[i]);
      }
    });
  });

  it('has numeric gradients through pooling and unpooling', () => {
    const x = randomTensor([2, 6, 7, 2], 42);
    checkGradient((a: Tensor) => maxPoolWithSwitches(a as Tensor4D, { size: 3, stride: 2, padding: 1 }).output, [x], 0, { eps: 1e-3, tolerance: 1e-2 });
    const pooled = randomTensor([2, 3, 3, 2], 43);
    const { switches } = maxPoolWithSwitches(x as Tensor4D, { size: 2 });
    checkGradient((a: Tensor) => maxUnpool(a as Tensor4D, switches, [6, 7]), [pooled], 0);
    tf.dispose([x, pooled, switches]);
  });

  it('leaks no tensors and checks shapes', () => {
    const x = randomTensor([1, 8, 8, 3], 44) as Tensor4D;
    expectNoLeak(() => {
      const r = maxPoolWithSwitches(x, { size: 2 });
      return [r.output, r.switches];
    });
    expectNoLeak(() =>
      tf.grad((a: Tensor) => {
        const r = maxPoolWithSwitches(a as Tensor4D, { size: 2 });
        return tf.sum(maxUnpool(r.output, r.switches, [8, 8]));
      })(x),
    );
    const r = maxPoolWithSwitches(x, { size: 2 });
    expect(() => maxUnpool(r.output, tf.zeros([1, 4, 4, 2], 'int32') as Tensor4D, [8, 8])).toThrow(/values \[1,4,4,3\] and switches \[1,4,4,2\] differ/);
    tf.dispose([x, r.output, r.switches]);
  });
});
