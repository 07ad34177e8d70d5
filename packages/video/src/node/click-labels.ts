/**
 * Click annotations of a data set on disk (`pixelwise data clicks`): for every annotated frame of
 * a video data set (`data synth --kind video`, or the Cityscapes-VPS import) a label PNG of its
 * clicks ({@link sampleClicks}) at the path of its semantic labels, and `clicks.json` written
 * last (a folder with it is complete):
 *
 * ```
 * OUT/clicks.json                               source, seed, radius, counts, share of labelled pixels
 * OUT/{train,val}/gt/<video>/<frame>_sem.png    8-bit: class id on clicked pixels, 255 elsewhere
 * ```
 *
 * `pixelwise train --labels OUT` reads the labels from there instead of the data set's (the data
 * set's own folder is a valid `--labels` too: full supervision on the same path). Image data sets
 * (synthetic, PASCAL VOC, Cityscapes) get `OUT/<split>/labels/<name>.png`, one click per connected
 * component of each class (they have no instance maps).
 */
import { decodeLabelPng, encodeLabelPng, FormatError } from '@pixelwise/core/io';
import { createRng } from '@pixelwise/models';
import { itemSeed } from '@pixelwise/models/data';
import { DatasetError, openDataset, prepareOutputDir, readBytes, readJsonFile, writeFileAtomic } from '@pixelwise/models/node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sampleClicks, type FullLabels } from '../clicks.js';
import { isVideoDataset } from './video-split.js';
import { openVideoDataset } from './video-dataset.js';

/** `clicks.json`. */
export const clickManifestSchema = z.object({
  kind: z.literal('clicks'),
  /** The data set the clicks were drawn from. */
  source: z.string(),
  /** `instance`: one click per thing instance (instance PNGs) and per stuff component; `component`: per connected component of every class. */
  per: z.enum(['instance', 'component']),
  radius: z.number().int().min(0),
  seed: z.number().int().min(0),
  frames: z.number().int().min(0),
  clicks: z.number().int().min(0),
  /** Labelled pixels over all pixels that carry a (non-void) label in the full annotation. */
  labelledShare: z.number().min(0).max(1),
});
export type ClickManifest = z.infer<typeof clickManifestSchema>;

export interface WriteClicksOptions {
  data: string;
  out: string;
  per?: 'instance' | 'component';
  radius?: number;
  seed?: number;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Writes the click labels of every split of `data` into `out` and returns the manifest. */
export async function writeClickLabels(o: WriteClicksOptions): Promise<ClickManifest> {
  const per = o.per ?? 'instance';
  const radius = o.radius ?? 0;
  const seed = o.seed ?? 0;
  await prepareOutputDir(o.out, o.overwrite ?? false, ['clicks.json', 'train', 'val']);
  const frames = await labelledFrames(o.data, per);
  let clicks = 0;
  let labelled = 0;
  let annotated = 0;
  for (const [i, f] of frames.entries()) {
    const full = await f.read();
    const c = sampleClicks(full, createRng(itemSeed(seed, i)), { radius, ignoreIndex: f.ignoreIndex });
    await writeFileAtomic(join(o.out, f.out), encodeLabelPng({ width: full.width, height: full.height, data: c.labels }));
    clicks += c.clicks.length;
    labelled += c.labelled;
    annotated += full.semantic.reduce((a, v) => a + (v === f.ignoreIndex ? 0 : 1), 0);
    o.onProgress?.(i + 1, frames.length);
  }
  const manifest: ClickManifest = { kind: 'clicks', source: o.data, per, radius, seed, frames: frames.length, clicks, labelledShare: annotated === 0 ? 0 : labelled / annotated };
  await writeFileAtomic(join(o.out, 'clicks.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Every annotated frame of both splits: how to read its full labels, and where its clicks go (relative to OUT). */
async function labelledFrames(dir: string, per: 'instance' | 'component'): Promise<Array<{ read(): Promise<FullLabels>; out: string; ignoreIndex: number }>> {
  const out: Array<{ read(): Promise<FullLabels>; out: string; ignoreIndex: number }> = [];
  if (isVideoDataset(dir)) {
    for (const split of ['train', 'val'] as const) {
      const ds = await openVideoDataset(dir, split);
      for (const v of ds.videos) {
        for (const frame of v.frames) {
          out.push({
            read: async () => {
              const l = await ds.readLabels(v.name, frame);
              return per === 'instance' ? l : { width: l.width, height: l.height, semantic: l.semantic };
            },
            out: join(split, 'gt', v.name, `${frame}_sem.png`),
            ignoreIndex: ds.manifest.ignoreIndex,
          });
        }
      }
    }
    return out;
  }
  if (per === 'instance') throw new DatasetError(`${dir}: an image data set has no instance maps; use --per component (one click per connected region)`);
  for (const split of ['train', 'val']) {
    const ds = await openDataset(dir, split).catch((e: unknown) => {
      if (split === 'val') return undefined;
      throw e;
    });
    if (!ds) continue;
    ds.names.forEach((name, i) =>
      out.push({
        read: async () => {
          const s = await ds.read(i);
          return { width: s.labels.width, height: s.labels.height, semantic: s.labels.data };
        },
        out: join(split, 'labels', `${name}.png`),
        ignoreIndex: ds.ignoreIndex,
      }),
    );
  }
  return out;
}

/** The manifest of a click folder, or undefined for any other labels folder (e.g. the data set itself). */
export async function readClickManifest(dir: string): Promise<ClickManifest | undefined> {
  const file = join(dir, 'clicks.json');
  if (!existsSync(file)) return undefined;
  const r = clickManifestSchema.safeParse(await readJsonFile(file));
  if (!r.success) throw new DatasetError(`${file}: not a pixelwise clicks manifest: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** Where a labels folder in the video layout keeps the labels of a frame. */
const videoLabelPath = (labels: string, split: 'train' | 'val', video: string, frame: string) => join(labels, split, 'gt', video, `${frame}_sem.png`);

/**
 * Checks that a labels folder has a label file for every frame (before training starts, so a
 * wrong `--labels` fails at once).
 * @throws DatasetError naming the first missing file and how many are missing.
 */
export function checkVideoLabels(labels: string, split: 'train' | 'val', videos: ReadonlyArray<{ name: string; frames: readonly string[] }>): void {
  const files = videos.flatMap((v) => v.frames.map((f) => videoLabelPath(labels, split, v.name, f)));
  const missing = files.filter((f) => !existsSync(f));
  const first = missing[0];
  if (first !== undefined) throw new DatasetError(`${first}: missing (${missing.length} of ${files.length} label files of split ${split}; write click labels with pixelwise data clicks --data DATA --out ${labels})`);
}

/**
 * Reader of the semantic labels of frame `frame` of video `video` from a labels folder in the
 * video layout (`LABELS/<split>/gt/<video>/<frame>_sem.png`), checked against the frame size and
 * class count. Errors are one line naming the file.
 */
export function videoLabelReader(labels: string, split: 'train' | 'val', size: [number, number], numClasses: number, ignoreIndex: number): (video: string, frame: string) => Promise<Uint8Array> {
  return async (video, frame) => {
    const file = videoLabelPath(labels, split, video, frame);
    const bytes = await readBytes(file);
    let map: ReturnType<typeof decodeLabelPng>;
    try {
      map = decodeLabelPng(bytes, file);
    } catch (e) {
      if (e instanceof FormatError) throw new DatasetError(e.message, { cause: e });
      throw e;
    }
    if (map.width !== size[0] || map.height !== size[1]) throw new DatasetError(`${file}: size ${map.width}x${map.height}, the frames are ${size[0]}x${size[1]}`);
    if (!(map.data instanceof Uint8Array)) throw new DatasetError(`${file}: expected an 8-bit gray label PNG, found 16-bit`);
    const bad = map.data.find((v) => v >= numClasses && v !== ignoreIndex);
    if (bad !== undefined) throw new DatasetError(`${file}: label ${bad} is not a class id (0..${numClasses - 1}) or ${ignoreIndex}`);
    return map.data;
  };
}
