export type OnnxArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;
export interface OnnxTensor {
  data: OnnxArray;
  dims: number[];
}
export interface OnnxValueSummary {
  name: string;
  /** TensorProto.DataType (1 float, 6 int32, 7 int64). */
  elemType: number;
  dims: Array<number | string>;
}
export interface OnnxSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  opsets: Array<[string, number]>;
  metadata: Record<string, string>;
  graphName: string;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  valueInfo: OnnxValueSummary[];
  nodes: Array<{ op: string; name: string; inputs: string[]; outputs: string[]; attributes: Array<[string, number, unknown]> }>;
  initializers: Array<{ name: string; dataType: number; dims: number[]; values: number[] }>;
}
export function checkOnnx(bytes: Uint8Array, options?: { fullCheck?: boolean }): void;
export function describeOnnx(bytes: Uint8Array, options?: { values?: boolean }): OnnxSummary;
export function runOnnx(bytes: Uint8Array, feeds: Record<string, OnnxTensor>, options?: { optimization?: 'disabled' | 'basic' | 'extended' | 'all' }): Promise<Record<string, OnnxTensor>>;
export function relativeError(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>): number;
export function toOnnxLayout<T extends ArrayLike<number> | OnnxArray>(data: T, dims: readonly number[]): { data: T; dims: number[] };
export function expectOnnxOutputs(
  bytes: Uint8Array,
  feeds: Record<string, OnnxTensor>,
  expected: Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[] }>,
  tolerance: number,
): Promise<Record<string, number>>;
