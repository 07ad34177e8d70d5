/**
 * Training clips for TDNet: consecutive frames of real (or synthetic) videos, or, from an image
 * data set, pseudo-videos of a still image translated at a constant random velocity (the last
 * frame is the image itself, so its labels are exact).
 */
import { cropSample, type Rng, type Sample, type SampleSource } from '@pixelwise/models';
import type { ClipSource } from './tdnet-distill.js';

/** Pseudo-video clips from still images: velocity uniform in `[-maxSpeed, maxSpeed]` pixels per frame on each axis. */
export function imageClips(source: SampleSource, maxSpeed = 3): ClipSource {
  return {
    count: source.names.length,
    async read(i: number, length: number, rng: Rng): Promise<Sample[]> {
      const s = await source.read(i);
      const vx = Math.round((rng.next() * 2 - 1) * maxSpeed);
      const vy = Math.round((rng.next() * 2 - 1) * maxSpeed);
      // Frame j shows the image moved by -(length-1-j) steps: a crop window moved the other way,
      // padded with the mean colour and ignore labels.
      const { width, height } = s.image;
      return Array.from({ length }, (_, j) => {
        const back = length - 1 - j;
        return cropSample({ image: s.image, labels: s.labels }, vx * back, vy * back, width, height, 'mean', 255);
      });
    },
  };
}

/** One video for {@link videoClips}: its frame count and a reader of frame `t` with labels. */
export interface ClipVideo {
  frames: number;
  read(t: number): Promise<Sample>;
}

/** Clips of consecutive frames: `perVideo` clips of each video per epoch, each at a random start. */
export function videoClips(videos: readonly ClipVideo[], perVideo = 1): ClipSource {
  return {
    count: videos.length * perVideo,
    async read(i: number, length: number, rng: Rng): Promise<Sample[]> {
      const v = videos[i % Math.max(1, videos.length)];
      if (!v) throw new Error(`videoClips: no video ${i} (have ${videos.length})`);
      if (v.frames < length) throw new Error(`videoClips: video ${i} has ${v.frames} frames, a clip needs ${length}`);
      const start = Math.floor(rng.next() * (v.frames - length + 1));
      return Promise.all(Array.from({ length }, (_, j) => v.read(start + j)));
    },
  };
}
