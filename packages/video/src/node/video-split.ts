/**
 * A video data set (`pixelwise data synth --kind video`, read by {@link openVideoDataset}) as the
 * inputs of `runVideos` and as training clips; and training clips from either kind of data set
 * (video frames, or pseudo-video clips of still images).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, openDataset } from '@pixelwise/models/node';
import { imageClips, videoClips, type ClipVideo } from '../clips.js';
import type { VideoInput } from '../run-video.js';
import type { ClipSource } from '../tdnet-distill.js';
import { openVideoDataset } from './video-dataset.js';

export interface VideoSplit {
  classNames: string[];
  /** Class ids the manifest marks `thing` (countable objects). */
  things: number[];
  ignoreIndex: number;
  videos: VideoInput[];
  /** The same videos as training clips (frames with labels). */
  clips: ClipVideo[];
}

/** Whether `dir` holds a video data set (a manifest of kind `video`). */
export function isVideoDataset(dir: string): boolean {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { kind?: unknown }).kind === 'video';
  } catch {
    return false;
  }
}

/** Opens one split (at most `maxVideos` videos); with `flow` (default), each frame but the last carries its forward flow. */
export async function openVideoSplit(dir: string, split: 'train' | 'val', options: { maxVideos?: number; flow?: boolean } = {}): Promise<VideoSplit> {
  const d = await openVideoDataset(dir, split);
  const listed = d.videos.slice(0, options.maxVideos ?? d.videos.length);
  if (listed.length === 0) throw new DatasetError(`${join(dir, 'manifest.json')}: split '${split}' has no videos`);
  const read = async (v: (typeof listed)[number], t: number, withFlow: boolean) => {
    const name = v.frames[t] as string;
    const [image, labels] = [await d.readImage(v.name, name), await d.readLabels(v.name, name)];
    const flowToNext = withFlow && t + 1 < v.frames.length ? await d.readFlow(v.name, name) : undefined;
    return { name, image, labels, ...(flowToNext ? { flowToNext } : {}) };
  };
  const videos: VideoInput[] = listed.map((v) => ({
    name: v.name,
    frames: v.frames.length,
    frame: async (t) => {
      const f = await read(v, t, options.flow ?? true);
      return { ...f, labels: f.labels.semantic };
    },
  }));
  const clips: ClipVideo[] = listed.map((v) => ({
    frames: v.frames.length,
    read: async (t) => {
      const { image, labels } = await read(v, t, false);
      return { image, labels: { width: labels.width, height: labels.height, data: labels.semantic } };
    },
  }));
  const things = d.manifest.classes.filter((c) => c.kind === 'thing').map((c) => c.id);
  return { classNames: d.manifest.classes.map((c) => c.name), things, ignoreIndex: d.manifest.ignoreIndex, videos, clips };
}

export interface OpenedClips {
  clips: ClipSource;
  classNames: string[];
  ignoreIndex: number;
  kind: 'video' | 'images';
}

/**
 * Training clips of a data set: consecutive frames of a video data set (about one clip per 4
 * frames of each video per epoch, each at a random start), or pseudo-video clips of an image data
 * set's still images.
 */
export async function openClips(dir: string, split: 'train' | 'val'): Promise<OpenedClips> {
  if (isVideoDataset(dir)) {
    const s = await openVideoSplit(dir, split, { flow: false });
    const perVideo = split === 'train' ? Math.max(1, Math.ceil((s.clips[0]?.frames ?? 1) / 4)) : 1;
    return { clips: videoClips(s.clips, perVideo), classNames: s.classNames, ignoreIndex: s.ignoreIndex, kind: 'video' };
  }
  const d = await openDataset(dir, split);
  return { clips: imageClips(d), classNames: d.classes.map((c) => c.name), ignoreIndex: d.ignoreIndex, kind: 'images' };
}
