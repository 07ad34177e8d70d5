/**
 * The attention propagation module of TDNet (Hu, Caldwell, Kim & Manocha, "Temporally
 * Distributed Networks for Fast Video Semantic Segmentation", CVPR 2020, §3.3): the features of
 * the current frame (computed by one shallow sub-network) are completed with the features the
 * other sub-networks computed on the previous frames, each read through attention between the
 * current frame's query and that frame's key. Query, key and value are average-pooled by a factor
 * before the affinity is formed (the downsampled attention that keeps the module cheap), and the
 * attended values are resized back to the feature grid:
 *
 * ```
 * F_t = V_t + sum_p up( softmax( pool(Q_t) pool(K_p)^T / sqrt(d) ) pool(V_p) )
 * ```
 *
 * Matrix products, pooling, softmax and resize only (ONNX-expressible).
 */
import { adaptiveAvgPool2d, tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { upsampleTo } from '../layers/resize.js';

/** A frame encoded for attention: `[N, h, w, d]` query and key, `[N, h, w, C]` value. */
export interface AttentionEncoding {
  query: Tensor4D;
  key: Tensor4D;
  value: Tensor4D;
}

/** Grid `[h, w]` pooled by `factor` (ceil, so every position is covered). */
export function pooledGrid(h: number, w: number, factor: number): [number, number] {
  return [Math.max(1, Math.ceil(h / factor)), Math.max(1, Math.ceil(w / factor))];
}

function pool(x: Tensor4D, factor: number): Tensor4D {
  if (factor === 1) return x;
  return adaptiveAvgPool2d(x, pooledGrid(x.shape[1], x.shape[2], factor));
}

/**
 * `softmax(q k^T / sqrt(d)) v` for flattened positions: q `[N, n, d]`, k `[N, m, d]`,
 * v `[N, m, C]` -> `[N, n, C]`.
 */
export function attend(q: Tensor3D, k: Tensor3D, v: Tensor3D): Tensor3D {
  return tf.tidy(() => {
    const d = q.shape[2];
    const affinity = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
    return tf.matMul(tf.softmax(affinity, -1), v) as Tensor3D;
  });
}

/**
 * Propagates `previous` frames' values to the current frame (equation above).
 * @param factor pooling factor of query, key and value before the affinity (1 = none)
 * @returns `[N, h, w, C]`, the value grid of `current`
 */
export function propagateAttention(current: AttentionEncoding, previous: readonly AttentionEncoding[], factor: number): Tensor4D {
  const [n, h, w] = current.value.shape;
  for (const p of previous) {
    if (p.key.shape[3] !== current.query.shape[3] || p.value.shape[3] !== current.value.shape[3] || p.value.shape[0] !== n) {
      throw new Error(`propagateAttention: previous frame has key ${JSON.stringify(p.key.shape)} / value ${JSON.stringify(p.value.shape)}, current query ${JSON.stringify(current.query.shape)} / value ${JSON.stringify(current.value.shape)}`);
    }
  }
  return tf.tidy(() => {
    if (previous.length === 0) return current.value.clone();
    const q4 = pool(current.query, factor);
    const [, qh, qw, d] = q4.shape;
    const q = tf.reshape(q4, [n, qh * qw, d]) as Tensor3D;
    const terms = previous.map((p) => {
      const k4 = pool(p.key, factor);
      const v4 = pool(p.value, factor);
      const k = tf.reshape(k4, [n, k4.shape[1] * k4.shape[2], d]) as Tensor3D;
      const v = tf.reshape(v4, [n, v4.shape[1] * v4.shape[2], v4.shape[3]]) as Tensor3D;
      return tf.reshape(attend(q, k, v), [n, qh, qw, v4.shape[3]]) as Tensor4D;
    });
    const summed = terms.length === 1 ? (terms[0] as Tensor4D) : (tf.addN(terms) as Tensor4D);
    return tf.add(current.value, upsampleTo(summed, [h, w])) as Tensor4D;
  });
}

/** A frame encoded for attention as ONNX values: NCHW `[N, d, h, w]` query and key, `[N, C, h, w]` value. */
export interface OnnxAttentionEncoding {
  query: string;
  key: string;
  value: string;
}

/**
 * {@link propagateAttention} as ONNX nodes: `AveragePool`/bin `MatMul`s for the pooling, `Reshape`,
 * batched `MatMul`s, `Softmax` over the previous frame's positions, `Resize` back and `Add`.
 * In NCHW the value times the transposed attention gives `[N, C, positions]` directly.
 */
export function propagateAttentionToOnnx(g: OnnxGraph, current: Pick<OnnxAttentionEncoding, 'query' | 'value'>, previous: readonly Pick<OnnxAttentionEncoding, 'key' | 'value'>[], factor: number): string {
  if (previous.length === 0) return current.value;
  const [, , h, w] = g.nchw(current.value, 'propagateAttention');
  const pool = (x: string) => {
    const [, , ph, pw] = g.nchw(x, 'propagateAttention');
    return factor === 1 ? x : onnx.adaptiveAveragePool(g, x, pooledGrid(ph, pw, factor));
  };
  const flat = (x: string) => {
    const [, c, ph, pw] = g.nchw(x, 'propagateAttention');
    return onnx.reshape(g, x, [0, c, ph * pw]);
  };
  const q4 = pool(current.query);
  const [, d, qh, qw] = g.nchw(q4, 'propagateAttention');
  const q = onnx.transpose(g, flat(q4), [0, 2, 1]);
  const scale = g.scalar(1 / Math.sqrt(d), 'attention.scale');
  const terms = previous.map((p) => {
    const affinity = onnx.mul(g, onnx.matMul(g, q, flat(pool(p.key))), scale);
    const weights = onnx.transpose(g, onnx.softmax(g, affinity, 2), [0, 2, 1]);
    const v = flat(pool(p.value));
    const [, c] = g.dims(v);
    return onnx.reshape(g, onnx.matMul(g, v, weights), [0, c as number, qh, qw]);
  });
  const summed = terms.slice(1).reduce((sum, t) => onnx.add(g, sum, t), terms[0] as string);
  return onnx.add(g, current.value, onnx.resize(g, summed, [h, w]));
}

/** Multiply-adds of the attention products for one frame (affinity and weighted sum per previous frame). */
export function attentionMacs(h: number, w: number, keyChannels: number, valueChannels: number, previousFrames: number, factor: number): number {
  const [ph, pw] = pooledGrid(h, w, factor);
  const positions = ph * pw;
  return previousFrames * positions * positions * (keyChannels + valueChannels);
}
