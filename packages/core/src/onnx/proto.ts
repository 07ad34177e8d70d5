/**
 * ONNX's protobuf messages (onnx/onnx.proto, IR version 8) as plain data, and their encoding.
 * Field numbers are those of onnx.proto; repeated scalars are written unpacked, as proto2 (the
 * syntax of onnx.proto) does, and tensor contents as little-endian `raw_data`.
 */
import { ProtoWriter } from './protobuf.js';

/**
 * Element types this writer stores (TensorProto.DataType: FLOAT = 1, UINT8 = 2, INT32 = 6,
 * INT64 = 7, BOOL = 9). `uint8` is for 8-bit image inputs, `bool` for comparison results.
 */
export type OnnxDataType = 'float32' | 'uint8' | 'int32' | 'int64' | 'bool';

const DATA_TYPE: Record<OnnxDataType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 };

/** A dimension: a size, or a symbolic name (`'N'`) for a size fixed only when the graph runs. */
export type Dim = number | string;

/** Contents of a tensor in the layout ONNX reads (row-major over `dims`). */
export type TensorContents = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** TensorProto: a named constant (initializer or attribute value). */
export interface TensorData {
  name: string;
  dtype: OnnxDataType;
  dims: readonly number[];
  data: TensorContents;
}

/** ValueInfoProto of a tensor: name, element type and shape. */
export interface ValueInfo {
  name: string;
  dtype: OnnxDataType;
  dims: readonly Dim[];
}

/** AttributeProto's value, tagged with its AttributeType. */
export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'float'; value: number }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorData };

/** AttributeProto.AttributeType numbers. */
const ATTRIBUTE_TYPE: Record<AttributeValue['type'], number> = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 };

/** NodeProto. An empty input name stands for an omitted optional input. */
export interface NodeData {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: ReadonlyArray<readonly [string, AttributeValue]>;
  domain?: string;
}

/** GraphProto. */
export interface GraphData {
  name: string;
  nodes: readonly NodeData[];
  initializers: readonly TensorData[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  valueInfo: readonly ValueInfo[];
  docString?: string;
}

/** ModelProto. */
export interface ModelData {
  irVersion: number;
  /** OperatorSetIdProto entries; `''` is the default ONNX domain. */
  opsetImports: ReadonlyArray<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphData;
  /** metadata_props: StringStringEntryProto key/value pairs. */
  metadata: ReadonlyArray<readonly [string, string]>;
}

/** Protobuf's limit on one message (2^31 - 1 bytes). */
const MAX_PROTO_BYTES = 2 ** 31 - 1;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of tensor contents (a view, without copying, on little-endian machines). */
function rawBytes(data: TensorContents): Uint8Array {
  if (littleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v: number | bigint, i: number) => {
    if (data instanceof Float32Array) view.setFloat32(i * 4, v as number, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, v as number, true);
    else if (data instanceof Uint8Array) view.setUint8(i, v as number);
    else view.setBigInt64(i * 8, v as bigint, true);
  });
  return out;
}

function tensorProto(t: TensorData): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new Error(`onnx: tensor '${t.name}' has dims [${t.dims.join(', ')}] (${count} values) but ${t.data.length} values`);
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, DATA_TYPE[t.dtype]);
  w.string(8, t.name);
  w.bytes(9, rawBytes(t.data));
  return w;
}

function valueInfoProto(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, DATA_TYPE[v.dtype]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function attributeProto(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.varint(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, tensorProto(a.value));
      break;
    case 'floats':
      for (const v of a.value) w.float(7, v);
      break;
    case 'ints':
      for (const v of a.value) w.varint(8, v);
      break;
  }
  return w.varint(20, ATTRIBUTE_TYPE[a.type]);
}

function nodeProto(n: NodeData): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [name, value] of n.attributes) w.message(5, attributeProto(name, value));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function graphProto(g: GraphData): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  if (g.docString) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, valueInfoProto(v));
  for (const v of g.outputs) w.message(12, valueInfoProto(v));
  for (const v of g.valueInfo) w.message(13, valueInfoProto(v));
  return w;
}

/** Encodes a ModelProto: the bytes of a `.onnx` file. */
export function encodeModel(m: ModelData): Uint8Array {
  const w = new ProtoWriter().varint(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, graphProto(m.graph));
  for (const o of m.opsetImports) w.message(8, new ProtoWriter().string(1, o.domain).varint(2, o.version));
  for (const [key, value] of m.metadata) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  if (w.length > MAX_PROTO_BYTES) {
    throw new Error(`onnx: the model encodes to ${w.length} bytes; a protobuf file holds at most 2 GiB (external data is not supported)`);
  }
  return w.finish();
}
