/**
 * Reading ZIP archives (PKWARE APPNOTE.TXT 6.3.10): the end of central directory record
 * (§4.3.16), the zip64 end record and its locator (§4.3.14-15), central directory headers
 * (§4.3.12) with the zip64 extended information field (§4.5.3), and local file headers (§4.3.7).
 * Entries may be stored (method 0, what `torch.save` writes) or deflated (method 8, RFC 1951,
 * inflated by fflate); an entry's CRC-32 is checked when it is read, unless the caller opts out.
 * Single-disk archives only; no encryption.
 *
 * @internal Used by the PyTorch checkpoint reader; not part of the public surface.
 */
import { inflateSync } from 'fflate';
import { errorMessage, FormatError } from './errors.js';

/** One file of the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

/** An opened archive: the directory, and a reader for one entry's bytes. */
export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /**
   * The entry's uncompressed bytes (a view into the archive for stored entries).
   * @param verify - check the CRC-32 (default true; it costs about as much as copying the bytes).
   */
  read(name: string, verify?: boolean): Uint8Array;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start with a local file header (`PK\x03\x04`), as every zip torch writes does. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Opens a zip archive from its central directory.
 * @throws FormatError naming `source` for a missing end record (a truncated file), a central
 *   directory or entry outside the data, encrypted or multi-disk archives, and duplicate names.
 */
export function readZip(bytes: Uint8Array, source?: string): ZipArchive {
  const fail = (problem: string): FormatError => new FormatError(problem, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number, what: string): number => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`zip ${what} ${v} is out of range`);
    return Number(v);
  };
  const eocd = findEndRecord(bytes, view);
  if (eocd < 0) throw fail('truncated or not a zip archive: no end of central directory record');
  let count = u16(eocd + 10);
  let dirSize = u32(eocd + 12);
  let dirOffset = u32(eocd + 16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw fail('multi-disk zip archives are not supported');
  const locator = eocd - 20;
  if (locator >= 0 && u32(locator) === ZIP64_LOCATOR) {
    const record = u64(locator + 8, 'zip64 end record offset');
    if (record + 56 > bytes.length || u32(record) !== ZIP64_EOCD) throw fail('corrupt zip: the zip64 locator points outside the file');
    count = u64(record + 32, 'entry count');
    dirSize = u64(record + 40, 'central directory size');
    dirOffset = u64(record + 48, 'central directory offset');
  }
  if (dirOffset + dirSize > bytes.length) throw fail(`truncated zip: the central directory [${dirOffset}, ${dirOffset + dirSize}) lies past the end (${bytes.length} bytes)`);
  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  const names = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    if (at + 46 > dirOffset + dirSize || u32(at) !== CENTRAL) throw fail(`corrupt zip: central directory entry ${i} at byte ${at} is malformed`);
    const flags = u16(at + 8);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const end = at + 46 + nameLength + extraLength + u16(at + 32);
    if (end > dirOffset + dirSize) throw fail(`corrupt zip: central directory entry ${i} runs past the directory`);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) throw fail(`zip entry ${name} is encrypted`);
    const entry: ZipEntry = { name, method: u16(at + 10), crc32: u32(at + 16), compressedSize: u32(at + 20), size: u32(at + 24), localHeaderOffset: u32(at + 42) };
    readZip64Extra(entry, view, at + 46 + nameLength, extraLength, u64, fail);
    if (entries.has(name)) throw fail(`corrupt zip: entry ${name} appears twice`);
    entries.set(name, entry);
    at = end;
  }
  return { entries, read: (name, verify = true) => readEntry(bytes, view, entries.get(name), name, verify, fail) };
}

function findEndRecord(bytes: Uint8Array, view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const last = bytes.length - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (bytes[at] === 0x50 && view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) === bytes.length) return at;
  }
  return -1;
}

/** Replaces 0xFFFFFFFF sizes and offset by the zip64 extra field's 64-bit values (in that order). */
function readZip64Extra(entry: ZipEntry, view: DataView, start: number, length: number, u64: (at: number, what: string) => number, fail: (problem: string) => FormatError): void {
  for (let at = start; at + 4 <= start + length; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let field = at + 4;
      const next = (what: string): number => {
        if (field + 8 > at + 4 + size) throw fail(`corrupt zip: the zip64 field of ${entry.name} lacks the ${what}`);
        field += 8;
        return u64(field - 8, what);
      };
      if (entry.size === 0xffffffff) entry.size = next('size');
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next('compressed size');
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next('header offset');
      return;
    }
    at += 4 + size;
  }
}

function readEntry(bytes: Uint8Array, view: DataView, entry: ZipEntry | undefined, name: string, verify: boolean, fail: (problem: string) => FormatError): Uint8Array {
  if (entry === undefined) throw fail(`zip entry ${name} is missing`);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw fail(`corrupt zip: no local header for ${name} at byte ${at}`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw fail(`truncated zip: entry ${name} needs bytes [${start}, ${end}) but the file has ${bytes.length}`);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw fail(`corrupt zip: stored entry ${name} has sizes ${entry.compressedSize} and ${entry.size}`);
    data = raw;
  } else if (entry.method === 8) {
    // Deflate cannot expand more than 1032:1 (a 258-byte match costs at least 2 bits): a larger
    // claim is a corrupt or hostile header, refused before allocating.
    if (entry.size > entry.compressedSize * 1032 + 64) throw fail(`corrupt zip: ${name} claims to inflate ${entry.compressedSize} bytes to ${entry.size}`);
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (error) {
      throw fail(`corrupt zip: cannot inflate ${name}: ${errorMessage(error)}`);
    }
    if (data.length !== entry.size) throw fail(`corrupt zip: ${name} inflates to ${data.length} bytes, its header says ${entry.size}`);
  } else {
    throw fail(`zip entry ${name} uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`);
  }
  const crc = verify ? crc32(data) : entry.crc32;
  if (crc !== entry.crc32) throw fail(`corrupt zip: entry ${name} has CRC-32 ${hex(crc)}, its header says ${hex(entry.crc32)}`);
  return data;
}

const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;

let table: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, the zip polynomial 0xEDB88320, reflected), table-driven, 8 bytes a step. */
export function crc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(8 * 256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    for (let n = 0; n < 256; n++) for (let s = 1; s < 8; s++) table[s * 256 + n] = ((table[(s - 1) * 256 + n] as number) >>> 8) ^ (table[(table[(s - 1) * 256 + n] as number) & 0xff] as number);
  }
  const t = table;
  let c = 0xffffffff;
  let i = 0;
  const n8 = data.length - (data.length % 8);
  for (; i < n8; i += 8) {
    const a = c ^ ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
    c =
      (t[7 * 256 + (a & 0xff)] as number) ^
      (t[6 * 256 + ((a >>> 8) & 0xff)] as number) ^
      (t[5 * 256 + ((a >>> 16) & 0xff)] as number) ^
      (t[4 * 256 + (a >>> 24)] as number) ^
      (t[3 * 256 + (data[i + 4] as number)] as number) ^
      (t[2 * 256 + (data[i + 5] as number)] as number) ^
      (t[256 + (data[i + 6] as number)] as number) ^
      (t[data[i + 7] as number] as number);
  }
  for (; i < data.length; i++) c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
