/**
 * A contact sheet of synthetic samples: images on the top row, their colourised labels
 * below, for eyeballing a generator or a data set.
 */
import type { RgbImage } from '@pixelwise/core/io';
import { colorizeLabels } from './classes.js';
import type { SynthClass } from './classes.js';

/** One image and its labels, same size. */
export interface LabelledImage {
  width: number;
  height: number;
  image: Uint8Array;
  labels: Uint8Array;
}

/**
 * Tiles `samples` (all the same size) left to right, images above labels, with a `gap`
 * of white pixels between tiles.
 */
export function previewSheet(samples: readonly LabelledImage[], classes: readonly Pick<SynthClass, 'color'>[], gap = 4): RgbImage {
  const first = samples[0];
  if (first === undefined) throw new RangeError('previewSheet: no samples');
  const { width: w, height: h } = first;
  const width = samples.length * w + (samples.length - 1) * gap;
  const height = 2 * h + gap;
  const data = new Uint8Array(width * height * 3).fill(255);
  samples.forEach((s, i) => {
    if (s.width !== w || s.height !== h) {
      throw new RangeError(`previewSheet: sample ${i} is ${s.width}x${s.height}, expected ${w}x${h}`);
    }
    const colours = colorizeLabels(s.labels, classes);
    const x0 = i * (w + gap);
    for (let y = 0; y < h; y++) {
      data.set(s.image.subarray(y * w * 3, (y + 1) * w * 3), ((y * width) + x0) * 3);
      data.set(colours.subarray(y * w * 3, (y + 1) * w * 3), (((y + h + gap) * width) + x0) * 3);
    }
  });
  return { width, height, data };
}
