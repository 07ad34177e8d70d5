/** Shared helpers for core's tests: seeded data, naive references, tolerances, gradient checks. */
import { expect } from 'vitest';
import { setBackend, type ConcreteBackend } from '../backend.js';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import { rng } from './rng.js';

export { rng };

/** Backends every op is tested on. */
export const BACKENDS: ConcreteBackend[] = ['cpu', 'wasm'];

export async function useBackend(name: ConcreteBackend): Promise<void> {
  const choice = await setBackend(name);
  expect(choice.backend).toBe(name);
}

/** Standard normal samples (Box-Muller) from a seeded generator. */
export function randn(size: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

export function randomTensor(shape: number[], seed: number): Tensor {
  return tf.tensor(randn(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** Normwise relative error: `max|a - b| / max|b|`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return diff / Math.max(scale, 1e-12);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what = 'values'): void {
  const err = relativeError(actual, expected);
  expect(err, `${what}: relative error ${err.toExponential(2)} exceeds ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

export interface NaiveConvOptions {
  stride?: [number, number];
  rate?: [number, number];
  pad?: [[number, number], [number, number]];
}

/** Direct 2-D convolution in float64: x `[N,H,W,Cin]`, filter `[kH,kW,Cin,Cout]`. */
export function naiveConv2d(
  x: { shape: number[]; data: ArrayLike<number> },
  f: { shape: number[]; data: ArrayLike<number> },
  o: NaiveConvOptions = {},
): { shape: number[]; data: Float64Array } {
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const [kh, kw, , cout] = f.shape as [number, number, number, number];
  const [sh, sw] = o.stride ?? [1, 1];
  const [rh, rw] = o.rate ?? [1, 1];
  const [[pt, pb], [pl, pr]] = o.pad ?? [[0, 0], [0, 0]];
  const ho = Math.floor((h + pt + pb - (kh - 1) * rh - 1) / sh) + 1;
  const wo = Math.floor((w + pl + pr - (kw - 1) * rw - 1) / sw) + 1;
  const out = new Float64Array(n * ho * wo * cout);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let co = 0; co < cout; co++) {
          let acc = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh + ky * rh - pt;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw + kx * rw - pl;
              if (ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < cin; ci++) {
                acc += (x.data[((b * h + iy) * w + ix) * cin + ci] ?? 0) * (f.data[((ky * kw + kx) * cin + ci) * cout + co] ?? 0);
              }
            }
          }
          out[((b * ho + oy) * wo + ox) * cout + co] = acc;
        }
  return { shape: [n, ho, wo, cout], data: out };
}

/**
 * Checks the analytic gradient of `sum(op(x) * R)` with respect to input `which` against
 * central differences computed in float64 from the op's outputs, at `samples` coordinates.
 * `eps` can be large for ops that are linear in that input (the difference is then exact).
 */
export function checkGradient(
  op: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  which: number,
  options: { eps?: number; samples?: number; tolerance?: number; seed?: number } = {},
): void {
  const eps = options.eps ?? 0.5;
  const samples = options.samples ?? 24;
  const tolerance = options.tolerance ?? 1e-3;
  const probe = op(...inputs);
  const r = randn(probe.size, options.seed ?? 99);
  const rT = tf.tensor(r, probe.shape);
  probe.dispose();
  const grads = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(op(...xs), rT)))(inputs);
  const analytic = grads[which]?.dataSync() ?? new Float32Array();
  const target = inputs[which] as Tensor;
  const base = Float32Array.from(target.dataSync());
  const pick = rng(options.seed ?? 7);
  const numeric: number[] = [];
  const chosen: number[] = [];
  const lossAt = (data: Float32Array): number => {
    const args = inputs.map((t, i) => (i === which ? tf.tensor(data, target.shape) : t));
    const y = op(...args);
    const v = y.dataSync();
    let acc = 0;
    for (let i = 0; i < v.length; i++) acc += (v[i] ?? 0) * (r[i] ?? 0);
    y.dispose();
    args[which]?.dispose();
    return acc;
  };
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(pick() * base.length);
    const plus = base.slice();
    const minus = base.slice();
    plus[i] = (plus[i] ?? 0) + eps;
    minus[i] = (minus[i] ?? 0) - eps;
    numeric.push((lossAt(plus) - lossAt(minus)) / (2 * eps));
    chosen.push(analytic[i] ?? 0);
  }
  rT.dispose();
  grads.forEach((g) => g.dispose());
  expectClose(chosen, numeric, tolerance, `gradient of input ${which}`);
}

/** Asserts `fn` leaves no new tensors behind (after disposing what it returns). */
export function expectNoLeak(fn: () => Tensor | Tensor[] | Record<string, Tensor>): void {
  const before = tf.memory().numTensors;
  const out = fn();
  const list = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out);
  list.forEach((t) => t.dispose());
  expect(tf.memory().numTensors).toBe(before);
}

export function asArray(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

export type { Tensor4D };
