/**
 * Reads a video data set written by {@link writeSynthVideo} (`pixelwise data synth --kind
 * video`): videos and frames of a split, and per frame the RGB image, the class and track
 * ids, and the forward and backward flow. Every error is one line naming the file.
 */
import { decodeLabelPng, decodeRgbPng, FormatError, readFlo } from '@pixelwise/core/io';
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import { DatasetError, readBytes, readJsonFile, reason } from '@pixelwise/models/node';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { frameName, parseVideoManifest } from '../data/manifest.js';
import type { VideoManifest } from '../data/manifest.js';

/** Class ids (8-bit, 255 void) and track ids (0 for stuff) of one frame, `[H, W]` each. */
export interface FrameLabels {
  width: number;
  height: number;
  semantic: Uint8Array;
  instance: Uint16Array;
}

export interface VideoEntry {
  name: string;
  /** Frame names in order: f000000, f000001, ... */
  frames: string[];
}

/** One split of a video data set. */
export interface VideoDataset {
  root: string;
  split: 'train' | 'val';
  manifest: VideoManifest;
  videos: VideoEntry[];
  /** `[width, height]` of every frame. */
  size: [number, number];
  readImage(video: string, frame: string): Promise<RgbImage>;
  readLabels(video: string, frame: string): Promise<FrameLabels>;
  /** Forward flow (frame -> next; not for the last frame) or backward (frame -> previous; not for the first). */
  readFlow(video: string, frame: string, direction?: 'forward' | 'backward'): Promise<FlowField>;
  /** Path of a file of the data set. */
  path(kind: 'image' | 'sem' | 'inst' | 'flow' | 'flow-bw', video: string, frame: string): string;
}

/**
 * Opens split `split` of the video data set in `dir`, checking that every video listed in the
 * manifest has exactly its frames.
 * @throws DatasetError naming the manifest, folder or file at fault.
 */
export async function openVideoDataset(dir: string, split: 'train' | 'val' = 'train'): Promise<VideoDataset> {
  const source = join(dir, 'manifest.json');
  const manifest = parseVideoManifest(await readJsonFile(source), source);
  const [width, height] = manifest.size;
  const frames = Array.from({ length: manifest.frames }, (_, t) => frameName(t));
  const root = join(dir, split);
  const videos: VideoEntry[] = [];
  for (const name of manifest.splits[split]) {
    const folder = join(root, 'images', name);
    const found = await readdir(folder).catch((e: unknown) => {
      throw new DatasetError(`${folder}: cannot list frames of video ${name}: ${reason(e)}`, { cause: e });
    });
    const have = new Set(found);
    const missing = frames.filter((f) => !have.has(`${f}.png`));
    if (missing.length > 0) {
      throw new DatasetError(`${folder}: missing ${missing.length} of ${frames.length} frames (${missing.slice(0, 5).map((f) => `${f}.png`).join(', ')}${missing.length > 5 ? ', ...' : ''})`);
    }
    videos.push({ name, frames });
  }

  const path: VideoDataset['path'] = (kind, video, frame) => {
    if (kind === 'image') return join(root, 'images', video, `${frame}.png`);
    if (kind === 'sem' || kind === 'inst') return join(root, 'gt', video, `${frame}_${kind}.png`);
    return join(root, kind, video, `${frame}.flo`);
  };
  const checkSize = (file: string, w: number, h: number) => {
    if (w !== width || h !== height) throw new DatasetError(`${file}: size ${w}x${h}, but the manifest says ${width}x${height}`);
  };
  // Decoders name the file in their FormatError; keep one error type for callers.
  const load = async <T>(file: string, decode: (bytes: Uint8Array, file: string) => T): Promise<T> => {
    const bytes = await readBytes(file);
    try {
      return decode(bytes, file);
    } catch (e) {
      if (e instanceof FormatError) throw new DatasetError(e.message, { cause: e });
      throw e;
    }
  };
  const label = async (file: string, depth: 8 | 16) => {
    const map = await load(file, decodeLabelPng);
    checkSize(file, map.width, map.height);
    const is16 = map.data instanceof Uint16Array;
    if (is16 !== (depth === 16)) throw new DatasetError(`${file}: expected a ${depth}-bit gray label PNG, found ${is16 ? 16 : 8}-bit`);
    return map.data;
  };

  return {
    root,
    split,
    manifest,
    videos,
    size: [width, height],
    path,
    async readImage(video, frame) {
      const file = path('image', video, frame);
      const image = await load(file, decodeRgbPng);
      checkSize(file, image.width, image.height);
      return image;
    },
    async readLabels(video, frame) {
      const semantic = (await label(path('sem', video, frame), 8)) as Uint8Array;
      const instance = (await label(path('inst', video, frame), 16)) as Uint16Array;
      return { width, height, semantic, instance };
    },
    async readFlow(video, frame, direction = 'forward') {
      const file = path(direction === 'forward' ? 'flow' : 'flow-bw', video, frame);
      const flow = await load(file, readFlo);
      checkSize(file, flow.width, flow.height);
      return flow;
    },
  };
}
