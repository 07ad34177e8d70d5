/**
 * Deep Layer Cascade statistics over many images, and the preview artifacts the dashboard shows
 * (docs/ARTIFACTS.md): the input image, the coloured prediction and a cascade's stage map.
 */
import { resolve, join } from 'node:path';
import { encodePng, type RgbImage } from '@pixelwise/core/io';
import { stageMapToRgb, type CascadeStats } from '@pixelwise/models';
import { colorizeLabels, resizeNearest, synthClasses } from '@pixelwise/models/data';
import { writeFileAtomic } from '@pixelwise/models/node';

export const STAGE_NAMES = ['stage1', 'stage2', 'stage3'] as const;

/** Sums a cascade's per-forward statistics, weighting each by its pixels. */
export class StageAccumulator {
  private readonly labelled = [0, 0, 0];
  private readonly stageMacs = [0, 0, 0];
  private readonly fullMacs = [0, 0, 0];
  private gridPixels = 0;
  private inputPixels = 0;

  /** @param inputPixels pixels of the input batch (images x height x width) */
  add(stats: CascadeStats, inputPixels: number): void {
    const [n, h, w] = stats.stageMap.shape;
    const grid = n * h * w;
    stats.stageFractions.forEach((f, i) => {
      this.labelled[i] = (this.labelled[i] ?? 0) + f * grid;
      // A stage runs on the pixels that reach it: those labelled by it or a later stage.
      const reach = stats.stageFractions.slice(i).reduce((a, b) => a + b, 0);
      this.stageMacs[i] = (this.stageMacs[i] ?? 0) + (stats.stageMacs[i] ?? 0) * n * reach;
      this.fullMacs[i] = (this.fullMacs[i] ?? 0) + (stats.stageMacs[i] ?? 0) * n;
    });
    this.gridPixels += grid;
    this.inputPixels += inputPixels;
  }

  /** Share of pixels labelled by stage 1, 2, 3 (zeros before any `add`). */
  fractions(): [number, number, number] {
    const t = Math.max(1, this.gridPixels);
    return [0, 1, 2].map((i) => (this.labelled[i] ?? 0) / t) as [number, number, number];
  }

  /** Multiply-adds the stage's convolutions spent per input pixel. */
  stageMacsPerInputPixel(stage: number): number {
    return (this.stageMacs[stage] ?? 0) / Math.max(1, this.inputPixels);
  }

  /** Multiply-adds per input pixel that full mode would have spent and the cascade did not. */
  skippedPerInputPixel(): number {
    return [0, 1, 2].reduce((a, i) => a + ((this.fullMacs[i] ?? 0) - (this.stageMacs[i] ?? 0)), 0) / Math.max(1, this.inputPixels);
  }
}

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
  stats?: CascadeStats,
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
