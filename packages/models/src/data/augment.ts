/**
 * Training-time augmentation on typed arrays, without TensorFlow.js, as in mmsegmentation's
 * pipeline: random rescale (ratio 0.5..2.0), random crop with padding (image with the mean,
 * labels with the ignore index), random horizontal flip. Images are resized bilinearly,
 * labels by nearest neighbour so that no new class ids appear.
 */
import type { RgbImage } from '@pixelwise/core/io';
import { IGNORE_INDEX } from './classes.js';
import type { Rng } from './rng.js';

/** An 8-bit label map, `[H, W]`, one class id per pixel. */
export interface LabelImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An image and its labels, same size. */
export interface Sample {
  image: RgbImage;
  labels: LabelImage;
}

/** ImageNet channel statistics on [0, 1] (torchvision), RGB order. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Padding colour: the ImageNet mean (0 after normalisation), black, or explicit `[r, g, b]`. */
export type PadFill = 'mean' | 'zero' | readonly [number, number, number];

export interface AugmentOptions {
  /** Rescale by a ratio drawn uniformly from `[min, max]`; default [0.5, 2.0]; `false` to skip. */
  scale?: readonly [number, number] | false;
  /** Crop to this size (padding when smaller); default: no crop. */
  crop?: { width: number; height: number };
  /** Probability of a horizontal flip; default 0.5. */
  flip?: number;
  fill?: PadFill;
  ignoreIndex?: number;
}

/**
 * Resizes an RGB image bilinearly with half-pixel centres (PyTorch `align_corners=False`,
 * no antialiasing), rounding to bytes.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  checkSize(width, height, 'resizeBilinear');
  const { width: sw, height: sh, data } = image;
  const out = new Uint8Array(width * height * 3);
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * sw + x0) * 3 + c] as number;
        const b = data[(y0 * sw + x1) * 3 + c] as number;
        const d = data[(y1 * sw + x0) * 3 + c] as number;
        const e = data[(y1 * sw + x1) * 3 + c] as number;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[(y * width + x) * 3 + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, data: out };
}

/** Resizes a label map by nearest neighbour (source pixel under the target pixel's centre). */
export function resizeNearest(labels: LabelImage, width: number, height: number): LabelImage {
  checkSize(width, height, 'resizeNearest');
  const { width: sw, height: sh, data } = labels;
  const out = new Uint8Array(width * height);
  const cols = Int32Array.from({ length: width }, (_, x) => Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / width)));
  for (let y = 0; y < height; y++) {
    const row = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / height)) * sw;
    for (let x = 0; x < width; x++) out[y * width + x] = data[row + (cols[x] as number)] as number;
  }
  return { width, height, data: out };
}

/** Rescales image and labels by the same ratio (at least 1x1 pixel). */
export function scaleSample(sample: Sample, ratio: number): Sample {
  checkSameSize(sample);
  const width = Math.max(1, Math.round(sample.image.width * ratio));
  const height = Math.max(1, Math.round(sample.image.height * ratio));
  return { image: resizeBilinear(sample.image, width, height), labels: resizeNearest(sample.labels, width, height) };
}

/** {@link scaleSample} by a ratio drawn uniformly from `range` (default [0.5, 2.0]). */
export function randomScale(sample: Sample, rng: Rng, range: readonly [number, number] = [0.5, 2]): Sample {
  return scaleSample(sample, rng.uniform(range[0], range[1]));
}

/**
 * The `width` x `height` window at (x, y) of the sample; parts outside are padding: image
 * `fill`, labels `ignoreIndex`.
 */
export function cropSample(sample: Sample, x: number, y: number, width: number, height: number, fill: PadFill = 'mean', ignoreIndex = IGNORE_INDEX): Sample {
  checkSameSize(sample);
  checkSize(width, height, 'cropSample');
  const { width: sw, height: sh } = sample.image;
  const rgb = padColor(fill);
  const image = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) image.set(rgb, 3 * p);
  const labels = new Uint8Array(width * height).fill(ignoreIndex);
  const x0 = Math.max(0, x);
  const x1 = Math.min(sw, x + width);
  for (let yy = Math.max(0, y); yy < Math.min(sh, y + height); yy++) {
    if (x1 <= x0) break;
    const dst = (yy - y) * width + (x0 - x);
    image.set(sample.image.data.subarray((yy * sw + x0) * 3, (yy * sw + x1) * 3), dst * 3);
    labels.set(sample.labels.data.subarray(yy * sw + x0, yy * sw + x1), dst);
  }
  return { image: { width, height, data: image }, labels: { width, height, data: labels } };
}

/**
 * A random `width` x `height` window. Where the sample is smaller than the window it is
 * placed at a random position inside it and the rest is padding.
 */
export function randomCrop(sample: Sample, rng: Rng, width: number, height: number, fill: PadFill = 'mean', ignoreIndex = IGNORE_INDEX): Sample {
  const dx = sample.image.width - width;
  const dy = sample.image.height - height;
  const x = rng.int(Math.min(0, dx), Math.max(0, dx));
  const y = rng.int(Math.min(0, dy), Math.max(0, dy));
  return cropSample(sample, x, y, width, height, fill, ignoreIndex);
}

/** Mirrors image and labels left to right. */
export function flipHorizontal(sample: Sample): Sample {
  checkSameSize(sample);
  const { width, height } = sample.image;
  const image = new Uint8Array(width * height * 3);
  const labels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = y * width + x;
      const dst = y * width + (width - 1 - x);
      labels[dst] = sample.labels.data[src] as number;
      image.set(sample.image.data.subarray(3 * src, 3 * src + 3), 3 * dst);
    }
  }
  return { image: { width, height, data: image }, labels: { width, height, data: labels } };
}

/** Scale, then crop, then flip, each as configured; all randomness from `rng`. */
export function augmentSample(sample: Sample, rng: Rng, options: AugmentOptions = {}): Sample {
  const { scale = [0.5, 2], crop, flip = 0.5, fill = 'mean', ignoreIndex = IGNORE_INDEX } = options;
  let out = scale === false ? sample : randomScale(sample, rng, scale);
  if (crop !== undefined) out = randomCrop(out, rng, crop.width, crop.height, fill, ignoreIndex);
  if (rng.chance(flip)) out = flipHorizontal(out);
  return out;
}

/** How {@link toFloatImage} maps bytes: ImageNet mean/std, [0, 1], or explicit statistics on [0, 1]. */
export type Normalization = 'imagenet' | 'unit' | { mean: readonly number[]; std: readonly number[] };

/**
 * An RGB image as floats, `[H, W, 3]` (HWC) in a Float32Array: `(v / 255 - mean) / std`.
 * Default `imagenet`.
 */
export function toFloatImage(image: RgbImage, normalization: Normalization = 'imagenet'): Float32Array {
  const { mean, std } =
    normalization === 'imagenet'
      ? { mean: IMAGENET_MEAN, std: IMAGENET_STD }
      : normalization === 'unit'
        ? { mean: [0, 0, 0], std: [1, 1, 1] }
        : normalization;
  if (mean.length !== 3 || std.length !== 3 || std.some((s) => !(s > 0))) {
    throw new RangeError(`toFloatImage: mean and std need 3 entries, std > 0; found mean [${mean.join(', ')}], std [${std.join(', ')}]`);
  }
  const scale = std.map((s) => 1 / (255 * s));
  const shift = mean.map((m, c) => m / (std[c] as number));
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = i % 3;
    out[i] = (image.data[i] as number) * (scale[c] as number) - (shift[c] as number);
  }
  return out;
}

function padColor(fill: PadFill): Uint8Array {
  if (fill === 'mean') return Uint8Array.from(IMAGENET_MEAN, (m) => Math.round(m * 255));
  if (fill === 'zero') return new Uint8Array(3);
  return Uint8Array.from(fill);
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what}: size must be positive integers, found ${width}x${height}`);
  }
}

function checkSameSize({ image, labels }: Sample): void {
  if (image.width !== labels.width || image.height !== labels.height || image.data.length !== image.width * image.height * 3 || labels.data.length !== labels.width * labels.height) {
    throw new RangeError(`sample image ${image.width}x${image.height} (${image.data.length} bytes) and labels ${labels.width}x${labels.height} (${labels.data.length} bytes) do not match`);
  }
}
