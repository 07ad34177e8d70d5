/**
 * Bilinear `Resize` (opset 13+, mode `linear`) with core's `resizeBilinear` semantics for both
 * `alignCorners` settings, that is PyTorch's `F.interpolate(mode='bilinear')`.
 */
import type { OnnxGraph } from '../graph.js';
import { shapeWithSpatial } from './shape.js';

/**
 * Resizes `[N, C, H, W]` to `[N, C, h, w]`.
 *
 * - `alignCorners: true`: coordinate_transformation_mode `align_corners`,
 *   `src = dst * (in - 1) / (out - 1)`.
 * - `alignCorners: false` (default): `half_pixel`, `src = (dst + 0.5) * in / out - 0.5`, which
 *   ONNX Runtime's linear mode clamps to the input as PyTorch does. This is PyTorch's own rule.
 *   ONNX's `pytorch_half_pixel` (what `torch.onnx` writes) equals it except on an axis resized to
 *   one pixel, where it samples pixel 0 while PyTorch and core sample the centre `(in - 1) / 2`.
 *
 * Sizes go in through `sizes` (never `scales`, whose product with the input size rounds).
 */
export function resize(g: OnnxGraph, x: string, size: [number, number], options: { alignCorners?: boolean } = {}): string {
  const [n, c, h, w] = g.nchw(x, 'Resize');
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) throw new Error(`onnx Resize: size must be two positive integers, got ${JSON.stringify(size)}`);
  if (oh === h && ow === w) return x;
  const mode = options.alignCorners ? 'align_corners' : 'half_pixel';
  const sizes = shapeWithSpatial(g, x, size);
  return g.node1('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: mode }, { dtype: 'float32', dims: [n, c, oh, ow] });
}
