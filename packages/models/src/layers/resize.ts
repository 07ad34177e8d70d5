/** Resizing score and feature maps between grids (heads, segmentors and video methods share it). */
import { resizeBilinear } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';

/**
 * Bilinear resize of `[N, h, w, C]` to `[N, H, W, C]` with `align_corners=False` (torchvision's and
 * mmsegmentation's default) or `True`; returns `x` itself when it already has that size.
 * @param size `[H, W]`
 */
export function upsampleTo(x: Tensor4D, size: readonly [number, number] | readonly number[], alignCorners = false): Tensor4D {
  const h = size[0] ?? 0;
  const w = size[1] ?? 0;
  if (x.shape[1] === h && x.shape[2] === w) return x;
  return resizeBilinear(x, [h, w], { alignCorners });
}
