import { describe, expect, it } from 'vitest';

import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './float16.js';

const toF16 = (x: number): number => f32ToF16(Float32Array.of(x))[0] as number;
const fromF16 = (h: number): number => f16ToF32(Uint16Array.of(h))[0] as number;
const toBf16 = (x: number): number => f32ToBf16(Float32Array.of(x))[0] as number;
/** float32 with the given bit pattern. */
const f32 = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0] as number;

describe('float16', () => {
  it('encodes known bit patterns', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [0, 0x0000],
      [-0, 0x8000],
      [1e-10, 0x0000], // underflow to zero
      [-1e-10, 0x8000],
      [1e6, 0x7c00], // overflow to infinity
    ];
    for (const [x, h] of cases) expect(toF16(x)).toBe(h);
  });

  it('rounds to nearest, ties to even', () => {
    expect(toF16(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 (even) and 0x3c01
    expect(toF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02 (even)
    expect(toF16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(toF16(2049)).toBe(0x6800); // 2048
    expect(toF16(2051)).toBe(0x6802); // 2052
    expect(toF16(65519)).toBe(0x7bff);
    expect(toF16(65520)).toBe(0x7c00); // tie between 65504 (odd) and the "65536" infinity
    expect(toF16(2 ** -25)).toBe(0x0000); // tie between 0 (even) and 2^-24
    expect(toF16(1.5 * 2 ** -25)).toBe(0x0001);
    expect(toF16(3 * 2 ** -25)).toBe(0x0002); // tie between 0x0001 and 0x0002 (even)
    expect(toF16(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie rounds the largest subnormal up into the normals
  });

  it('keeps NaN a NaN', () => {
    const h = toF16(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x03ff).not.toBe(0);
    expect(fromF16(0x7e00)).toBeNaN();
    expect(fromF16(0x7c01)).toBeNaN();
    expect(fromF16(0xfe00)).toBeNaN();
  });

  it('decodes known bit patterns', () => {
    expect(fromF16(0x3c00)).toBe(1);
    expect(fromF16(0x7bff)).toBe(65504);
    expect(fromF16(0x0001)).toBe(2 ** -24);
    expect(fromF16(0x03ff)).toBe(2 ** -14 - 2 ** -24);
    expect(fromF16(0x0400)).toBe(2 ** -14);
    expect(fromF16(0xc000)).toBe(-2);
    expect(fromF16(0x7c00)).toBe(Infinity);
    expect(fromF16(0xfc00)).toBe(-Infinity);
    expect(Object.is(fromF16(0x8000), -0)).toBe(true);
    expect(Object.is(fromF16(0x8001), -(2 ** -24))).toBe(true);
  });

  it('round-trips all 65536 bit patterns (NaNs stay NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = f32ToF16(f16ToF32(all));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) expect(((back[h] as number) & 0x7fff) > 0x7c00).toBe(true);
      else if (back[h] !== h) expect(back[h]).toBe(h);
    }
  });

  it('matches a brute-force nearest-value oracle on random and midpoint inputs', () => {
    // Finite non-negative halves in increasing order, as float32 values.
    const values = f16ToF32(Uint16Array.from({ length: 0x7c00 }, (_, i) => i));
    const oracle = (x: number): number => {
      const a = Math.abs(x);
      let lo = 0;
      let hi = values.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if ((values[mid] as number) <= a) lo = mid;
        else hi = mid;
      }
      // Past the largest finite value the "next" value is 65536, i.e. infinity.
      const [vLo, vHi, hHi] = a >= 65504 ? [65504, 65536, 0x7c00] : [values[lo] as number, values[hi] as number, hi];
      const h = a - vLo < vHi - a ? (a >= 65504 ? 0x7bff : lo) : a - vLo > vHi - a ? hHi : (hHi & 1) === 0 ? hHi : hHi - 1;
      return (x < 0 || Object.is(x, -0) ? 0x8000 : 0) | h;
    };
    const inputs: number[] = [];
    let seed = 12345;
    for (let i = 0; i < 20000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const bits = (seed & 0x807fffff) | ((((seed >>> 23) & 0x1f) + 100) << 23); // exponents near the half range
      inputs.push(f32(bits >>> 0));
    }
    for (let h = 0; h < 0x7bff; h += 7) inputs.push(((values[h] as number) + (values[h + 1] as number)) / 2);
    const got = f32ToF16(Float32Array.from(inputs));
    inputs.forEach((x, i) => {
      if (got[i] !== oracle(Math.fround(x))) expect([x, got[i]]).toEqual([x, oracle(Math.fround(x))]);
    });
  });
});

describe('bfloat16', () => {
  it('encodes and decodes known bit patterns', () => {
    expect(toBf16(1)).toBe(0x3f80);
    expect(toBf16(-2)).toBe(0xc000);
    expect(toBf16(Infinity)).toBe(0x7f80);
    expect(toBf16(-0)).toBe(0x8000);
    expect(toBf16(f32(0x7f7fffff))).toBe(0x7f80); // float32 max rounds up to infinity
    expect(toBf16(3.140625)).toBe(0x4049);
    expect([...bf16ToF32(Uint16Array.of(0x3f80, 0xc000, 0x7f80, 0x4049))]).toEqual([1, -2, Infinity, 3.140625]);
    expect(Object.is(bf16ToF32(Uint16Array.of(0x8000))[0], -0)).toBe(true);
  });

  it('rounds to nearest, ties to even', () => {
    expect(toBf16(f32(0x3f808000))).toBe(0x3f80); // tie, 0x3f80 even
    expect(toBf16(f32(0x3f818000))).toBe(0x3f82); // tie, 0x3f82 even
    expect(toBf16(f32(0x3f808001))).toBe(0x3f81); // above the tie
    expect(toBf16(f32(0x3f807fff))).toBe(0x3f80); // below the tie
    expect(toBf16(f32(0xbf818000))).toBe(0xbf82); // negative tie
  });

  it('keeps NaN a NaN, including NaNs whose payload sits in the dropped bits', () => {
    for (const bits of [0x7fc00000, 0x7f800001, 0xffc00000]) {
      const b = f32ToBf16(new Float32Array(Uint32Array.of(bits).buffer))[0] as number;
      expect(bf16ToF32(Uint16Array.of(b))[0]).toBeNaN();
      expect(b >> 15).toBe(bits >>> 31);
    }
  });

  it('round-trips all 65536 bit patterns except signalling NaNs (which become quiet)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = f32ToBf16(bf16ToF32(all));
    for (let b = 0; b < 65536; b++) {
      const expected = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0 ? b | 0x40 : b;
      if (back[b] !== expected) expect(back[b]).toBe(expected);
    }
  });
});
