/**
 * A video data set (`pixelwise data synth --kind video`, read by `openVideoDataset` of
 * `@pixelwise/video/node`) as the inputs of `runVideos` and as TDNet training clips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClipVideo, VideoInput } from '@pixelwise/video';
import { openVideoDataset, type VideoDataset } from '@pixelwise/video/node';
import { CliError } from '../errors.js';

export interface VideoSplit {
  classNames: string[];
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

/** Errors of the data set (one line naming the file) become CliErrors. */
async function cli<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** Opens one split (at most `maxVideos` videos); with `flow`, each frame but the last carries its forward flow. */
export async function openVideoSplit(dir: string, split: 'train' | 'val', options: { maxVideos?: number; flow?: boolean } = {}): Promise<VideoSplit> {
  const d: VideoDataset = await cli(() => openVideoDataset(dir, split));
  const listed = d.videos.slice(0, options.maxVideos ?? d.videos.length);
  if (listed.length === 0) throw new CliError(`${join(dir, 'manifest.json')}: split '${split}' has no videos`);
  const read = (v: (typeof listed)[number], t: number, withFlow: boolean) =>
    cli(async () => {
      const name = v.frames[t] as string;
      const [image, labels] = [await d.readImage(v.name, name), await d.readLabels(v.name, name)];
      const flowToNext = withFlow && t + 1 < v.frames.length ? await d.readFlow(v.name, name) : undefined;
      return { name, image, labels, ...(flowToNext ? { flowToNext } : {}) };
    });
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
  return { classNames: d.manifest.classes.map((c) => c.name), ignoreIndex: d.manifest.ignoreIndex, videos, clips };
}
