import { deflateSync, inflateSync } from 'node:zlib';

/** How confusion matrices are stored: float64 little-endian (exact counts to 2^53), deflated. */
export const CONFUSION_ENCODING = 'f64le+deflate';

export function encodeConfusion(counts: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const f = Float64Array.from(counts);
  const le = Buffer.alloc(f.length * 8);
  for (let i = 0; i < f.length; i++) le.writeDoubleLE(f[i] ?? 0, i * 8);
  const out = deflateSync(le);
  return new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer);
}

export function decodeConfusion(data: Uint8Array, numClasses: number): Float64Array {
  const raw = inflateSync(data);
  if (raw.length !== numClasses * numClasses * 8) {
    throw new Error(`confusion matrix: expected ${numClasses}x${numClasses} float64 values, found ${raw.length} bytes`);
  }
  const f = new Float64Array(numClasses * numClasses);
  for (let i = 0; i < f.length; i++) f[i] = raw.readDoubleLE(i * 8);
  return f;
}
