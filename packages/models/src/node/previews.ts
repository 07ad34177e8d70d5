/**
 * Preview artifacts of a benchmark on data (docs/ARTIFACTS.md): the input image, the coloured
 * prediction and, for staged models, the stage map in the fixed stage colours.
 */
import { join, resolve } from 'node:path';
import { encodePng, type RgbImage } from '@pixelwise/core/io';
import { colorizeLabels, resizeNearest, synthClasses } from '../data/index.js';
import { stageMapToRgb } from '../segmentors/layer-cascade.js';
import type { StageStats } from '../segmentors/segmentor.js';
import { writeFileAtomic } from './files.js';

/** Names of the stages of a staged model, as stored with runs. */
export const STAGE_NAMES = ['stage1', 'stage2', 'stage3'] as const;

export interface StageArtifact {
  kind: 'image' | 'prediction' | 'stage-map';
  path: string;
  mime: 'image/png';
  bytes: number;
}

/**
 * Writes `NAME_image.png` and `NAME_pred.png`, and with a cascade's statistics `NAME_stages.png`
 * (of the first image of the batch they came from), into `dir`, atomically; returns them as run
 * artifacts (absolute paths).
 */
export async function writePreviewArtifacts(
  dir: string,
  name: string,
  image: RgbImage,
  pred: Int32Array,
  classes: readonly { color?: [number, number, number] }[],
  stats?: StageStats,
): Promise<StageArtifact[]> {
  const { width, height } = image;
  const palette = classes.every((c) => c.color) ? classes.map((c) => ({ color: c.color as [number, number, number] })) : synthClasses(Math.max(2, classes.length));
  const ids = Uint8Array.from(pred.subarray(0, width * height), (v) => Math.min(255, v));
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const files: [StageArtifact['kind'], string, RgbImage][] = [
    ['image', `${safe}_image.png`, image],
    ['prediction', `${safe}_pred.png`, { width, height, data: colorizeLabels(ids, palette) }],
  ];
  if (stats) {
    const [, h, w] = stats.stageMap.shape;
    const stages = resizeNearest({ width: w, height: h, data: stats.stageMap.data.subarray(0, w * h) }, width, height);
    files.push(['stage-map', `${safe}_stages.png`, { width, height, data: stageMapToRgb(stages.data) }]);
  }
  const out: StageArtifact[] = [];
  for (const [kind, file, img] of files) {
    const bytes = encodePng({ width: img.width, height: img.height, channels: 3, depth: 8, data: img.data });
    const path = resolve(join(dir, file));
    await writeFileAtomic(path, bytes);
    out.push({ kind, path, mime: 'image/png', bytes: bytes.length });
  }
  return out;
}
