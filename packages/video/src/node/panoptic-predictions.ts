/**
 * A semantic model's video predictions in the video panoptic layout `eval-video` reads
 * (DESIGN.md, "Video panoptic labels"): `DIR/<video>/<frame>_sem.png` (8-bit class ids) and
 * `<frame>_inst.png` (16-bit track ids). A semantic model predicts no instances, so every track
 * id is 0: evaluated with `eval-video --things ''`, every class is stuff and VPQ scores the
 * temporal tubes of each class's region (the protocol docs/EVAL.md describes for semantic
 * models). Each file is written atomically.
 */
import { join } from 'node:path';
import { encodeLabelPng } from '@pixelwise/core/io';
import { writeFileAtomic } from '@pixelwise/models/node';
import { frameName } from '../data/manifest.js';

/** Writes frame `t` of `video` from its predicted class ids `[H * W]`. */
export type PanopticWriter = (video: string, t: number, labels: ArrayLike<number>) => Promise<void>;

/** A writer of `width` x `height` predictions under `dir` (frames named as the synthetic video's: f000000, ...). */
export function panopticWriter(dir: string, width: number, height: number): PanopticWriter {
  const instances = encodeLabelPng({ width, height, data: new Uint16Array(width * height) });
  return async (video, t, labels) => {
    if (labels.length !== width * height) throw new Error(`panopticWriter: ${labels.length} labels for a ${width}x${height} frame`);
    const base = join(dir, video, frameName(t));
    await writeFileAtomic(`${base}_sem.png`, encodeLabelPng({ width, height, data: Uint8Array.from(labels) }));
    await writeFileAtomic(`${base}_inst.png`, instances);
  };
}
