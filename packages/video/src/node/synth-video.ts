/**
 * Writes a synthetic video data set in the layout of DESIGN.md ("Video panoptic labels",
 * "Optical flow"):
 *
 * ```
 * OUT/manifest.json                              kind "video", classes, size, frames, splits, domain
 * OUT/{train,val}/images/<video>/<frame>.png     RGB; frames f000000, f000001, ...
 * OUT/{train,val}/gt/<video>/<frame>_sem.png     8-bit class ids, 255 void
 * OUT/{train,val}/gt/<video>/<frame>_inst.png    16-bit track ids, 0 for stuff
 * OUT/{train,val}/flow/<video>/<frame>.flo       forward flow frame -> next (all but the last)
 * OUT/{train,val}/flow-bw/<video>/<frame>.flo    backward flow frame -> previous (all but the first)
 * ```
 *
 * Every file is written atomically and the manifest last, so a directory with a manifest is
 * complete. Video `i` depends only on (seed, i), not on the count.
 */
import { encodeLabelPng, encodePng, writeFlo } from '@pixelwise/core/io';
import { hashInts, IGNORE_INDEX, itemSeed, SYNTH_MANIFEST_FORMAT, SYNTH_MANIFEST_VERSION, synthClasses } from '@pixelwise/models/data';
import { checkSynthWriterOptions, DatasetError, prepareOutputDir, reason, writeFileAtomic } from '@pixelwise/models/node';
import type { SynthWriterOptions } from '@pixelwise/models/node';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { domainImage, domainSpec, VIDEO_DOMAINS, type VideoDomainName } from '../data/domain.js';
import { frameName } from '../data/manifest.js';
import type { VideoManifest } from '../data/manifest.js';
import { renderVideoFrame, sampleVideoSpec, UNKNOWN_FLOW, videoFlow } from '../data/synth-video.js';

/** `count` is the number of videos. */
export interface WriteSynthVideoOptions extends SynthWriterOptions {
  /** Frames per video, >= 2. */
  frames: number;
  /** Fraction of the videos that go to `val` (the last ones); default 0.2. */
  split?: { val: number };
  /** Replace an existing data set in `out` (manifest.json, train/, val/). */
  overwrite?: boolean;
  /** Appearance domain (`data/domain.ts`): the default `source`, or `target` for domain adaptation. */
  domain?: VideoDomainName;
  /** Called after each frame is written, with frames done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Sub-folders of a split, one per kind of file. */
const SUBDIRS = ['images', 'gt', 'flow', 'flow-bw'] as const;

/** Writes the data set and returns its manifest. */
export async function writeSynthVideo(options: WriteSynthVideoOptions): Promise<VideoManifest> {
  const { out, count, frames, width, height, classes, seed, overwrite = false, onProgress, domain = 'source' } = options;
  const look = VIDEO_DOMAINS[domain];
  const val = options.split?.val ?? 0.2;
  checkSynthWriterOptions('writeSynthVideo', options, val, [['frames', frames, 2, 100000]]);
  const table = synthClasses(classes);

  await prepareOutputDir(out, overwrite);

  const digits = Math.max(3, String(count - 1).length);
  const names = Array.from({ length: count }, (_, i) => `v${String(i).padStart(digits, '0')}`);
  const valCount = count === 1 ? 0 : Math.min(Math.max(1, Math.round(count * val)), count - 1);
  const splits = { train: names.slice(0, count - valCount), val: names.slice(count - valCount) };

  const total = count * frames;
  for (let i = 0; i < count; i++) {
    const split = i < splits.train.length ? 'train' : 'val';
    const name = names[i] as string;
    const dirs = Object.fromEntries(SUBDIRS.map((sub) => [sub, join(out, split, sub, name)])) as Record<(typeof SUBDIRS)[number], string>;
    for (const dir of Object.values(dirs)) {
      await mkdir(dir, { recursive: true }).catch((e: unknown) => {
        throw new DatasetError(`${dir}: cannot create directory: ${reason(e)}`, { cause: e });
      });
    }
    const sampled = sampleVideoSpec({ width, height, classes, frames, seed: itemSeed(seed, i) });
    const spec = domain === 'source' ? sampled : domainSpec(sampled, look);
    for (let t = 0; t < frames; t++) {
      const frame = renderVideoFrame(spec, t);
      const f = frameName(t);
      const image = domainImage(frame.image, width, height, look, hashInts(seed, i, t));
      await writeFileAtomic(join(dirs.images, `${f}.png`), encodePng({ width, height, channels: 3, depth: 8, data: image }));
      await writeFileAtomic(join(dirs.gt, `${f}_sem.png`), encodeLabelPng({ width, height, data: frame.labels }));
      await writeFileAtomic(join(dirs.gt, `${f}_inst.png`), encodeLabelPng({ width, height, data: frame.instances }));
      if (t + 1 < frames) await writeFileAtomic(join(dirs.flow, `${f}.flo`), writeFlo(videoFlow(spec, t, t + 1, frame)));
      if (t > 0) await writeFileAtomic(join(dirs['flow-bw'], `${f}.flo`), writeFlo(videoFlow(spec, t, t - 1, frame)));
      onProgress?.(i * frames + t + 1, total);
    }
  }

  const manifest: VideoManifest = {
    format: SYNTH_MANIFEST_FORMAT,
    version: SYNTH_MANIFEST_VERSION,
    kind: 'video',
    classes: table.map(({ id, name, color, kind }) => ({ id, name, color, kind })),
    ignoreIndex: IGNORE_INDEX,
    size: [width, height],
    seed,
    count,
    frames,
    voidBorder: 0,
    splits,
    flow: { format: 'flo', unknown: UNKNOWN_FLOW, occluded: 'unknown' },
    domain,
  };
  await writeFileAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
