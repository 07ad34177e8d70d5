/**
 * Core ops against PyTorch 1.13 (fixtures made by scripts/make_torch_fixtures.py):
 * outputs within 1e-4 and gradients within 1e-3, normwise relative, on cpu and wasm.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../tf.js';
import { BACKENDS, expectClose, useBackend } from '../test-utils/index.js';
import { adaptiveAvgPool2d } from './adaptive-avg-pool2d.js';
import { atrousConv2d } from './atrous-conv2d.js';
import { maxPoolWithSwitches, maxUnpool } from './max-pool-switches.js';
import { resizeBilinear } from './resize-bilinear.js';
import { bilinearKernel1d, bilinearUpsample, transposedConv2d } from './transposed-conv2d.js';

interface Packed {
  shape: number[];
  data: number[];
}
interface Case {
  op: string;
  name: string;
  params: Record<string, unknown>;
  [key: string]: unknown;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/torch-ops.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };
const OUT_TOL = 1e-4;
const GRAD_TOL = 1e-3;

function t(c: Case, key: string, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  const p = c[key] as Packed;
  return tf.tensor(p.data, p.shape, dtype);
}
function data(c: Case, key: string): number[] {
  return (c[key] as Packed).data;
}

/** Runs `f`, checks its output, then the gradients of sum(out * r) for the named inputs. */
function check(c: Case, inputs: Record<string, Tensor>, f: (args: Record<string, Tensor>) => Tensor, grads: Record<string, string>): void {
  const names = Object.keys(inputs);
  const out = f(inputs);
  expect(out.shape).toEqual((c.out as Packed).shape);
  expectClose(out.dataSync(), data(c, 'out'), OUT_TOL, `${c.op} ${c.name} output`);
  out.dispose();
  const gradNames = Object.keys(grads);
  if (gradNames.length === 0) return;
  const r = t(c, 'r');
  const g = tf.grads((...xs: Tensor[]) => {
    const args: Record<string, Tensor> = { ...inputs };
    gradNames.forEach((n, i) => (args[n] = xs[i] as Tensor));
    return tf.sum(tf.mul(f(args), r));
  })(gradNames.map((n) => inputs[n] as Tensor));
  gradNames.forEach((n, i) => expectClose((g[i] as Tensor).dataSync(), data(c, grads[n] as string), GRAD_TOL, `${c.op} ${c.name} ${grads[n]}`));
  g.forEach((x) => x.dispose());
  r.dispose();
  void names;
}

describe.each(BACKENDS)('PyTorch parity on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('covers every op of the fixture file', () => {
    const ops = new Set(fixture.cases.map((c) => c.op));
    expect([...ops].sort()).toEqual(['adaptiveAvgPool2d', 'atrousConv2d', 'bilinearUpsample', 'maxPoolWithSwitches', 'maxUnpool', 'resizeBilinear', 'transposedConv2d']);
  });

  for (const c of fixture.cases) {
    it(`${c.op} ${c.name}`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        switch (c.op) {
          case 'atrousConv2d': {
            const p = c.params as { rate: [number, number]; padding: 'same' | 'valid' };
            check(c, { x: t(c, 'x'), filter: t(c, 'filter'), bias: t(c, 'bias') },
              (a) => atrousConv2d(a.x as Tensor4D, a.filter as Tensor4D, { rate: p.rate, padding: p.padding, bias: a.bias as Tensor1D }),
              { x: 'gradX', filter: 'gradFilter', bias: 'gradBias' });
            break;
          }
          case 'resizeBilinear': {
            const p = c.params as { size: [number, number]; alignCorners: boolean };
            check(c, { x: t(c, 'x') }, (a) => resizeBilinear(a.x as Tensor4D, p.size, { alignCorners: p.alignCorners }), { x: 'gradX' });
            break;
          }
          case 'transposedConv2d': {
            const p = c.params as { stride: number; padding: number; outputPadding: number };
            check(c, { x: t(c, 'x'), filter: t(c, 'filter') }, (a) => transposedConv2d(a.x as Tensor4D, a.filter as Tensor4D, p), { x: 'gradX', filter: 'gradFilter' });
            break;
          }
          case 'bilinearUpsample': {
            const p = c.params as { factor: number };
            const k1 = bilinearKernel1d(p.factor);
            const k2: number[] = [];
            for (const a of k1) for (const b of k1) k2.push(a * b);
            expectClose(k2, data(c, 'kernel'), 1e-7, `FCN upsample_filt x${p.factor}`);
            check(c, { x: t(c, 'x') }, (a) => bilinearUpsample(a.x as Tensor4D, p.factor), {});
            break;
          }
          case 'maxPoolWithSwitches': {
            const p = c.params as { size: number; stride: number; padding: number; ceilMode: boolean };
            const x = t(c, 'x') as Tensor4D;
            const { switches } = maxPoolWithSwitches(x, p);
            expect(Array.from(switches.dataSync())).toEqual(data(c, 'switches'));
            check(c, { x }, (a) => maxPoolWithSwitches(a.x as Tensor4D, p).output, { x: 'gradX' });
            break;
          }
          case 'maxUnpool': {
            const p = c.params as { size: [number, number] };
            const sw = t(c, 'switches', 'int32') as Tensor4D;
            check(c, { x: t(c, 'x') }, (a) => maxUnpool(a.x as Tensor4D, sw, p.size), { x: 'gradX' });
            break;
          }
          case 'adaptiveAvgPool2d': {
            const p = c.params as { size: [number, number] };
            check(c, { x: t(c, 'x') }, (a) => adaptiveAvgPool2d(a.x as Tensor4D, p.size), { x: 'gradX' });
            break;
          }
          default:
            throw new Error(`fixture op ${c.op} has no test`);
        }
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
