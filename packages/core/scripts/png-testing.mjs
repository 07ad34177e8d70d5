// Hostile PNG files for tests (issue 21), assembled with node:zlib, independent of the decoder
// under test: `@pixelwise/core/testing/png`. Used by core's png-limits test and the CLI's eval tests.
import { constants, crc32, deflateRawSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC-32 (PNG spec 5.3). */
export function pngChunk(type, data = new Uint8Array(0)) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose IDAT holds exactly `idat` (a zlib stream), whatever the IHDR says. */
export function pngFile({ width, height, colorType = 0, bitDepth = 8, interlace = 0, idat }) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, interlace], 8);
  return Uint8Array.from(Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND')]));
}

/**
 * A decompression bomb: a 64x64 8-bit gray PNG (4160 bytes of image data) whose IDAT, about
 * 1 MB, inflates to `mib` MiB of zeros: 1 MiB of zeros as a byte-aligned, non-final deflate
 * block repeated `mib` times, an empty final block, and the Adler-32 of the zeros.
 */
export function pngBomb(mib = 1024) {
  const block = deflateRawSync(Buffer.alloc(2 ** 20), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((mib * 2 ** 20) % 65521) * 65536 + 1, 0); // a = 1, b = n mod 65521
  const idat = Buffer.concat([Buffer.from([0x78, 0xda]), ...Array.from({ length: mib }, () => block), Buffer.from([0x03, 0x00]), adler]);
  return { png: pngFile({ width: 64, height: 64, idat }), idat, inflatedBytes: mib * 2 ** 20 };
}
