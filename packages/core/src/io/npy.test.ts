import { describe, expect, it } from 'vitest';

import { readNpy, writeNpy } from './npy.js';
import type { NpyArray, NpyDType } from './npy.js';
import { catchFormatError } from '../test-utils/format-error.js';


const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const hex = (s: string): number[] => (s.match(/../g) ?? []).map((b) => parseInt(b, 16));

/** A file as `np.save` lays it out: magic, version, header length, header, data. */
function npyFile(header: string, data: number[], version: [number, number] = [1, 0]): Uint8Array {
  const h = version[0] === 3 ? [...new TextEncoder().encode(header)] : ascii(header);
  const len = version[0] === 1 ? [h.length & 255, h.length >> 8] : [h.length & 255, (h.length >> 8) & 255, (h.length >> 16) & 255, 0];
  return Uint8Array.from([0x93, ...ascii('NUMPY'), ...version, ...len, ...h, ...data]);
}

/** The header dict padded like NumPy so that the data starts at byte 128. */
const padded = (dict: string): string => dict.padEnd(117, ' ') + '\n';

describe('readNpy on files written by NumPy 2.4 (np.save)', () => {
  it('reads float32 (2, 3)', () => {
    const bytes = npyFile(padded("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), hex('000000000000803f0000004000004040000080400000a040'));
    expect(bytes.length).toBe(152);
    const arr = readNpy(bytes);
    expect(arr.dtype).toBe('<f4');
    expect(arr.shape).toEqual([2, 3]);
    expect(arr.data).toEqual(Float32Array.of(0, 1, 2, 3, 4, 5));
    expect(writeNpy(arr)).toEqual(bytes); // byte for byte what NumPy writes
  });

  it('reads bool (3,) and an int64 scalar', () => {
    const b = npyFile(padded("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }"), [1, 0, 1]);
    expect(readNpy(b)).toEqual({ dtype: '|b1', shape: [3], data: Uint8Array.of(1, 0, 1) });
    expect(writeNpy(readNpy(b))).toEqual(b);
    const s = npyFile(padded("{'descr': '<i8', 'fortran_order': False, 'shape': (), }"), hex('0700000000000000'));
    expect(readNpy(s)).toEqual({ dtype: '<i8', shape: [], data: BigInt64Array.of(7n) });
    expect(writeNpy(readNpy(s))).toEqual(s);
  });
});

describe('readNpy / writeNpy round trip', () => {
  const make: Record<NpyDType, (n: number) => NpyArray['data']> = {
    '<f4': (n) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7.25),
    '<f8': (n) => Float64Array.from({ length: n }, (_, i) => Math.PI * (i - 17)),
    '<i4': (n) => Int32Array.from({ length: n }, (_, i) => (i - 17) * 100_000_007),
    '<i8': (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i - 17) * 10n ** 17n),
    '|u1': (n) => Uint8Array.from({ length: n }, (_, i) => i * 7),
    '|i1': (n) => Int8Array.from({ length: n }, (_, i) => i * 7 - 128),
    '<u2': (n) => Uint16Array.from({ length: n }, (_, i) => i * 1871),
    '<i2': (n) => Int16Array.from({ length: n }, (_, i) => i * 1871 - 32768),
    '<u4': (n) => Uint32Array.from({ length: n }, (_, i) => i * 122_000_007),
    '|b1': (n) => Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0),
  };
  for (const [dtype, data] of Object.entries(make) as [NpyDType, (n: number) => NpyArray['data']][]) {
    it(`${dtype} with shapes (7, 5), (), (0,), (2, 3, 4)`, () => {
      for (const shape of [[7, 5], [], [0], [2, 3, 4]]) {
        const arr = { dtype, shape, data: data(shape.reduce((a, b) => a * b, 1)) } as NpyArray;
        const bytes = writeNpy(arr);
        expect((bytes.length - arr.data.byteLength) % 64).toBe(0);
        const back = readNpy(bytes);
        expect(back).toEqual(arr);
        expect(back.data.constructor).toBe(arr.data.constructor);
      }
    });
  }

  it('switches to format 2.0 when the header exceeds 65535 bytes', () => {
    const shape = new Array<number>(25_000).fill(1);
    const bytes = writeNpy({ dtype: '<f4', shape, data: Float32Array.of(3) });
    expect([bytes[6], bytes[7]]).toEqual([2, 0]);
    expect((bytes.length - 4) % 64).toBe(0);
    const back = readNpy(bytes);
    expect(back.shape).toHaveLength(25_000);
    expect(back.data).toEqual(Float32Array.of(3));
  });

  it('copies data at an unaligned offset into an aligned array', () => {
    const bytes = writeNpy({ dtype: '<f8', shape: [3], data: Float64Array.of(1.5, -2, 1e300) });
    const big = new Uint8Array(bytes.length + 1);
    big.set(bytes, 1);
    const arr = readNpy(big.subarray(1));
    expect(arr.data).toEqual(Float64Array.of(1.5, -2, 1e300));
    expect(arr.data.byteOffset).toBe(0);
  });
});

describe('readNpy header variants', () => {
  it('reads format 2.0 and 3.0 (UTF-8) headers', () => {
    const dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }";
    const v2 = npyFile(dict.padEnd(115) + '\n', [1, 0, 2, 0], [2, 0]);
    expect(readNpy(v2)).toEqual({ dtype: '<u2', shape: [2], data: Uint16Array.of(1, 2) });
    const v3 = npyFile(dict.padEnd(115) + '\n', [1, 0, 2, 0], [3, 0]);
    expect(readNpy(v3).data).toEqual(Uint16Array.of(1, 2));
  });

  it("accepts '=' and explicit-order 1-byte dtypes, any key order, double quotes and Python 2 longs", () => {
    const cases: [string, number[], NpyArray][] = [
      ["{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", hex('0000803f'), { dtype: '<f4', shape: [1], data: Float32Array.of(1) }],
      ["{'descr': '<u1', 'fortran_order': False, 'shape': (2,)}", [1, 2], { dtype: '|u1', shape: [2], data: Uint8Array.of(1, 2) }],
      ["{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }", [255], { dtype: '|i1', shape: [1], data: Int8Array.of(-1) }],
      ['{"shape": (1L, 2L), "fortran_order": False, "descr": "<i2"}', [1, 0, 255, 255], { dtype: '<i2', shape: [1, 2], data: Int16Array.of(1, -1) }],
    ];
    for (const [dict, data, expected] of cases) expect(readNpy(npyFile(dict + '\n', data))).toEqual(expected);
  });
});

describe('readNpy errors', () => {
  const f4 = (dict: string, data: number[] = hex('0000803f')): Uint8Array => npyFile(padded(dict), data);
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(5), 'not a .npy file (bad magic, expected \\x93NUMPY)'],
    [Uint8Array.from([0x93, ...ascii('NUMPX'), 1, 0, 0, 0]), 'not a .npy file (bad magic'],
    [Uint8Array.from([0x93, ...ascii('NUMPY'), 4, 0, 0, 0]), 'unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)'],
    [Uint8Array.from([0x93, ...ascii('NUMPY'), 1, 0, 100, 0, 32]), 'truncated: header needs 100 bytes but only 1 follow the preamble'],
    [f4("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), 'fortran_order True is not supported'],
    [f4("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }"), "big-endian dtype '>f4' is not supported"],
    [f4("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), "unsupported dtype '<c8'"],
    [f4("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }"), "invalid dtype '|f4'"],
    [f4("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), 'structured dtypes are not supported'],
    [f4("{'descr': '<f4', 'shape': (1,), }"), 'header keys are {descr, shape}, expected {descr, fortran_order, shape}'],
    [f4("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), 'shape is [-1], expected a tuple of non-negative integers'],
    [f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) "), "expected '}'"],
    [f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), 'truncated: shape (2,) of <f4 needs 8 data bytes, found 4'],
    [f4("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", hex('0000803f00')), 'size mismatch (trailing bytes): shape () of <f4 needs 4 data bytes, found 5'],
  ];
  for (const [bytes, problem] of cases) {
    it(problem, () => {
      const error = catchFormatError(() => readNpy(bytes, 'data/x.npy'));
      expect(error.message.startsWith('data/x.npy: ')).toBe(true);
      expect(error.message).toContain(problem);
    });
  }
});

describe('writeNpy errors', () => {
  it('rejects a wrong typed array, length, shape or dtype', () => {
    const bad = (arr: unknown): string => catchFormatError(() => writeNpy(arr as NpyArray)).message;
    expect(bad({ dtype: '<f4', shape: [2], data: new Float64Array(2) })).toBe('cannot write .npy: dtype <f4 needs a Float32Array, found Float64Array');
    expect(bad({ dtype: '<i4', shape: [2, 2], data: new Int32Array(3) })).toBe('cannot write .npy: shape (2, 2) needs 4 elements, found 3');
    expect(bad({ dtype: '<i4', shape: [-1], data: new Int32Array(0) })).toBe('cannot write .npy: shape must be non-negative integers, found [-1]');
    expect(bad({ dtype: '<c8', shape: [1], data: new Float32Array(2) })).toContain("cannot write .npy: unsupported dtype '<c8'");
  });
});
