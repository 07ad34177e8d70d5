/**
 * The part of ONNX Runtime's JavaScript API the engine uses, written down structurally so that
 * `onnxruntime-node` (Node: CPU, WebGPU through Dawn) and `onnxruntime-web` (browsers: wasm,
 * WebGPU) both fit and neither is a dependency of this module: the caller hands its `ort` in.
 */

/** Element types the engine feeds and reads. */
export type OrtTensorType = 'float32' | 'uint8' | 'int32' | 'int64';
export type OrtData = Float32Array | Uint8Array | Int32Array | BigInt64Array;

export interface OrtTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
  /** Frees the tensor's native memory (onnxruntime 1.17+); plain CPU tensors need not call it. */
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** Session options the engine sets (a subset of `InferenceSession.SessionOptions`). */
export interface OrtSessionOptions {
  executionProviders: string[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  /** 0 verbose .. 4 fatal; the engine keeps ONNX Runtime's warnings off the command's stderr. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** Session config entries, nested by their dotted keys (`session.intra_op.allow_spinning`). */
  extra?: Record<string, unknown>;
}

/** `import * as ort from 'onnxruntime-node'` (or `-web`), as far as the engine needs it. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: OrtTensorType, data: OrtData, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string | undefined> };
}

/** A tensor's data as the typed array its type says (a wrong type is a bug: one clear line). */
export function tensorData<T extends OrtData>(t: OrtTensor | undefined, what: string, kind: new (n: number) => T): T {
  if (!t || !(t.data instanceof kind)) throw new Error(`onnx engine: output '${what}' is ${t ? `${t.type} [${t.dims.join(', ')}]` : 'missing'}, expected ${kind.name}`);
  return t.data as T;
}

/** int64 labels as int32 (class ids are small). */
export function labelsOf(t: OrtTensor | undefined): Int32Array {
  const data = tensorData(t, 'labels', BigInt64Array);
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** Argmax over the channels of NCHW scores `[n, c, h, w]`, first maximum on ties (as `tf.argMax`): `[n * h * w]`. */
export function channelArgmax(scores: Float32Array, dims: readonly number[]): Int32Array {
  const [n = 1, c = 1, h = 1, w = 1] = dims;
  const plane = h * w;
  const out = new Int32Array(n * plane);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      let best = 0;
      let max = scores[b * c * plane + p] ?? -Infinity;
      for (let k = 1; k < c; k++) {
        const v = scores[(b * c + k) * plane + p] ?? -Infinity;
        if (v > max) {
          max = v;
          best = k;
        }
      }
      out[b * plane + p] = best;
    }
  }
  return out;
}
