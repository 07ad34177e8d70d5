/**
 * Training samples of WeClick (Liu et al., ACM MM 2021, §3.3): a clicked target frame k and its
 * n-1 previous, unlabelled frames f = k-1, ..., k-n+1, each with the flow k -> f composed frame
 * to frame (`composeFlow`: the data set's backward ground truth, or an estimator's flow between
 * consecutive frames, as the paper's frozen flow network). A sample is n-1 {@link FramePair}s that
 * share frame k, so they crop, mirror and stack with the pair readers' code; where frame f does
 * not exist (k < n-1) its pair holds frame k with unknown flow: weight 0 in the memory.
 */
import type { FlowField } from '@pixelwise/core/io';
import { createRng, type Rng } from '@pixelwise/models';
import { UNKNOWN_FLOW } from './data/synth-video.js';
import { composeFlow } from './flow-compose.js';
import { augmentFramePair, groundTruthFlow, type FlowEstimator, type FramePair, type PairVideo } from './frame-pairs.js';

/** Target frames by index (every frame of every video), each with its memory frames. */
export interface MemorySource {
  count: number;
  /** Frames in memory besides the target (n - 1, at least 1: with n = 1 one placeholder pair carries the target). */
  memory: number;
  /** Sample `i`: pairs (k, k-1), (k, k-2), ... `memory` of them. With `withMemory` false, only placeholders (no previous frame read). */
  read(i: number, withMemory?: boolean): Promise<FramePair[]>;
}

/**
 * Every frame of every video as a target with the `n - 1` frames before it.
 * @param n frames in the memory window including the target (n >= 1; n = 1: no memory).
 */
export function memoryFrames(videos: readonly PairVideo[], n: number, options: { estimate?: FlowEstimator } = {}): MemorySource {
  if (!Number.isInteger(n) || n < 1) throw new Error(`memoryFrames: n must be an integer >= 1, got ${n}`);
  const index: Array<[number, number]> = videos.flatMap((v, i) => Array.from({ length: v.frames }, (_, t) => [i, t] as [number, number]));
  const memory = Math.max(1, n - 1);
  return {
    count: index.length,
    memory,
    async read(i, withMemory = n > 1) {
      const [vi, k] = index[i] ?? [];
      const v = vi === undefined ? undefined : videos[vi];
      if (!v || k === undefined) throw new RangeError(`memoryFrames: sample ${i} out of range 0..${index.length - 1}`);
      const target = await v.read(k);
      const name = `${v.name}/${target.name ?? k}`;
      const frame = { image: target.image, labels: target.labels };
      const { width: w, height: h } = target.image;
      const placeholder = (j: number): FramePair => ({ name, frame, neighbour: target.image, offset: -j, flow: { width: w, height: h, data: new Float32Array(w * h * 2).fill(UNKNOWN_FLOW) } });
      const pairs: FramePair[] = [];
      let flow: FlowField | undefined;
      let previous = target.image;
      for (let j = 1; j <= memory; j++) {
        if (!withMemory || n === 1 || k - j < 0) {
          pairs.push(placeholder(j));
          continue;
        }
        const image = (await v.read(k - j)).image;
        // k -> k-j = (k -> k-j+1) then (k-j+1 -> k-j), one link at a time.
        const link = options.estimate ? await options.estimate(previous, image) : await groundTruthFlow(v, k - j + 1, -1);
        flow = flow ? composeFlow(flow, link) : link;
        pairs.push({ name, frame, neighbour: image, offset: -j, flow });
        previous = image;
      }
      return pairs;
    },
  };
}

/** The pairs of one sample cropped and mirrored by one window (drawn from `rng`) for all of them. */
export function augmentMemory(pairs: readonly FramePair[], rng: Rng, crop?: [number, number], flip = 0.5): FramePair[] {
  // One seed per sample, replayed for each pair: every pair gets the same window.
  const seed = rng.int(0, 2 ** 31 - 1);
  return pairs.map((p) => augmentFramePair(p, createRng(seed), crop, flip));
}
