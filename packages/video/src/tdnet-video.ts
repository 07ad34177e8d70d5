/**
 * TDNet on a video stream (Hu et al., CVPR 2020, §3.2): frame t runs only sub-network t mod m;
 * its encoding is cached, and the attention propagation module recomposes the full feature from
 * it and the cached encodings of the m-1 previous frames. Frame 0 of a video runs all m
 * sub-networks on that frame (nothing is cached yet), so every frame has a full feature.
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { attentionMacs, measureComplexity, type TDNet, type TDNetEncoding } from '@pixelwise/models';
import { frameMacs, ranUnits, type FrameOutput, type VideoSegmenter } from './video-segmenter.js';

/** Multiply-adds of a TDNet per sub-network (with its encoders) and per frame otherwise (attention + head). */
export function tdnetMacs(model: TDNet, size: [number, number]): { paths: number[]; shared: number; perFrame: number } {
  const paths = Array.from({ length: model.paths }, (_, i) => measureComplexity(model, model, size, (n, x) => void (n as TDNet).encode(i, x)).macs);
  const full = measureComplexity(model, model, size).macs;
  const head = full - paths.reduce((a, b) => a + b, 0);
  const [h, w] = tf.tidy(() => {
    const s = model.encode(0, tf.zeros([1, size[0], size[1], 3]) as Tensor4D).features.shape;
    return [s[1], s[2]];
  });
  const attention = attentionMacs(h ?? 1, w ?? 1, model.keyChannels, model.featureChannels, model.paths - 1, model.attentionDownsample);
  const shared = head + attention;
  return { paths, shared, perFrame: shared + paths.reduce((a, b) => a + b, 0) / model.paths };
}

export class TDNetStream implements VideoSegmenter {
  readonly units: readonly string[];
  readonly unitMacs: readonly number[];
  readonly sharedMacs: number;
  /** Latest encoding of each sub-network (kept tensors). */
  private cache: Array<TDNetEncoding | undefined>;
  private t = 0;

  constructor(
    private readonly model: TDNet,
    macs: { paths: number[]; shared: number },
  ) {
    this.units = Array.from({ length: model.paths }, (_, i) => `subnet${i + 1}`);
    this.cache = Array.from({ length: model.paths }, () => undefined);
    this.unitMacs = macs.paths;
    this.sharedMacs = macs.shared;
  }

  private drop(e: TDNetEncoding | undefined): void {
    if (e) tf.dispose([e.features, e.query, e.key, e.value]);
  }

  reset(): void {
    this.cache.forEach((e) => this.drop(e));
    this.cache = this.cache.map(() => undefined);
    this.t = 0;
  }

  step(rgb: Tensor4D): FrameOutput {
    const m = this.model.paths;
    const t = this.t++;
    const current = t % m;
    const ran = Array.from({ length: m }, (_, i) => t === 0 || i === current);
    const labels = tf.tidy(() => {
      const x = this.model.normalize(rgb);
      ran.forEach((r, i) => {
        if (!r) return;
        const e = this.model.encode(i, x);
        tf.keep(e.features);
        tf.keep(e.query);
        tf.keep(e.key);
        tf.keep(e.value);
        this.drop(this.cache[i]);
        this.cache[i] = e;
      });
      const previous = this.cache.filter((e, i): e is TDNetEncoding => e !== undefined && i !== current);
      const feature = this.model.aggregate(this.cache[current] as TDNetEncoding, previous);
      const scores = this.model.classify(feature, [rgb.shape[1], rgb.shape[2]]);
      return tf.squeeze(tf.argMax(scores, 3), [0]) as Tensor2D;
    });
    return { labels, ran: ranUnits(this.units, ran), macs: frameMacs(this, ran) };
  }

  dispose(): void {
    this.reset();
    this.model.dispose();
  }
}
