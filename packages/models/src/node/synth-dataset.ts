/**
 * Writes a synthetic data set in the real formats (DESIGN.md, "Data formats"):
 *
 * ```
 * OUT/manifest.json
 * OUT/train/images/NAME.png   RGB
 * OUT/train/labels/NAME.png   8-bit gray class ids, 255 = void
 * OUT/val/images/...  OUT/val/labels/...
 * ```
 *
 * Every file is written atomically and the manifest last, so a directory with a manifest is
 * complete. Image `i` depends only on (seed, i), not on the count.
 */
import { encodeLabelPng, encodePng } from '@pixelwise/core/io';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { IGNORE_INDEX, synthClasses } from '../data/classes.js';
import { SYNTH_MANIFEST_FORMAT, SYNTH_MANIFEST_VERSION } from '../data/manifest.js';
import type { SynthManifest } from '../data/manifest.js';
import { itemSeed } from '../data/rng.js';
import { generateScene } from '../data/synth.js';
import { checkSynthWriterOptions, DatasetError, prepareOutputDir, reason, writeFileAtomic } from './files.js';
import type { SynthWriterOptions } from './files.js';

/** `count` is the number of images. */
export interface WriteSynthDatasetOptions extends SynthWriterOptions {
  /** Fraction of the images that go to `val` (the last ones); default 0.1. */
  split?: { val: number };
  /** Width of a void (255) band around objects, like VOC's boundaries; default 0 (none). */
  voidBorder?: number;
  /**
   * Replace an existing data set in `out` (its manifest.json, train/ and val/). Without it,
   * a non-empty `out` is an error.
   */
  overwrite?: boolean;
  /** Called after each image is written. */
  onProgress?: (done: number, total: number) => void;
}

/** Writes the data set and returns its manifest. */
export async function writeSynthDataset(options: WriteSynthDatasetOptions): Promise<SynthManifest> {
  const { out, count, width, height, classes, seed, voidBorder = 0, overwrite = false, onProgress } = options;
  const val = options.split?.val ?? 0.1;
  checkSynthWriterOptions('writeSynthDataset', options, val, [['voidBorder', options.voidBorder ?? 0, 0, 16]]);
  const table = synthClasses(classes);

  await prepareOutputDir(out, overwrite);

  const digits = Math.max(6, String(count - 1).length);
  const names = Array.from({ length: count }, (_, i) => `synth_${String(i).padStart(digits, '0')}`);
  const valCount = Math.min(Math.round(count * val), count - 1); // keep one training image
  const splits = { train: names.slice(0, count - valCount), val: names.slice(count - valCount) };
  for (const split of ['train', 'val'] as const) {
    for (const sub of ['images', 'labels']) {
      const dir = join(out, split, sub);
      await mkdir(dir, { recursive: true }).catch((e: unknown) => {
        throw new DatasetError(`${dir}: cannot create directory: ${reason(e)}`, { cause: e });
      });
    }
  }

  for (let i = 0; i < count; i++) {
    const split = i < splits.train.length ? 'train' : 'val';
    const name = names[i] as string;
    const scene = generateScene({ width, height, classes, seed: itemSeed(seed, i), voidBorder });
    const image = encodePng({ width, height, channels: 3, depth: 8, data: scene.image });
    const labels = encodeLabelPng({ width, height, data: scene.labels });
    await writeFileAtomic(join(out, split, 'images', `${name}.png`), image);
    await writeFileAtomic(join(out, split, 'labels', `${name}.png`), labels);
    onProgress?.(i + 1, count);
  }

  const manifest: SynthManifest = {
    format: SYNTH_MANIFEST_FORMAT,
    version: SYNTH_MANIFEST_VERSION,
    kind: 'images',
    classes: table.map(({ id, name, color, kind }) => ({ id, name, color, kind })),
    ignoreIndex: IGNORE_INDEX,
    size: [width, height],
    seed,
    count,
    voidBorder,
    splits,
  };
  await writeFileAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
