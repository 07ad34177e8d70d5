/**
 * The two domains of a video adaptation run, read from video data sets (`pixelwise data synth
 * --kind video [--domain target]` or the same layout from real data): the labelled source's frame
 * pairs, the unlabelled target's frame pairs (images only: the target's `gt/` and flow are never
 * opened by training), and the target's validation frames (evaluation only).
 */
import { join } from 'node:path';
import { DatasetError } from '@pixelwise/models/node';
import type { SampleSource } from '@pixelwise/models';
import { domainPairs, type DomainPairSource, type DomainVideo } from '../uda/domain-pairs.js';
import { openVideoDataset, type VideoDataset } from './video-dataset.js';

/** Every video of a split as pair videos; `labelled: false` gives readers of images only. */
export function domainVideos(d: VideoDataset, labelled: boolean): DomainVideo[] {
  return d.videos.map((v) => ({
    name: v.name,
    frames: v.frames.length,
    image: (t) => d.readImage(v.name, v.frames[t] as string),
    ...(labelled
      ? {
          labels: async (t: number) => {
            const l = await d.readLabels(v.name, v.frames[t] as string);
            return { width: l.width, height: l.height, data: l.semantic };
          },
        }
      : {}),
  }));
}

export interface DomainPairs {
  pairs: DomainPairSource;
  classNames: string[];
  ignoreIndex: number;
  /** `[width, height]` of the frames. */
  size: [number, number];
  videos: number;
}

/** Frame pairs `gap` frames apart of split `split` of the video data set in `dir`, with frame t's labels when `labelled`. */
export async function openDomainPairs(dir: string, split: 'train' | 'val', gap: number, labelled: boolean): Promise<DomainPairs> {
  const d = await openVideoDataset(dir, split);
  if (d.videos.length === 0) throw new DatasetError(`${join(dir, 'manifest.json')}: split '${split}' has no videos`);
  if (d.manifest.frames <= gap) throw new DatasetError(`${join(dir, 'manifest.json')}: videos of ${d.manifest.frames} frames have no pairs ${gap} frames apart (--frame-gap)`);
  return { pairs: domainPairs(domainVideos(d, labelled), gap, labelled), classNames: d.manifest.classes.map((c) => c.name), ignoreIndex: d.manifest.ignoreIndex, size: d.size, videos: d.videos.length };
}

/** Every frame of split `split` with its labels, as the trainer's sample source (validation, supervised training). */
export async function openVideoFrames(dir: string, split: 'train' | 'val'): Promise<SampleSource & { classNames: string[]; ignoreIndex: number }> {
  const d = await openVideoDataset(dir, split);
  const frames = d.videos.flatMap((v) => v.frames.map((f) => [v.name, f] as const));
  return {
    names: frames.map(([v, f]) => `${v}/${f}`),
    classNames: d.manifest.classes.map((c) => c.name),
    ignoreIndex: d.manifest.ignoreIndex,
    read: async (i) => {
      const at = frames[i];
      if (!at) throw new RangeError(`frame ${i} out of range 0..${frames.length - 1}`);
      const [image, l] = await Promise.all([d.readImage(at[0], at[1]), d.readLabels(at[0], at[1])]);
      return { name: `${at[0]}/${at[1]}`, image, labels: { width: l.width, height: l.height, data: l.semantic } };
    },
  };
}
