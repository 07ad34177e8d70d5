/**
 * Training samples for per-frame models trained across frames (Liu et al., ECCV 2020): a
 * labelled frame t, a neighbour t+k and the optical flow t -> t+k. As in the authors' code
 * (`util/dataset.py`, `VideoData` with `frame_gap: 3`, `random_frame: True`) the neighbour is
 * frame `t - i` for `i` uniform in `{-3..2} \ {0}`, i.e. k in `{-2, -1, 1, 2, 3}`; here restricted to
 * the offsets that stay inside the video. The flow is the data set's ground truth chained frame
 * to frame ({@link composeFlows}), or estimated from the two images (FlowNetS, Lucas-Kanade) for
 * data without it, as the code's FlowNet2 does.
 */
import { tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import type { Rng, Sample } from '@pixelwise/models';
import { cropFlow, cropPlanes, cropRgb, randomWindow } from './crop-window.js';
import { composeFlows } from './flow-compose.js';
import { inFrameMask } from './warp.js';

/** Neighbour offsets k of the authors' code: frame t - i, i in {-3, ..., 2} \ {0}. */
export const NEIGHBOUR_OFFSETS: readonly number[] = [-2, -1, 1, 2, 3];

/** A labelled frame, a neighbour and the flow from the frame to the neighbour. */
export interface FramePair {
  /** `video/frame` of frame t. */
  name: string;
  frame: Sample;
  neighbour: RgbImage;
  /** k: the neighbour is frame t + k. */
  offset: number;
  /** Flow t -> t+k in pixels (Middlebury unknown values where occluded). */
  flow: FlowField;
}

/** Frame pairs by index; the neighbour is drawn with the loader's random numbers. */
export interface FramePairSource {
  /** Labelled frames (samples per epoch). */
  count: number;
  /**
   * Sample `i`. With `neighbour` false the neighbour is drawn (the same random numbers are used)
   * but neither read nor its flow computed: the pair holds frame t twice and zero flow (training
   * without cross-frame terms sees exactly the frames and crops the other runs see).
   */
  read(i: number, rng: Rng, neighbour?: boolean): Promise<FramePair>;
}

/** One video for {@link framePairs}: frames with labels, and its ground-truth flow when it has one. */
export interface PairVideo {
  name: string;
  frames: number;
  read(t: number): Promise<Sample & { name?: string }>;
  /** Flow t -> t+1 (`forward`) or t -> t-1 (`backward`). */
  flow?(t: number, direction: 'forward' | 'backward'): Promise<FlowField>;
}

/** Flow from `first` to `second` estimated from the images (e.g. `lucasKanadeFlow`, `predictFlow` of FlowNetS). */
export type FlowEstimator = (first: RgbImage, second: RgbImage) => FlowField | Promise<FlowField>;

export interface FramePairOptions {
  /** Neighbour offsets to draw from. Default {@link NEIGHBOUR_OFFSETS}. */
  offsets?: readonly number[];
  /** Estimate the flow instead of reading the ground truth. */
  estimate?: FlowEstimator;
  /**
   * Sparse labels, as in Cityscapes (one labelled frame in each 30-frame snippet, the 20th): only
   * the middle frame of every `labelledEvery` frames (t mod N = floor(N / 2)) is a frame t, its
   * label used; the neighbours are any frames, their labels never read. Default 1: every frame.
   */
  labelledEvery?: number;
}

/** Every (labelled) frame of every video, each with a random neighbour: `count` = those frames. */
export function framePairs(videos: readonly PairVideo[], options: FramePairOptions = {}): FramePairSource {
  const offsets = options.offsets ?? NEIGHBOUR_OFFSETS;
  if (offsets.length === 0 || offsets.some((k) => !Number.isInteger(k) || k === 0)) throw new Error(`framePairs: offsets must be non-zero integers, got [${offsets.join(', ')}]`);
  const every = options.labelledEvery ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`framePairs: labelledEvery must be a positive integer, got ${every}`);
  const labelled = (t: number): boolean => t % every === Math.floor(every / 2);
  const index: Array<[number, number]> = videos.flatMap((v, i) => Array.from({ length: v.frames }, (_, t) => [i, t] as [number, number]).filter(([, t]) => labelled(t)));
  if (index.length === 0) throw new Error(`framePairs: no labelled frame (one in every ${every}) in ${videos.length} videos of ${Math.max(0, ...videos.map((v) => v.frames))} frames at most`);
  return {
    count: index.length,
    async read(i, rng, withNeighbour = true) {
      const [vi, t] = index[i] ?? [];
      const v = vi === undefined ? undefined : videos[vi];
      if (!v || t === undefined) throw new RangeError(`framePairs: sample ${i} out of range 0..${index.length - 1}`);
      const usable = offsets.filter((k) => t + k >= 0 && t + k < v.frames);
      if (usable.length === 0) throw new Error(`framePairs: video ${v.name} has ${v.frames} frames: no neighbour of frame ${t} at offsets [${offsets.join(', ')}]`);
      const k = rng.pick(usable);
      const frame = await v.read(t);
      const name = `${v.name}/${frame.name ?? t}`;
      const sample = { image: frame.image, labels: frame.labels };
      if (!withNeighbour) return { name, frame: sample, neighbour: frame.image, offset: k, flow: { width: frame.image.width, height: frame.image.height, data: new Float32Array(frame.image.width * frame.image.height * 2) } };
      const next = await v.read(t + k);
      const flow = options.estimate ? await options.estimate(frame.image, next.image) : await groundTruthFlow(v, t, k);
      return { name, frame: sample, neighbour: next.image, offset: k, flow };
    },
  };
}

/** Flow t -> t+k chained from the video's frame-to-frame ground truth. */
export async function groundTruthFlow(v: PairVideo, t: number, k: number): Promise<FlowField> {
  if (!v.flow) throw new Error(`video ${v.name} has no ground-truth flow; give a flow estimator (FlowNetS or Lucas-Kanade)`);
  const step = Math.sign(k);
  const links = await Promise.all(Array.from({ length: Math.abs(k) }, (_, j) => (v.flow as NonNullable<PairVideo['flow']>)(t + j * step, step > 0 ? 'forward' : 'backward')));
  return composeFlows(links);
}

/** A pair cropped to `crop` (`[height, width]`, default the whole frame) and mirrored with probability `flip`, all planes alike. */
export function augmentFramePair(pair: FramePair, rng: Rng, crop?: [number, number], flip = 0.5): FramePair {
  const { width, height } = pair.frame.image;
  const win = randomWindow([width, height], crop ?? [height, width], flip, rng, pair.name);
  const labels = { width: win.width, height: win.height, data: cropPlanes(pair.frame.labels.data, 1, win, (n) => new Uint8Array(n)) };
  return { ...pair, frame: { image: cropRgb(pair.frame.image, win), labels }, neighbour: cropRgb(pair.neighbour, win), flow: cropFlow(pair.flow, win) };
}

/** Same-size pairs as tensors: uint8-range RGB of both frames, labels, flow (unknown zeroed) and its validity. */
export interface StackedPairs {
  /** `[N, H, W, 3]` int32 in 0..255, frame t and frame t+k. */
  rgb: Tensor4D;
  neighbourRgb: Tensor4D;
  /** `[N, H, W]` int32 class ids of frame t. */
  labels: Tensor3D;
  /** `[N, H, W, 2]` flow t -> t+k, zero where unknown. */
  flow: Tensor4D;
  /** `[N, H, W, 1]` 1 where the flow is known and lands inside the frame. */
  valid: Tensor4D;
}

export function stackFramePairs(pairs: readonly FramePair[]): StackedPairs {
  const first = pairs[0];
  if (!first) throw new Error('stackFramePairs: empty batch');
  const { width: w, height: h } = first.frame.image;
  const n = pairs.length;
  const a = new Int32Array(n * h * w * 3);
  const b = new Int32Array(n * h * w * 3);
  const y = new Int32Array(n * h * w);
  const f = new Float32Array(n * h * w * 2);
  pairs.forEach((p, i) => {
    for (const [what, size] of [['frame', p.frame.image], ['labels', p.frame.labels], ['neighbour', p.neighbour], ['flow', p.flow]] as const) {
      if (size.width !== w || size.height !== h) throw new Error(`${p.name}: ${what} is ${size.width}x${size.height}, the batch is ${w}x${h}; use a crop size`);
    }
    a.set(p.frame.image.data, i * h * w * 3);
    b.set(p.neighbour.data, i * h * w * 3);
    y.set(p.frame.labels.data, i * h * w);
    f.set(p.flow.data, i * h * w * 2);
  });
  return tf.tidy(() => {
    const raw = tf.tensor4d(f, [n, h, w, 2]);
    const valid = inFrameMask(raw);
    return {
      rgb: tf.tensor4d(a, [n, h, w, 3], 'int32'),
      neighbourRgb: tf.tensor4d(b, [n, h, w, 3], 'int32'),
      labels: tf.tensor3d(y, [n, h, w], 'int32'),
      // Unknown vectors (1e10) would send the warp's taps far outside: zero them (masked anyway).
      flow: tf.mul(raw, valid) as Tensor4D,
      valid,
    };
  });
}
