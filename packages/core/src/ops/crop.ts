import { tf } from '../tf.js';
import type { Tensor4D } from '../tf.js';

/**
 * Crops `x` spatially to the height and width of `ref`, starting at `offset` — Caffe's `Crop`
 * layer as FCN uses it for skip fusion (Long et al. §4.2; offsets 19, 9 and 5 in the reference
 * FCN-8s with its 100-pixel input padding). `'center'` centres the window.
 *
 * @param x `[N, H, W, C]`
 * @param ref `[N, h, w, *]` with `h <= H - offsetY`, `w <= W - offsetX`
 */
export function cropLike(x: Tensor4D, ref: Tensor4D | readonly number[], offset: number | [number, number] | 'center' = 0): Tensor4D {
  const refShape = Array.isArray(ref) ? ref : (ref as Tensor4D).shape;
  const h = refShape[1];
  const w = refShape[2];
  const [n, H, W, c] = x.shape;
  if (h === undefined || w === undefined) throw new Error(`cropLike: reference shape ${JSON.stringify(refShape)} is not [N,H,W,C]`);
  let oy: number;
  let ox: number;
  if (offset === 'center') {
    oy = Math.floor((H - h) / 2);
    ox = Math.floor((W - w) / 2);
  } else if (typeof offset === 'number') {
    oy = offset;
    ox = offset;
  } else {
    [oy, ox] = offset;
  }
  if (oy < 0 || ox < 0 || oy + h > H || ox + w > W) {
    throw new Error(`cropLike: cannot crop ${h}x${w} at offset (${oy}, ${ox}) from a ${H}x${W} tensor ${JSON.stringify(x.shape)}`);
  }
  return tf.slice(x, [0, oy, ox, 0], [n, h, w, c]);
}
