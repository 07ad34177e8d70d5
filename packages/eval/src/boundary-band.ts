/**
 * The boundary band ("trimap") of a ground-truth label map: the pixels within `radius` pixels of
 * a pixel of another class, where a CRF's sharper boundaries show. Accuracy and mIoU measured
 * only there are the trimap evaluation of Kohli, Ladicky & Torr (IJCV 2009) that DeepLab reports
 * for its CRF (Chen et al., ICLR 2015, Fig. 5, "band width" around object boundaries). Here the
 * distance is the square window (Chebyshev distance): pixel i is in the band when the
 * `(2 radius + 1)^2` window around it holds a counted label other than its own.
 */
import type { LabelArray } from './confusion-matrix.js';

/**
 * @param gt `[H, W]` row-major ground truth
 * @param width W
 * @param radius band half-width in pixels, >= 1
 * @param ignoreIndex the label of pixels that are not counted; pixels outside the band get it
 * @returns a copy of `gt` with every pixel outside the band set to `ignoreIndex`
 */
export function boundaryBand<T extends LabelArray>(gt: T, width: number, radius: number, ignoreIndex: number): T {
  if (!Number.isInteger(radius) || radius < 1) throw new RangeError(`boundary band radius must be a positive integer, found ${radius}`);
  if (!Number.isInteger(width) || width < 1 || gt.length % width !== 0) throw new RangeError(`boundary band: ${gt.length} labels are not rows of width ${width}`);
  const height = gt.length / width;
  const n = gt.length;
  // The window holds another class exactly when its smallest and largest counted labels differ.
  const NONE_MIN = 2 ** 32;
  const rowMin = new Float64Array(n);
  const rowMax = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let lo = NONE_MIN;
      let hi = -1;
      for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
        const l = gt[y * width + xx] as number;
        if (l === ignoreIndex) continue;
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
      rowMin[y * width + x] = lo;
      rowMax[y * width + x] = hi;
    }
  }
  const out = gt.slice() as T;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (gt[i] === ignoreIndex) continue;
      let lo = NONE_MIN;
      let hi = -1;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
        lo = Math.min(lo, rowMin[yy * width + x] as number);
        hi = Math.max(hi, rowMax[yy * width + x] as number);
      }
      if (lo === hi) out[i] = ignoreIndex;
    }
  }
  return out;
}
