/**
 * The few protobuf encodings an ONNX file needs, written by hand (Protocol Buffers encoding guide,
 * https://protobuf.dev/programming-guides/encoding/): varints (wire type 0), 32-bit floats (wire
 * type 5) and length-delimited fields (wire type 2: strings, bytes, nested messages).
 *
 * A message is kept as a list of byte chunks and their total length, so nesting a message (a
 * 100 MB weight tensor inside a graph inside a model) copies nothing until {@link ProtoWriter.finish}.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Varint bytes of an unsigned 64-bit value (negative int64 values as two's complement, 10 bytes). */
function varintBytes(value: number | bigint): Uint8Array {
  let v: bigint;
  if (typeof value === 'bigint') {
    v = BigInt.asUintN(64, value);
  } else {
    if (!Number.isSafeInteger(value)) throw new Error(`protobuf: ${value} is not an integer that a varint can hold exactly`);
    if (value >= 0 && value < 0x80) return Uint8Array.of(value);
    v = BigInt.asUintN(64, BigInt(value));
  }
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Builds one protobuf message field by field; nested messages are appended without copying. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** Encoded length in bytes so far. */
  get length(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.push(varintBytes(field * 8 + wire));
  }

  /** An `int32`, `int64` or enum field (written even when zero: ONNX's schema is proto2). */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.push(varintBytes(value));
    return this;
  }

  /** A `float` field: IEEE 754 single precision, little-endian. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** A `bytes` field. The bytes are referenced, not copied: do not change them before `finish`. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(varintBytes(data.length));
    if (data.length > 0) this.push(data);
    return this;
  }

  /** A `string` field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A nested message field. */
  message(field: number, child: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(varintBytes(child.size));
    for (const c of child.chunks) this.push(c);
    return this;
  }

  /** The encoded message as one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
