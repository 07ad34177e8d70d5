/**
 * A semantic model's video predictions in the video panoptic layout `eval-video` reads
 * (DESIGN.md, "Video panoptic labels"): `DIR/<video>/<frame>_sem.png` (8-bit class ids) and
 * `<frame>_inst.png` (16-bit track ids). A semantic model predicts no instances: by default every
 * track id is 0, and evaluated with `eval-video --things ''` every class is stuff and VPQ scores
 * the temporal tubes of each class's region (the protocol docs/EVAL.md describes for semantic
 * models). With `things`, each connected component of a thing class is an instance, tracked from
 * frame to frame by overlap (`ComponentTracker`), so `eval-video --things LIST` scores things too.
 * Each file is written atomically.
 */
import { join } from 'node:path';
import { encodeLabelPng } from '@pixelwise/core/io';
import { writeFileAtomic } from '@pixelwise/models/node';
import type { RgbImage } from '@pixelwise/core/io';
import { ComponentTracker, type ComponentTrackOptions } from '../component-tracks.js';
import { lucasKanadeFlow } from '../flow-lucas-kanade.js';
import { frameName } from '../data/manifest.js';

/** Writes frame `t` of `video` from its predicted class ids `[H * W]` (and its image, for flow-guided tracking). */
export type PanopticWriter = (video: string, t: number, labels: ArrayLike<number>, image?: RgbImage) => Promise<void>;

/** How tracking moves the previous frame's instances before matching: `lucas-kanade` flow between the two images, or not at all. */
export const TRACK_FLOWS = ['lucas-kanade', 'none'] as const;
export type TrackFlow = (typeof TRACK_FLOWS)[number];

export interface PanopticTracks extends ComponentTrackOptions {
  /** Default `lucas-kanade` (needs each frame's image). */
  flow?: TrackFlow;
}

/**
 * A writer of `width` x `height` predictions under `dir` (frames named as the synthetic video's:
 * f000000, ...). With `tracks`, thing components get track ids; each video's frames must then
 * come in order, from frame 0.
 */
export function panopticWriter(dir: string, width: number, height: number, tracks?: PanopticTracks): PanopticWriter {
  const zeros = encodeLabelPng({ width, height, data: new Uint16Array(width * height) });
  const tracker = tracks && tracks.things.length > 0 ? new ComponentTracker(width, height, tracks) : undefined;
  const withFlow = (tracks?.flow ?? 'lucas-kanade') === 'lucas-kanade';
  let current: { video: string; t: number; image: RgbImage | undefined } | undefined;
  return async (video, t, labels, image) => {
    if (labels.length !== width * height) throw new Error(`panopticWriter: ${labels.length} labels for a ${width}x${height} frame`);
    let instances = zeros;
    if (tracker) {
      const previous = current?.video === video ? current : undefined;
      if (!previous) tracker.reset();
      if (t !== (previous ? previous.t + 1 : 0)) throw new Error(`panopticWriter: frame ${t} of ${video} after ${previous ? `frame ${previous.t}` : 'none'}: tracking needs the frames in order`);
      if (withFlow && !image) throw new Error('panopticWriter: flow-guided tracking needs each frame\'s image');
      const flow = withFlow && previous?.image && image ? lucasKanadeFlow(previous.image, image) : undefined;
      current = { video, t, image };
      instances = encodeLabelPng({ width, height, data: tracker.next(labels, flow) });
    }
    const base = join(dir, video, frameName(t));
    await writeFileAtomic(`${base}_sem.png`, encodeLabelPng({ width, height, data: Uint8Array.from(labels) }));
    await writeFileAtomic(`${base}_inst.png`, instances);
  };
}
