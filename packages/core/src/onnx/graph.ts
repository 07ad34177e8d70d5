/**
 * A small builder for ONNX graphs (opset 17, IR version 8): inputs, constant initializers, nodes
 * and outputs, with the element type and shape of every value tracked as it is added, so op
 * helpers can compute padding and sizes and a wiring mistake fails at export with the value's
 * name instead of inside a runtime.
 */
import {
  encodeModel,
  type AttributeValue,
  type Dim,
  type NodeData,
  type OnnxDataType,
  type TensorContents,
  type TensorData,
  type ValueInfo,
} from './proto.js';

/** The operator set this writer targets (Debian's onnx 1.12 checker knows up to 17). */
export const OPSET_VERSION = 17;
/** ModelProto.ir_version that goes with opset 17. */
export const IR_VERSION = 8;

/** Element type and shape of a value in the graph. */
export interface ValueType {
  dtype: OnnxDataType;
  dims: readonly Dim[];
}

/**
 * An attribute as op helpers write it: an integer (`int`), an integer list (`ints`), a string, or
 * a tagged value from {@link attr} for floats and tensors. Non-integers must be tagged, so a float
 * attribute is never written as an int by accident.
 */
export type Attribute = number | readonly number[] | string | AttributeValue;

/** Tagged attribute values for the types a plain JS value cannot tell apart. */
export const attr = {
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value }),
};

export interface NodeOptions {
  /** Output names (taken exactly), or how many outputs to name from the node name. Default 1. */
  outputs?: number | readonly string[];
  /** Node name hint; made unique. Default the op type. */
  name?: string;
  /** Types of the outputs, in order, when the caller knows them (op helpers always do). */
  types?: readonly ValueType[];
}

export interface ToBytesOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Write the tracked type of every intermediate value as `value_info` (default true). */
  valueInfo?: boolean;
}

function toAttribute(name: string, a: Attribute): AttributeValue {
  if (typeof a === 'string') return { type: 'string', value: a };
  if (typeof a === 'number') {
    if (!Number.isInteger(a)) throw new Error(`onnx: attribute '${name}' = ${a} is not an integer; write attr.float(${a}) for a float`);
    return { type: 'int', value: a };
  }
  if (Array.isArray(a)) {
    const list = a as readonly number[];
    if (!list.every(Number.isInteger)) throw new Error(`onnx: attribute '${name}' = [${list.join(', ')}] is not all integers; write attr.floats([...]) for floats`);
    return { type: 'ints', value: list };
  }
  return a as AttributeValue;
}

function contentsOf(dtype: OnnxDataType, data: TensorContents | readonly number[]): TensorContents {
  if (dtype === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  if (dtype === 'int32') return data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
  if (dtype === 'uint8' || dtype === 'bool') return data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>);
  if (data instanceof BigInt64Array) return data;
  return BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v)));
}

/** Takes `hint`, or the first of `hint_1`, `hint_2`, ... not in `taken`. */
function fresh(taken: Set<string>, hint: string): string {
  let name = hint;
  for (let i = 1; taken.has(name); i++) name = `${hint}_${i}`;
  taken.add(name);
  return name;
}

/** An ONNX graph under construction. Names are unique; every value's type is known. */
export class OnnxGraph {
  private readonly nodes: NodeData[] = [];
  private readonly initializers: TensorData[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly types = new Map<string, ValueType>();
  /** Value names (inputs, initializers, node outputs); node names are a namespace of their own. */
  private readonly used = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly int64Cache = new Map<string, string>();
  private readonly metadataProps: Array<[string, string]> = [];

  constructor(readonly name = 'main') {}

  /** A value name not used yet in this graph: `hint`, else `hint_1`, `hint_2`, ... */
  uniqueName(hint: string): string {
    return fresh(this.used, hint);
  }

  /** Takes `name` exactly (graph inputs and named outputs are a file's contract); throws if it is taken. */
  private claim(name: string): string {
    if (name === '' || this.used.has(name)) throw new Error(`onnx: the name '${name}' is empty or already used in graph '${this.name}'`);
    this.used.add(name);
    return name;
  }

  /** Declares a graph input; returns its name (exactly `name`). */
  input(name: string, dtype: OnnxDataType, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push({ name, dtype, dims: [...dims] });
    this.types.set(name, { dtype, dims: [...dims] });
    return name;
  }

  /**
   * Adds a constant tensor (weights in OIHW/IOHW layout); returns its unique name. A typed array
   * of the right type is referenced, not copied: leave it unchanged until `toBytes`.
   */
  initializer(name: string, dtype: OnnxDataType, dims: readonly number[], data: TensorContents | readonly number[]): string {
    const unique = this.uniqueName(name);
    const contents = contentsOf(dtype, data);
    const count = dims.reduce((a, b) => a * b, 1);
    if (contents.length !== count) throw new Error(`onnx: initializer '${name}' has dims [${dims.join(', ')}] (${count} values) but ${contents.length} values`);
    this.initializers.push({ name: unique, dtype, dims: [...dims], data: contents });
    this.types.set(unique, { dtype, dims: [...dims] });
    return unique;
  }

  /** A 1-D int64 constant (shapes, axes, pads), shared between nodes that use the same values. */
  int64s(values: readonly number[], hint = 'const'): string {
    const key = values.join(',');
    const known = this.int64Cache.get(key);
    if (known !== undefined) return known;
    const name = this.initializer(hint, 'int64', [values.length], values);
    this.int64Cache.set(key, name);
    return name;
  }

  /** A float32 scalar constant (shape `[]`). */
  scalar(value: number, hint = 'scalar'): string {
    return this.initializer(hint, 'float32', [], [value]);
  }

  /**
   * Appends a node; returns its output names. Inputs must already be in the graph (`''` leaves an
   * optional input out). Types given in `options.types` are recorded for the outputs.
   */
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, options: NodeOptions = {}): string[] {
    const name = fresh(this.nodeNames, options.name ?? opType);
    for (const i of inputs) {
      if (i !== '' && !this.types.has(i)) throw new Error(`onnx: input '${i}' of ${opType} node '${name}' is not a graph input, initializer or node output`);
    }
    const spec = options.outputs ?? 1;
    const outputs = typeof spec === 'number' ? Array.from({ length: spec }, (_, k) => this.uniqueName(spec === 1 ? name : `${name}.${k}`)) : spec.map((o) => this.claim(o));
    const attrs = Object.entries(attributes).map(([k, v]) => [k, toAttribute(k, v)] as const);
    this.nodes.push({ opType, name, inputs: [...inputs], outputs, attributes: attrs });
    options.types?.forEach((t, k) => {
      const o = outputs[k];
      if (o !== undefined) this.types.set(o, { dtype: t.dtype, dims: [...t.dims] });
    });
    return outputs;
  }

  /** Like {@link node} for the common case of one output of known type. */
  node1(opType: string, inputs: readonly string[], attributes: Record<string, Attribute>, type: ValueType, name?: string): string {
    const [out] = this.node(opType, inputs, attributes, { types: [type], ...(name === undefined ? {} : { name }) });
    return out as string;
  }

  /** Whether `name` is a value of this graph. */
  has(name: string): boolean {
    return this.types.has(name);
  }

  /** Element type and shape of a value. */
  typeOf(name: string): ValueType {
    const t = this.types.get(name);
    if (!t) throw new Error(`onnx: '${name}' is not a value of graph '${this.name}' (or its type was not recorded)`);
    return t;
  }

  /** Shape of a value. */
  dims(name: string): readonly Dim[] {
    return this.typeOf(name).dims;
  }

  /**
   * Shape of an NCHW value whose channels and spatial size are fixed (the batch may be symbolic).
   * `what` names the op that needs it, for the error.
   */
  nchw(name: string, what: string): [Dim, number, number, number] {
    const d = this.dims(name);
    const [n, c, h, w] = d;
    if (d.length !== 4 || n === undefined || typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') {
      throw new Error(`onnx ${what}: '${name}' must be [N, C, H, W] with fixed C, H, W, got [${d.join(', ')}]`);
    }
    return [n, c, h, w];
  }

  /** Marks a value as a graph output, under the name `as` when given (through an Identity node). */
  output(name: string, as?: string): string {
    const type = this.typeOf(name);
    // A graph input or initializer cannot be listed as an output too: route it through Identity.
    const boundary = this.inputs.some((i) => i.name === name) || this.initializers.some((i) => i.name === name);
    let out = name;
    if ((as !== undefined && as !== name) || boundary) {
      [out] = this.node('Identity', [name], {}, { outputs: [as ?? `${name}_output`], types: [type] }) as [string];
    }
    if (this.outputs.some((o) => o.name === out)) throw new Error(`onnx: '${out}' is already a graph output`);
    this.outputs.push({ name: out, dtype: type.dtype, dims: [...type.dims] });
    return out;
  }

  /** Adds a `metadata_props` entry (model name, options, class names, normalisation, ...). */
  metadata(key: string, value: string): void {
    const at = this.metadataProps.findIndex(([k]) => k === key);
    if (at >= 0) this.metadataProps[at] = [key, value];
    else this.metadataProps.push([key, value]);
  }

  /** Op types of the nodes, in order. */
  opTypes(): string[] {
    return this.nodes.map((n) => n.opType);
  }

  /** The model as `.onnx` file bytes. */
  toBytes(options: ToBytesOptions = {}): Uint8Array {
    if (this.outputs.length === 0) throw new Error(`onnx: graph '${this.name}' has no outputs; call output(...) first`);
    const boundary = new Set([...this.inputs, ...this.outputs].map((v) => v.name));
    const constant = new Set(this.initializers.map((t) => t.name));
    const valueInfo: ValueInfo[] = [];
    if (options.valueInfo ?? true) {
      for (const n of this.nodes) {
        for (const o of n.outputs) {
          const t = this.types.get(o);
          if (t && !boundary.has(o) && !constant.has(o)) valueInfo.push({ name: o, dtype: t.dtype, dims: t.dims });
        }
      }
    }
    return encodeModel({
      irVersion: IR_VERSION,
      opsetImports: [{ domain: '', version: OPSET_VERSION }],
      producerName: options.producerName ?? 'pixelwise',
      producerVersion: options.producerVersion ?? '0.1.0',
      ...(options.docString === undefined ? {} : { docString: options.docString }),
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs, valueInfo },
      metadata: this.metadataProps,
    });
  }
}
