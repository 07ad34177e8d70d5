/**
 * PyTorch checkpoints (`torch.save`, torch/serialization.py), read without Python and without
 * running anything in them:
 *
 * - the zip container (torch >= 1.6): `NAME/data.pkl` (the pickled object), `NAME/data/KEY` (one
 *   entry of raw element bytes per storage), `NAME/version`, and since torch 2.0
 *   `NAME/byteorder` (`little` or `big`);
 * - the legacy stream (`_use_new_zipfile_serialization=False`, and torch < 1.6): five pickles
 *   back to back (magic number 0x1950a86a20f9469cfc6c, protocol version 1001, system info with
 *   `little_endian`, the object, the list of storage keys), then for each key an int64 element
 *   count and the storage's bytes.
 *
 * The pickle goes through the restricted unpickler (pickle.ts) with the allowlist of
 * torch-globals.ts; tensors come back contiguous in the shape `readSafetensors` uses.
 */
import { FormatError } from './errors.js';
import { HostValue, PyDict, PyObject, describe, type PyKey, type PyValue } from './pickle-values.js';
import { unpickle, type UnpickleOptions } from './pickle.js';
import type { SafetensorsEntry } from './safetensors.js';
import { ELEMENT_SIZE, storageFromPid, TensorRef, torchGlobal, type StorageRef } from './torch-globals.js';
import { materialize, type StorageBytes } from './torch-tensors.js';
import { isZip, readZip } from './zip.js';

export { PyDict, PyObject };
export type { PyKey };

/** A tensor of the checkpoint, contiguous; the same object wherever the pickle shares it. */
export class TorchTensor extends HostValue {
  readonly kind = 'tensor';
  constructor(readonly entry: SafetensorsEntry) {
    super();
  }
}

/** What a checkpoint holds: Python data, with tensors as {@link TorchTensor}. */
export type TorchValue = PyValue;

/** JSON-compatible values (non-tensor metadata). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface TorchCheckpoint {
  /** Where the bytes came from, for messages. */
  source: string | undefined;
  format: 'zip' | 'legacy';
  /** The unpickled object: usually a (Ordered)Dict; tensors as {@link TorchTensor}. */
  root: TorchValue;
  /** Every tensor, keyed by its path in `root` (dict keys joined with `.`), in pickle order. */
  tensors: Map<string, SafetensorsEntry>;
  /**
   * Everything that is not a tensor, as JSON: dicts as objects, tuples and sets as arrays, ints
   * beyond 2^53 as strings, bytes as `"<N bytes>"`; containers that held only tensors, and
   * attributes such as an OrderedDict's `_metadata`, left out. E.g. mmsegmentation's
   * `{meta: {CLASSES, PALETTE, ...}}`; `{}` for a plain state dict.
   */
  metadata: { [key: string]: JsonValue };
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
// PROTO 2, LONG1 10 bytes: the first pickle of every legacy checkpoint, byte for byte.
const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const MAX_DEPTH = 100;

/**
 * Which reader a weights file needs, from its first bytes (never its name): `'pytorch'` for a
 * zip or tar archive or a pickle stream, `'safetensors'` otherwise (its 8-byte header size is followed
 * by `{`, and its reader explains anything else).
 */
export function weightsFormat(bytes: Uint8Array): 'pytorch' | 'safetensors' {
  if (isZip(bytes) || isTar(bytes)) return 'pytorch';
  return bytes[0] === 0x80 && (bytes[1] ?? 0) >= 2 && (bytes[1] ?? 0) <= 5 && bytes[8] !== 0x7b ? 'pytorch' : 'safetensors';
}

/**
 * Reads a `torch.save` checkpoint (zip or legacy format).
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source` for: a zip without `NAME/data.pkl`, any global outside the
 *   allowlist (named), a malformed or truncated pickle, a missing or short storage, a tensor
 *   whose strides and offset reach past its storage, and an unknown byte order.
 */
export function readTorchCheckpoint(bytes: Uint8Array, source?: string): TorchCheckpoint {
  const fail = (problem: string): FormatError => new FormatError(problem, source);
  const storages = new Map<string, StorageRef>();
  const options: UnpickleOptions = { findGlobal: torchGlobal, persistentLoad: (pid, f) => storageFromPid(pid, storages, f) };
  let root: PyValue;
  let storageBytes: StorageBytes;
  let bigEndian = false;
  let format: TorchCheckpoint['format'];
  if (isZip(bytes)) {
    format = 'zip';
    const zip = readZip(bytes, source);
    const names = [...zip.entries.keys()];
    const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pkl === undefined) {
      throw fail(`a zip archive but not a PyTorch checkpoint: no NAME/data.pkl among its ${names.length} entries (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})`);
    }
    const prefix = pkl.slice(0, -'data.pkl'.length);
    const order = zip.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim() : 'little';
    if (order !== 'little' && order !== 'big') throw fail(`unknown byte order ${JSON.stringify(order)} in ${prefix}byteorder`);
    bigEndian = order === 'big';
    root = unpickle(zip.read(pkl), 0, options, fail).value;
    storageBytes = cached(storages, (s) => {
      const entry = `${prefix}data/${s.key}`;
      if (!zip.entries.has(entry)) throw fail(`storage ${s.key} is missing: no ${entry} in the archive`);
      // Like torch, which builds miniz with MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS: checking the
      // storages would double the load time; their sizes are checked, data.pkl's CRC too.
      return zip.read(entry, false);
    }, fail);
  } else if (startsWith(bytes, LEGACY_PREFIX)) {
    format = 'legacy';
    ({ root, storageBytes, bigEndian } = readLegacy(bytes, options, storages, fail));
  } else if (isTar(bytes)) {
    throw fail('a tar archive: the tar checkpoint format of early torch (0.1.x) is not supported; re-save it with a current torch');
  } else if (bytes[0] === 0x80) {
    throw fail("a pickle without PyTorch's magic number: not a torch.save checkpoint");
  } else {
    throw fail('not a PyTorch checkpoint: expected a zip archive (torch.save since torch 1.6) or the legacy pickle stream');
  }
  const tensors = new Map<string, SafetensorsEntry>();
  const resolved = resolve(root, (t, path) => {
    const entry = materialize(t, path, storageBytes, bigEndian, fail);
    if (tensors.has(path)) throw fail(`two tensors have the path ${JSON.stringify(path)}`);
    tensors.set(path, entry);
    return new TorchTensor(entry);
  }, fail);
  const json = toJson(resolved, fail, 0);
  const metadata = json !== undefined && typeof json === 'object' && json !== null && !Array.isArray(json) ? json : json === undefined ? {} : { value: json };
  return { source, format, root: resolved, tensors, metadata };
}

/** POSIX tar: `ustar` at byte 257 of the first header block. */
function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 512 && startsWith(bytes.subarray(257), [0x75, 0x73, 0x74, 0x61, 0x72]);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Reads each storage once and checks it holds the elements its persistent id declares. */
function cached(storages: Map<string, StorageRef>, read: (s: StorageRef) => Uint8Array, fail: (problem: string) => FormatError): StorageBytes {
  const done = new Map<string, Uint8Array>();
  return (s) => {
    let data = done.get(s.key);
    if (data === undefined) {
      const base = storages.get(s.key) ?? s;
      data = read(base);
      const need = base.numel * ELEMENT_SIZE[base.dtype];
      if (data.length < need) throw fail(`truncated storage ${s.key}: ${base.numel} x ${base.dtype} need ${need} bytes, the file holds ${data.length}`);
      done.set(s.key, data);
    }
    return data;
  };
}

function readLegacy(bytes: Uint8Array, options: UnpickleOptions, storages: Map<string, StorageRef>, fail: (problem: string) => FormatError): { root: PyValue; storageBytes: StorageBytes; bigEndian: boolean } {
  let pos = 0;
  const next = (): PyValue => {
    const r = unpickle(bytes, pos, options, fail);
    pos = r.end;
    return r.value;
  };
  if (next() !== LEGACY_MAGIC) throw fail('invalid legacy checkpoint: wrong magic number');
  const version = next();
  if (version !== 1001) throw fail(`unsupported legacy checkpoint protocol version ${String(version)} (expected 1001)`);
  const info = next();
  const bigEndian = info instanceof PyDict && info.items.get('little_endian') === false;
  const root = next();
  const keys = next();
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw fail(`invalid legacy checkpoint: the storage key list is a ${describe(keys)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = new Map<string, Uint8Array>();
  for (const key of keys as string[]) {
    const s = storages.get(key);
    if (s === undefined) throw fail(`invalid legacy checkpoint: storage ${key} is listed but no tensor uses it`);
    if (pos + 8 > bytes.length) throw fail(`truncated storage ${key}: the file ends before its element count`);
    const numel = view.getBigInt64(pos, !bigEndian);
    if (numel !== BigInt(s.numel)) throw fail(`storage ${key}: the file says ${numel} elements, the pickle ${s.numel}`);
    const start = pos + 8;
    pos = start + s.numel * ELEMENT_SIZE[s.dtype];
    if (pos > bytes.length) throw fail(`truncated storage ${key}: ${s.numel} x ${s.dtype} need bytes [${start}, ${pos}) but the file has ${bytes.length}`);
    table.set(key, bytes.subarray(start, pos));
  }
  const storageBytes = cached(storages, (s) => {
    const data = table.get(s.key);
    if (data === undefined) throw fail(`storage ${s.key} is used by a tensor but missing from the file`);
    return data;
  }, fail);
  return { root, storageBytes, bigEndian };
}

/** Copies the unpickled tree with tensors materialized; shared objects stay shared, cycles are safe. */
function resolve(root: PyValue, tensor: (t: TensorRef, path: string) => TorchTensor, fail: (problem: string) => FormatError): PyValue {
  const done = new Map<object, PyValue>();
  const walk = (v: PyValue, path: string[]): PyValue => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    const known = done.get(v);
    if (known !== undefined) return known;
    if (path.length > MAX_DEPTH) throw fail(`the pickle nests deeper than ${MAX_DEPTH} levels`);
    if (v instanceof TensorRef) {
      const t = tensor(v, path.join('.'));
      done.set(v, t);
      return t;
    }
    if (Array.isArray(v)) {
      const out: PyValue[] = [];
      done.set(v, out);
      v.forEach((item, i) => out.push(walk(item, [...path, String(i)])));
      return Object.isFrozen(v) ? Object.freeze(out) : out;
    }
    if (v instanceof PyDict || v instanceof PyObject) {
      const out = v instanceof PyDict ? new PyDict(v.className) : new PyObject(v.className);
      done.set(v, out);
      if (v instanceof PyDict && out instanceof PyDict) for (const [k, item] of v.items) out.items.set(k, walk(item, [...path, String(k)]));
      for (const [k, item] of v.attributes) out.attributes.set(k, walk(item, [...path, k]));
      return out;
    }
    throw fail(`the pickle leaves a bare ${describe(v)} in the data (only tensors, storages inside tensors, and plain data are supported)`);
  };
  return walk(root, []);
}

/** JSON of the non-tensor data; `undefined` for tensors and containers that held only tensors. */
function toJson(v: PyValue, fail: (problem: string) => FormatError, depth: number): JsonValue | undefined {
  if (depth > MAX_DEPTH) throw fail(`the pickle nests deeper than ${MAX_DEPTH} levels (or refers to itself)`);
  if (v instanceof TorchTensor) return undefined;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v === null || typeof v !== 'object') return v;
  const hadData = (n: number, kept: number): boolean => n === 0 || kept > 0;
  if (Array.isArray(v)) {
    const items = v.map((item) => toJson(item, fail, depth + 1));
    const kept = items.filter((x): x is JsonValue => x !== undefined);
    return hadData(v.length, kept.length) ? kept : undefined;
  }
  const source: Iterable<[PyKey, PyValue]> = v instanceof PyDict ? v.items : v instanceof PyObject ? v.attributes : [];
  const out: { [key: string]: JsonValue } = {};
  let n = 0;
  for (const [k, item] of source) {
    n++;
    const j = toJson(item, fail, depth + 1);
    if (j !== undefined) out[String(k)] = j;
  }
  return hadData(n, Object.keys(out).length) ? out : undefined;
}
