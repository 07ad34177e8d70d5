/**
 * Warping by optical flow, on TensorFlow.js tensors: bilinear backward warping of feature maps
 * (differentiable in the features and the flow, as in the spatial transformer of Jaderberg et
 * al., NIPS 2015, and the flow-guided feature warping of Zhu et al., "Deep Feature Flow", CVPR
 * 2017), nearest warping for label maps, and validity masks.
 *
 * Convention (Middlebury, same as the `.flo` files of the synthetic video): `flow[n, y, x] =
 * (u, v)` says that pixel (x, y) of the reference frame shows what the other frame shows at
 * (x + u, y + v). Backward warping samples the other frame there:
 * `out[n, y, x] = other[n, y + v, x + u]`. Pixel centres are at integer coordinates; samples
 * outside the frame read zeros (PyTorch `grid_sample`, `padding_mode='zeros'`,
 * `align_corners=True` on pixel coordinates).
 */
import { tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';

/** The four bilinear taps of every output pixel: flat row indices into `[N*H*W]` and weights. */
interface Taps {
  /** Row of corner (x0,y0), (x1,y0), (x0,y1), (x1,y1), clamped into range, `[P]` int32. */
  index: Tensor[];
  /** 1 where the corner lies inside the frame, `[P, 1]`. */
  inside: Tensor[];
  /** Fractional offsets in x and y, `[P, 1]`. */
  fx: Tensor;
  fy: Tensor;
}

function checkFlow(x: Tensor4D, flow: Tensor4D, fn: string): void {
  const [n, h, w] = x.shape;
  if (flow.rank !== 4 || flow.shape[0] !== n || flow.shape[1] !== h || flow.shape[2] !== w || flow.shape[3] !== 2) {
    throw new Error(`${fn}: flow must be [${n}, ${h}, ${w}, 2] to match the input [${x.shape.join(', ')}], found [${flow.shape.join(', ')}]`);
  }
}

/** Sample positions and corner taps for `flow` `[N, H, W, 2]`. Call inside `tf.tidy`. */
function bilinearTaps(flow: Tensor4D): Taps {
  const [n, h, w] = flow.shape;
  const p = n * h * w;
  const gx = tf.range(0, w, 1, 'float32').reshape([1, 1, w]);
  const gy = tf.range(0, h, 1, 'float32').reshape([1, h, 1]);
  const [u, v] = tf.split(flow, 2, 3) as [Tensor4D, Tensor4D];
  const sx = tf.add(u.reshape([n, h, w]), gx).reshape([p, 1]);
  const sy = tf.add(v.reshape([n, h, w]), gy).reshape([p, 1]);
  const x0 = tf.floor(sx);
  const y0 = tf.floor(sy);
  const fx = tf.sub(sx, x0);
  const fy = tf.sub(sy, y0);
  const batch = tf.range(0, n, 1, 'int32').reshape([n, 1]).tile([1, h * w]).reshape([p, 1]);
  const index: Tensor[] = [];
  const inside: Tensor[] = [];
  for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    const cx = tf.add(x0, dx);
    const cy = tf.add(y0, dy);
    const ok = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(cx, 0), tf.lessEqual(cx, w - 1)), tf.logicalAnd(tf.greaterEqual(cy, 0), tf.lessEqual(cy, h - 1)));
    const ix = tf.clipByValue(cx, 0, w - 1).toInt();
    const iy = tf.clipByValue(cy, 0, h - 1).toInt();
    const row = tf.add(tf.mul(tf.add(tf.mul(batch, tf.scalar(h, 'int32')), iy), tf.scalar(w, 'int32')), ix);
    index.push(row.reshape([p]));
    inside.push(ok.toFloat());
  }
  return { index, inside, fx, fy };
}

/** Corner values `[P, C]` of `x` `[N, H, W, C]` at the taps, zero outside the frame. */
function corners(x: Tensor4D, taps: Taps): Tensor[] {
  const [n, h, w, c] = x.shape;
  const flat = x.reshape([n * h * w, c]);
  return taps.index.map((index, k) => tf.mul(tf.gather(flat, index), taps.inside[k] as Tensor));
}

/** Bilinear weights of the four corners, `[P, 1]` each, in the order of {@link Taps.index}. */
function weights(taps: Taps): Tensor[] {
  const gx = tf.sub(1, taps.fx);
  const gy = tf.sub(1, taps.fy);
  return [tf.mul(gx, gy), tf.mul(taps.fx, gy), tf.mul(gx, taps.fy), tf.mul(taps.fx, taps.fy)];
}

const warpOp = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as Tensor4D;
  const flow = args[1] as Tensor4D;
  const save = args[2] as tf.GradSaveFunc;
  save([x, flow]);
  const value = tf.tidy(() => {
    const taps = bilinearTaps(flow);
    const c = corners(x, taps);
    const wts = weights(taps);
    return tf.addN(c.map((ck, k) => tf.mul(ck, wts[k] as Tensor))).reshape(x.shape);
  });
  return {
    value,
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const sx = saved[0] as Tensor4D;
      const sf = saved[1] as Tensor4D;
      const [n, h, w, ch] = sx.shape;
      const p = n * h * w;
      const taps = bilinearTaps(sf);
      const wts = weights(taps);
      const g = dy.reshape([p, ch]);
      // d/dx: each output scatters dy * weight to its four corners (duplicates add up).
      const rows = tf.concat(taps.index, 0).reshape([4 * p, 1]);
      const values = tf.concat(wts.map((wk, k) => tf.mul(g, tf.mul(wk, taps.inside[k] as Tensor))), 0);
      const dx = tf.scatterND(rows, values, [p, ch]).reshape(sx.shape);
      // d/dflow: the bilinear interpolant's slope in x and y, contracted with dy over channels.
      const [c00, c10, c01, c11] = corners(sx, taps) as [Tensor, Tensor, Tensor, Tensor];
      const gx = tf.sub(1, taps.fx);
      const gy = tf.sub(1, taps.fy);
      const slopeX = tf.add(tf.mul(gy, tf.sub(c10, c00)), tf.mul(taps.fy, tf.sub(c11, c01)));
      const slopeY = tf.add(tf.mul(gx, tf.sub(c01, c00)), tf.mul(taps.fx, tf.sub(c11, c10)));
      const du = tf.sum(tf.mul(g, slopeX), 1, true);
      const dv = tf.sum(tf.mul(g, slopeY), 1, true);
      return [dx, tf.concat([du, dv], 1).reshape([n, h, w, 2])];
    },
  };
});

/**
 * Bilinear backward warping: `out[n, y, x, :] = x[n, y + v, x + u, :]` with `(u, v) =
 * flow[n, y, x]`, zeros outside the frame. Differentiable in `x` and in `flow` (at integer
 * sample positions the slope is the one of the cell to the right/below).
 * @param x `[N, H, W, C]` features (or an image) of the other frame.
 * @param flow `[N, H, W, 2]` flow from the reference frame to the other frame, in pixels.
 * @returns `[N, H, W, C]` `x` seen from the reference frame.
 */
export function warpBilinear(x: Tensor4D, flow: Tensor4D): Tensor4D {
  checkFlow(x, flow, 'warpBilinear');
  return warpOp(x, flow) as Tensor4D;
}

/**
 * Nearest-neighbour backward warping, for label maps (labels cannot be interpolated):
 * `out[n, y, x] = x[n, round(y + v), round(x + u)]`, `fill` where that lies outside the frame.
 * Not differentiable. Integer inputs give integer outputs.
 * @param x `[N, H, W, C]` labels (or anything) of the other frame.
 * @param flow `[N, H, W, 2]` flow from the reference frame to the other frame.
 */
export function warpNearest(x: Tensor4D, flow: Tensor4D, fill = 0): Tensor4D {
  checkFlow(x, flow, 'warpNearest');
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    // floor(. + 0.5) rounds halves up, like Math.round in @pixelwise/eval's warpLabelsBack.
    const rounded = tf.floor(tf.add(flow, 0.5)) as Tensor4D;
    const taps = bilinearTaps(rounded); // integer positions: corner (x0, y0) is the sample itself
    const index = taps.index[0] as Tensor;
    const inside = (taps.inside[0] as Tensor).toBool();
    const values = tf.gather(x.reshape([n * h * w, c]), index);
    return tf.where(inside, values, tf.fill([n * h * w, c], fill, x.dtype)).reshape([n, h, w, c]) as Tensor4D;
  });
}

/**
 * 1 where the flow is known (finite, |u|, |v| < 1e9: the Middlebury unknown marker) and points
 * inside the frame (`0 <= x + u <= W - 1`, same for y), else 0. `[N, H, W, 2]` -> `[N, H, W, 1]`.
 */
export function inFrameMask(flow: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = flow.shape;
    const [u, v] = tf.split(flow, 2, 3) as [Tensor4D, Tensor4D];
    const sx = tf.add(u, tf.range(0, w, 1, 'float32').reshape([1, 1, w, 1]));
    const sy = tf.add(v, tf.range(0, h, 1, 'float32').reshape([1, h, 1, 1]));
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(sx, 0), tf.lessEqual(sx, w - 1)),
      tf.logicalAnd(tf.greaterEqual(sy, 0), tf.lessEqual(sy, h - 1)),
    );
    return tf.logicalAnd(inside, knownFlow(u, v)).toFloat().reshape([n, h, w, 1]) as Tensor4D;
  });
}

function knownFlow(u: Tensor, v: Tensor): Tensor {
  return tf.logicalAnd(tf.less(tf.abs(u), 1e9), tf.less(tf.abs(v), 1e9));
}

export interface ForwardBackwardOptions {
  /** Relative tolerance alpha1 (default 0.01). */
  alpha1?: number;
  /** Absolute tolerance alpha2 in squared pixels (default 0.5). */
  alpha2?: number;
}

/**
 * Forward-backward consistency check (Sundaram et al., ECCV 2010; the form of Meister et al.,
 * "UnFlow", AAAI 2018, eq. 3): a pixel's flow is trusted when following it forward and the
 * backward flow back returns near the start,
 * `|f + b'|^2 < alpha1 (|f|^2 + |b'|^2) + alpha2` with `b'` the backward flow bilinearly
 * warped to the reference frame by `f`; and the forward flow points inside the frame.
 * Occluded pixels fail it. `[N, H, W, 2]` each -> `[N, H, W, 1]` of 0/1.
 * @param forward flow from frame t to t+1.
 * @param backward flow from frame t+1 to t.
 */
export function forwardBackwardMask(forward: Tensor4D, backward: Tensor4D, options: ForwardBackwardOptions = {}): Tensor4D {
  checkFlow(forward, backward, 'forwardBackwardMask');
  const { alpha1 = 0.01, alpha2 = 0.5 } = options;
  return tf.tidy(() => {
    const [u, v] = tf.split(forward, 2, 3) as [Tensor, Tensor];
    const [bu, bv] = tf.split(backward, 2, 3) as [Tensor, Tensor];
    const knownF = knownFlow(u, v);
    const knownB = knownFlow(bu, bv);
    // Unknown values would poison the interpolation: zero them first (their pixels fail anyway).
    const f = tf.where(tf.concat([knownF, knownF], 3), forward, tf.zerosLike(forward)) as Tensor4D;
    const b = tf.where(tf.concat([knownB, knownB], 3), backward, tf.zerosLike(backward)) as Tensor4D;
    const bWarped = warpBilinear(b, f);
    const sq = (t: Tensor) => tf.sum(tf.square(t), 3, true);
    const lhs = sq(tf.add(f, bWarped));
    const rhs = tf.add(tf.mul(alpha1, tf.add(sq(f), sq(bWarped))), alpha2);
    const occlusionFree = tf.less(lhs, rhs);
    // A target whose backward flow is unknown is occluded: its warped flow is meaningless.
    const targetKnown = tf.greater(warpBilinear(tf.cast(knownB, 'float32') as Tensor4D, f), 0.999);
    const ok = tf.logicalAnd(tf.logicalAnd(occlusionFree, targetKnown), tf.logicalAnd(knownF, tf.cast(inFrameMask(forward), 'bool')));
    return ok.toFloat() as Tensor4D;
  });
}
