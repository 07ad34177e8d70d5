/** Turning dataset samples into training tensors: augmentation, normalisation, stacking. */
import { tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { augmentSample, toFloatImage, type AugmentOptions, type Sample } from '../data/augment.js';
import type { Rng } from '../data/rng.js';
import type { InputNorm } from '../segmentors/segmentor.js';

/** The part of a data set the trainer needs (the Node loaders satisfy it). */
export interface SampleSource {
  names: string[];
  read(i: number): Promise<Sample & { name?: string }>;
}

/** Stacks same-size samples into `[B,H,W,3]` float input and `[B,H,W]` int32 labels. */
export function stackBatch(samples: Sample[], norm: InputNorm): { x: Tensor4D; y: Tensor3D } {
  const first = samples[0];
  if (!first) throw new Error('stackBatch: empty batch');
  const { width, height } = first.image;
  const x = new Float32Array(samples.length * height * width * 3);
  const y = new Int32Array(samples.length * height * width);
  samples.forEach((s, i) => {
    if (s.image.width !== width || s.image.height !== height || s.labels.width !== width || s.labels.height !== height) {
      throw new Error(`stackBatch: sample ${i} is ${s.image.width}x${s.image.height} (labels ${s.labels.width}x${s.labels.height}), batch is ${width}x${height}; use a crop size`);
    }
    x.set(toFloatImage(s.image, norm), i * height * width * 3);
    y.set(s.labels.data, i * height * width);
  });
  return {
    x: tf.tensor4d(x, [samples.length, height, width, 3]),
    y: tf.tensor3d(y, [samples.length, height, width], 'int32'),
  };
}

/** Reads and augments the samples at `indices`, each with its own generator `rngOf(i)`. */
export async function loadBatch(source: SampleSource, indices: readonly number[], rngOf: (index: number) => Rng, augment: AugmentOptions): Promise<Sample[]> {
  const raw = await Promise.all(indices.map((i) => source.read(i)));
  return raw.map((s, k) => augmentSample({ image: s.image, labels: s.labels }, rngOf(indices[k] as number), augment));
}

/** A seeded Fisher-Yates permutation of `0..n-1`. */
export function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

/** `[1, H, W, 3]` int32 tensor of an 8-bit RGB image (what `Segmentor.normalize` takes). */
export function toUint8Rgb(image: { width: number; height: number; data: Uint8Array }): tf.Tensor4D {
  return rgbTensor({ data: image.data, shape: [1, image.height, image.width] });
}

/** A batch of 8-bit RGB images `[n, h, w, 3]` as an int32 NHWC tensor (TensorFlow.js has no uint8 tensors). */
export function rgbTensor(batch: { data: Uint8Array; shape: readonly [number, number, number] }): tf.Tensor4D {
  const [n, h, w] = batch.shape;
  return tf.tensor4d(Int32Array.from(batch.data), [n, h, w, 3], 'int32');
}
