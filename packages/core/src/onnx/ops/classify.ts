/** Per-pixel class scores to probabilities and labels: `Softmax` and `ArgMax` over channels. */
import type { OnnxGraph } from '../graph.js';

/** `Softmax` (opset 13: along one axis) over `axis`, default 1 (channels in NCHW). */
export function softmax(g: OnnxGraph, x: string, axis = 1): string {
  return g.node1('Softmax', [x], { axis }, g.typeOf(x));
}

/**
 * `ArgMax` over `axis` (default channels), first maximum on ties as `tf.argMax` and `torch.argmax`.
 *
 * @returns int64, `[N, H, W]` (or `[N, 1, H, W]` with `keepDims`)
 */
export function argMax(g: OnnxGraph, x: string, axis = 1, keepDims = false): string {
  const d = g.dims(x);
  const a = axis < 0 ? axis + d.length : axis;
  const dims = keepDims ? d.map((v, k) => (k === a ? 1 : v)) : d.filter((_, k) => k !== a);
  return g.node1('ArgMax', [x], { axis: a, keepdims: keepDims ? 1 : 0, select_last_index: 0 }, { dtype: 'int64', dims });
}

/**
 * `ReduceMax` (opset 13-17: axes as an attribute) over `axis`, keeping it as size 1 with
 * `keepDims` (default true).
 */
export function reduceMax(g: OnnxGraph, x: string, axis = 1, keepDims = true): string {
  const d = g.dims(x);
  const a = axis < 0 ? axis + d.length : axis;
  const dims = keepDims ? d.map((v, k) => (k === a ? 1 : v)) : d.filter((_, k) => k !== a);
  return g.node1('ReduceMax', [x], { axes: [a], keepdims: keepDims ? 1 : 0 }, { dtype: g.typeOf(x).dtype, dims });
}

/**
 * The top class probability of each pixel, `max_c softmax(x)_c` (Deep Layer Cascade's exit
 * score, Li et al. CVPR 2017 §3.1): `[N, C, H, W]` scores to `[N, 1, H, W]`.
 */
export function topProbability(g: OnnxGraph, scores: string): string {
  return reduceMax(g, softmax(g, scores, 1), 1, true);
}
