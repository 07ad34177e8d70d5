/**
 * Reading a video data set in the layout `pixelwise data synth --kind video` writes (DESIGN.md,
 * "Video panoptic labels" and "Optical flow"):
 * `DIR/manifest.json`, `DIR/SPLIT/images/<video>/<frame>.png`, `DIR/SPLIT/gt/<video>/<frame>_sem.png`
 * and `DIR/SPLIT/flow/<video>/<frame>.flo` (flow to the next frame). Every file is checked before
 * anything runs, so a missing one is one error line naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRgbPng, readFlo } from '@pixelwise/core/io';
import { listVideos, readLabelPng } from '@pixelwise/eval/node';
import { parseSynthManifest, type Sample } from '@pixelwise/models';
import type { ClipVideo, VideoInput } from '@pixelwise/video';
import { CliError } from '../errors.js';

export interface VideoSplit {
  dir: string;
  split: string;
  classNames: string[];
  ignoreIndex: number;
  videos: VideoInput[];
  /** The same videos as training clips (frames with labels). */
  clips: ClipVideo[];
}

function read(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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

/** Opens one split; throws a CliError naming the first missing or bad file. */
export function openVideoSplit(dir: string, split: string, options: { maxVideos?: number; flow?: boolean } = {}): VideoSplit {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new CliError(`${manifestPath}: no such file (expected a video data set from \`pixelwise data synth --kind video\`)`);
  let manifest;
  try {
    manifest = parseSynthManifest(JSON.parse(readFileSync(manifestPath, 'utf8')), manifestPath);
  } catch (e) {
    throw new CliError(e instanceof SyntaxError ? `${manifestPath}: not valid JSON (${e.message})` : (e as Error).message);
  }
  if (manifest.kind !== 'video') throw new CliError(`${manifestPath}: a data set of kind '${manifest.kind}', expected 'video'`);
  const gtDir = join(dir, split, 'gt');
  if (!existsSync(gtDir)) throw new CliError(`${gtDir}: no such directory (split '${split}')`);
  let listed;
  try {
    listed = listVideos(gtDir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  listed = listed.slice(0, options.maxVideos ?? listed.length);
  if (listed.length === 0) throw new CliError(`${gtDir}: no videos (*_sem.png files) found`);
  const paths = (video: string, frame: string) => ({
    image: join(dir, split, 'images', video, `${frame}.png`),
    sem: join(gtDir, video, `${frame}_sem.png`),
    flow: join(dir, split, 'flow', video, `${frame}.flo`),
  });
  for (const v of listed) {
    v.frames.forEach((f, t) => {
      const p = paths(v.video, f);
      if (!existsSync(p.image)) throw new CliError(`${p.image}: no such file (frame ${f} of video ${v.video} has labels but no image)`);
      if ((options.flow ?? true) && t + 1 < v.frames.length && !existsSync(p.flow)) throw new CliError(`${p.flow}: no such file (flow from frame ${f} to the next)`);
    });
  }
  const readFrame = (video: string, frames: string[], t: number) => {
    const name = frames[t] as string;
    const p = paths(video, name);
    let image, labels;
    try {
      image = decodeRgbPng(read(p.image), p.image);
      labels = readLabelPng(p.sem);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (labels.width !== image.width || labels.height !== image.height) throw new CliError(`${p.sem}: ${labels.width}x${labels.height}, but ${p.image} is ${image.width}x${image.height}`);
    return { name, image, labels, flowPath: p.flow };
  };
  const videos: VideoInput[] = listed.map((v) => ({
    name: v.video,
    frames: v.frames.length,
    frame: async (t) => {
      const f = readFrame(v.video, v.frames, t);
      const flowToNext = (options.flow ?? true) && t + 1 < v.frames.length ? readFlo(read(f.flowPath), f.flowPath) : undefined;
      return { name: f.name, image: f.image, labels: f.labels.data, ...(flowToNext ? { flowToNext } : {}) };
    },
  }));
  const clips: ClipVideo[] = listed.map((v) => ({
    frames: v.frames.length,
    read: async (t): Promise<Sample> => {
      const f = readFrame(v.video, v.frames, t);
      return { image: f.image, labels: { width: f.labels.width, height: f.labels.height, data: Uint8Array.from(f.labels.data) } };
    },
  }));
  return { dir, split, classNames: manifest.classes.map((c) => c.name), ignoreIndex: manifest.ignoreIndex, videos, clips };
}
