/**
 * Node's `readFileSync` returns Buffers that are views into a shared pool (byteOffset != 0), and
 * `Buffer#slice` does not copy. Every reader must decode such views correctly.
 */
import { describe, expect, it } from 'vitest';
import { readFlo, writeFlo } from './flo.js';
import { readNpy, writeNpy } from './npy.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** A Buffer over a larger pool, as small files from readFileSync are. */
function pooled(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  expect(b.byteOffset > 0 || b.buffer.byteLength > b.byteLength).toBe(true);
  return b;
}

describe('readers on pooled Node Buffers', () => {
  it('readNpy', () => {
    const arr = readNpy(pooled(writeNpy({ dtype: '<f4', shape: [2, 2], data: new Float32Array([1, 2, 3, 4.5]) })));
    expect(Array.from(arr.data as Float32Array)).toEqual([1, 2, 3, 4.5]);
  });
  it('readSafetensors', () => {
    const f = readSafetensors(pooled(writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array([-1, 0.5, 7]) } })));
    expect(Array.from(f.tensors.get('a')?.data as Float32Array)).toEqual([-1, 0.5, 7]);
  });
  it('readFlo', () => {
    const flo = readFlo(pooled(writeFlo({ width: 1, height: 2, data: new Float32Array([1, -1, 2.5, 3]) })));
    expect(Array.from(flo.data)).toEqual([1, -1, 2.5, 3]);
  });
});
