import { describe, expect, it } from 'vitest';

import { readFlo, writeFlo } from './flo.js';
import type { FlowField } from './flo.js';
import { catchFormatError } from '../test-utils/format-error.js';


/** A .flo assembled with DataView: magic, width, height, then u/v pairs. */
function floBytes(width: number, height: number, values: number[], magic = 202021.25): Uint8Array {
  const out = new Uint8Array(12 + values.length * 4);
  const view = new DataView(out.buffer);
  view.setFloat32(0, magic, true);
  view.setInt32(4, width, true);
  view.setInt32(8, height, true);
  values.forEach((v, i) => view.setFloat32(12 + 4 * i, v, true));
  return out;
}

describe('.flo', () => {
  it('starts with the ASCII bytes PIEH', () => {
    expect(String.fromCharCode(...floBytes(1, 1, [0, 0]).subarray(0, 4))).toBe('PIEH');
  });

  it('reads a hand-assembled file and writes the same bytes', () => {
    // 3x2 field, row-major, (u, v) per pixel.
    const values = [0.5, -1, 2, 3.25, -4, 5, 6, 7, 8.5, -9, 1e10, 1e10];
    const bytes = floBytes(3, 2, values);
    const flow = readFlo(bytes, 'flow/a.flo');
    expect(flow.width).toBe(3);
    expect(flow.height).toBe(2);
    expect(flow.data).toEqual(Float32Array.from(values));
    expect(flow.data[2 * (1 * 3 + 0) + 1]).toBe(7); // v at x=0, y=1
    expect(writeFlo(flow)).toEqual(bytes);
  });

  it('round-trips an odd-sized field', () => {
    const flow: FlowField = { width: 7, height: 5, data: Float32Array.from({ length: 70 }, (_, i) => Math.sin(i) * 100) };
    expect(readFlo(writeFlo(flow))).toEqual(flow);
  });

  it('reads from an unaligned offset into an aligned array', () => {
    const bytes = floBytes(1, 2, [1, 2, 3, 4]);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const flow = readFlo(big.subarray(3));
    expect(flow.data).toEqual(Float32Array.of(1, 2, 3, 4));
    expect(flow.data.byteOffset).toBe(0);
  });

  const errors: [Uint8Array, string][] = [
    [new Uint8Array(11), 'truncated .flo: header needs 12 bytes, found 11'],
    [floBytes(1, 1, [0, 0], 1.5), "not a .flo file: magic is 1.5, expected 202021.25 ('PIEH')"],
    [floBytes(0, 1, []), 'corrupt .flo: size 0x1 is outside 1..99999'],
    [floBytes(2, -3, []), 'corrupt .flo: size 2x-3 is outside 1..99999'],
    [floBytes(100000, 1, []), 'corrupt .flo: size 100000x1 is outside 1..99999'],
    [floBytes(2, 2, [1, 2, 3, 4, 5, 6, 7]), 'truncated .flo: 2x2 flow needs 32 data bytes, found 28'],
    [floBytes(1, 1, [1, 2, 3]), 'corrupt .flo (trailing bytes): 1x1 flow needs 8 data bytes, found 12'],
  ];
  for (const [bytes, problem] of errors) {
    it(`rejects: ${problem}`, () => {
      expect(catchFormatError(() => readFlo(bytes, 'flow/b.flo')).message).toBe(`flow/b.flo: ${problem}`);
    });
  }

  it('rejects inconsistent fields on write', () => {
    expect(catchFormatError(() => writeFlo({ width: 2, height: 2, data: new Float32Array(7) })).message).toBe(
      'cannot write .flo: 2x2 flow needs 8 values, found 7',
    );
    expect(catchFormatError(() => writeFlo({ width: 0, height: 2, data: new Float32Array(0) })).message).toBe(
      'cannot write .flo: size 0x2 is outside 1..99999',
    );
    const notF32 = { width: 1, height: 1, data: new Float64Array(2) } as unknown as FlowField;
    expect(catchFormatError(() => writeFlo(notF32)).message).toBe('cannot write .flo: data must be a Float32Array, found Float64Array');
  });
});
