import { describe, expect, it } from 'vitest';

import { readSafetensors, toFloat32, writeSafetensors } from './safetensors.js';
import type { SafetensorsDType, SafetensorsEntry } from './safetensors.js';
import { catchFormatError } from '../test-utils/format-error.js';


/** A file laid out by hand per the spec: u64 LE N, N header bytes, data. */
function assemble(header: string, data: number[], declaredN?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredN ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const F32_1_M2 = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]; // 1, -2 little-endian

describe('safetensors layout', () => {
  it('writes exactly the spec layout, byte for byte', () => {
    const bytes = writeSafetensors(
      new Map<string, SafetensorsEntry>([
        ['a', { dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) }],
        ['b', { dtype: 'I8', shape: [3], data: Int8Array.of(1, 2, -3) }],
      ]),
      { format: 'pt' },
    );
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]}}';
    const n = Math.ceil(json.length / 8) * 8;
    const expected = new Uint8Array(8 + n + 11);
    const view = new DataView(expected.buffer);
    view.setUint32(0, n, true); // u64 LE, high word 0
    view.setUint32(4, 0, true);
    expected.set(new TextEncoder().encode(json.padEnd(n, ' ')), 8);
    expected.set([...F32_1_M2, 1, 2, 0xfd], 8 + n);
    expect(n % 8).toBe(0);
    expect(n).toBeGreaterThan(json.length);
    expect(bytes).toEqual(expected);
  });

  it('reads a hand-assembled file with unpadded header and odd data offsets', () => {
    // Tensors listed out of data order; I8 first makes the F32 data start at an odd offset.
    const header =
      '{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[3,11]},' +
      '"__metadata__":{"format":"pt","note":"hand made"},' +
      '"b":{"dtype":"I8","shape":[3],"data_offsets":[0,3]}}';
    const file = readSafetensors(assemble(header, [0xff, 0, 7, ...F32_1_M2]), 'w.safetensors');
    expect(file.metadata).toEqual({ format: 'pt', note: 'hand made' });
    expect([...file.tensors.keys()]).toEqual(['b', 'w']); // data order
    expect(file.tensors.get('b')).toEqual({ dtype: 'I8', shape: [3], data: Int8Array.of(-1, 0, 7) });
    const w = file.tensors.get('w');
    expect(w).toEqual({ dtype: 'F32', shape: [1, 2], data: Float32Array.of(1, -2) });
    expect(w?.data.byteOffset).toBe(0);
  });

  it('reads an empty file ({} header) and zero-size tensors', () => {
    expect(readSafetensors(assemble('{}', []))).toEqual({ tensors: new Map(), metadata: {} });
    const header = '{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"x":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}';
    const file = readSafetensors(assemble(header, [9]));
    expect(file.tensors.get('e')).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    expect(file.tensors.get('x')).toEqual({ dtype: 'U8', shape: [], data: Uint8Array.of(9) });
  });
});

describe('safetensors round trip', () => {
  const tensors: Record<string, SafetensorsEntry> = {
    f64: { dtype: 'F64', shape: [7, 5], data: Float64Array.from({ length: 35 }, (_, i) => i / 7) },
    f32: { dtype: 'F32', shape: [5, 7], data: Float32Array.from({ length: 35 }, (_, i) => -i / 3) },
    f16: { dtype: 'F16', shape: [3], data: Uint16Array.of(0x3c00, 0x7bff, 0x8001) },
    bf16: { dtype: 'BF16', shape: [2], data: Uint16Array.of(0x3f80, 0xc049) },
    i64: { dtype: 'I64', shape: [2], data: BigInt64Array.of(-(2n ** 62n), 5n) },
    i32: { dtype: 'I32', shape: [3, 1], data: Int32Array.of(-7, 0, 2 ** 31 - 1) },
    i16: { dtype: 'I16', shape: [1], data: Int16Array.of(-32768) },
    i8: { dtype: 'I8', shape: [3], data: Int8Array.of(-128, 0, 127) },
    u64: { dtype: 'U64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
    u32: { dtype: 'U32', shape: [1], data: Uint32Array.of(2 ** 32 - 1) },
    u16: { dtype: 'U16', shape: [2], data: Uint16Array.of(0, 65535) },
    u8: { dtype: 'U8', shape: [2, 2, 1], data: Uint8Array.of(0, 1, 254, 255) },
    bool: { dtype: 'BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) },
    scalar: { dtype: 'F32', shape: [], data: Float32Array.of(42) },
  };

  it('keeps every dtype, shape, value and the metadata', () => {
    const bytes = writeSafetensors(tensors, { format: 'pt', origin: 'pixelwise' });
    const headerSize = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerSize) % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt', origin: 'pixelwise' });
    expect([...file.tensors.keys()]).toEqual(Object.keys(tensors)); // written in the order given
    for (const [name, entry] of Object.entries(tensors)) {
      const back = file.tensors.get(name);
      expect(back).toEqual(entry);
      expect(back?.data.constructor).toBe(entry.data.constructor);
    }
  });

  it('omits __metadata__ when none is given', () => {
    const bytes = writeSafetensors({ a: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) } });
    expect(new TextDecoder().decode(bytes.subarray(8, 25))).toBe('{"a":{"dtype":"U8');
    expect(readSafetensors(bytes).metadata).toEqual({});
  });

  it('converts every dtype with toFloat32', () => {
    const expected: Record<SafetensorsDType, number[]> = {
      F64: Array.from({ length: 35 }, (_, i) => Math.fround(i / 7)),
      F32: Array.from({ length: 35 }, (_, i) => Math.fround(-i / 3)),
      F16: [1, 65504, -(2 ** -24)],
      BF16: [1, -3.140625],
      I64: [-(2 ** 62), 5],
      I32: [-7, 0, 2 ** 31],
      I16: [-32768],
      I8: [-128, 0, 127],
      U64: [2 ** 64],
      U32: [2 ** 32],
      U16: [0, 65535],
      U8: [0, 1, 254, 255],
      BOOL: [1, 0, 1],
    };
    for (const entry of Object.values(tensors)) {
      if (entry.shape.length === 0) continue;
      const out = toFloat32(entry);
      expect(out).toBeInstanceOf(Float32Array);
      expect([...out]).toEqual(expected[entry.dtype]);
    }
    const f32 = tensors.f32 as SafetensorsEntry;
    expect(toFloat32(f32)).not.toBe(f32.data); // a copy, never the same array
  });
});

describe('readSafetensors errors', () => {
  const t = (dtype: string, shape: unknown, offsets: unknown): string =>
    JSON.stringify({ dtype, shape, data_offsets: offsets });
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(7), 'not a safetensors file: needs at least 8 bytes for the header size, found 7'],
    [assemble('{}', [], 100), 'truncated: header size is 100 bytes but only 2 follow'],
    [assemble('{"a":', []), 'invalid JSON header: '],
    [assemble('[1,2]', []), 'header must be a JSON object, found array'],
    [assemble('null', []), 'header must be a JSON object, found null'],
    [assemble('{"__metadata__":{"k":1}}', []), '__metadata__.k must be a string, found number'],
    [assemble('{"__metadata__":[]}', []), '__metadata__ must be an object of strings, found array'],
    [assemble('{"x":5}', []), 'tensor "x": expected {dtype, shape, data_offsets}, found number'],
    [assemble(`{"x":${t('C64', [1], [0, 8])}}`, [0, 0, 0, 0, 0, 0, 0, 0]), 'tensor "x": unknown dtype "C64" (expected one of F64, F32,'],
    [assemble(`{"x":${t('F32', [-1], [0, 4])}}`, [0, 0, 0, 0]), 'tensor "x": shape must be an array of non-negative integers, found [-1]'],
    [assemble(`{"x":${t('F32', [1.5], [0, 4])}}`, [0, 0, 0, 0]), 'shape must be an array of non-negative integers, found [1.5]'],
    [assemble(`{"x":${t('F32', '2', [0, 4])}}`, [0, 0, 0, 0]), 'shape must be an array of non-negative integers, found "2"'],
    [assemble(`{"x":${t('F32', [1], [4, 0])}}`, [0, 0, 0, 0]), 'data_offsets must be [begin, end] with 0 <= begin <= end, found [4,0]'],
    [assemble(`{"x":${t('F32', [1], [0])}}`, [0, 0, 0, 0]), 'data_offsets must be [begin, end]'],
    [assemble(`{"x":${t('F32', [2, 2], [0, 8])}}`, [0, 0, 0, 0]), 'tensor "x": data_offsets [0, 8) span 8 bytes but shape [2, 2] of F32 needs 16'],
    [assemble(`{"x":${t('F32', [2], [0, 8])}}`, [0, 0, 0, 0]), 'truncated: tensor "x" needs bytes [0, 8) but the data section has only 4 bytes'],
    [
      assemble(`{"a":${t('U8', [4], [0, 4])},"b":${t('U8', [2], [2, 4])}}`, [1, 2, 3, 4]),
      'tensors "a" [0, 4) and "b" [2, 4) overlap in the data section',
    ],
    [
      assemble(`{"a":${t('U8', [2], [0, 2])},"b":${t('U8', [1], [3, 4])}}`, [1, 2, 3, 4]),
      'hole in the data section: bytes [2, 3) belong to no tensor',
    ],
    [assemble(`{"a":${t('U8', [2], [0, 2])}}`, [1, 2, 3]), 'hole in the data section: bytes [2, 3) at the end belong to no tensor'],
  ];
  for (const [bytes, problem] of cases) {
    it(problem, () => {
      const error = catchFormatError(() => readSafetensors(bytes, 'model.safetensors'));
      expect(error.message.startsWith('model.safetensors: ')).toBe(true);
      expect(error.message).toContain(problem);
    });
  }

  it('rejects a header that is not UTF-8', () => {
    const bytes = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0xfe, 0x7d]);
    expect(catchFormatError(() => readSafetensors(bytes, 'm.st')).message).toMatch(/^m\.st: invalid JSON header: /);
  });
});

describe('writeSafetensors errors', () => {
  const bad = (tensors: Record<string, unknown>, metadata?: Record<string, unknown>): string =>
    catchFormatError(() =>
      writeSafetensors(tensors as Record<string, SafetensorsEntry>, metadata as Record<string, string>),
    ).message;
  it('validates dtype, shape, data class and length, names and metadata', () => {
    expect(bad({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toBe(
      'cannot write safetensors: tensor "w": shape [2, 2] needs 4 elements, found 3',
    );
    expect(bad({ w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } })).toBe(
      'cannot write safetensors: tensor "w": dtype F16 needs a Uint16Array, found Float32Array',
    );
    expect(bad({ w: { dtype: 'F8', shape: [1], data: new Uint8Array(1) } })).toBe('cannot write safetensors: tensor "w": unknown dtype "F8"');
    expect(bad({ w: { dtype: 'U8', shape: [-1], data: new Uint8Array(0) } })).toContain('shape must be non-negative integers');
    expect(bad({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toContain('__metadata__ is reserved');
    expect(bad({}, { n: 1 })).toBe('cannot write safetensors: metadata n must be a string, found number');
  });
});
