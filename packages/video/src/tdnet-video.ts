/**
 * TDNet on a video stream (Hu et al., CVPR 2020, §3.2): frame t runs only sub-network t mod m;
 * its encoding is cached, and the attention propagation module recomposes the full feature from
 * it and the cached encodings of the m-1 previous frames. Frame 0 of a video runs all m
 * sub-networks on that frame (nothing is cached yet), so every frame has a full feature.
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { attentionMacs, measureComplexity, TDNet, type RgbBatch, type TDNetEncoding } from '@pixelwise/models';
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

/**
 * How a TDNet stream runs: sub-network encodings and the attention + head on TensorFlow.js
 * (`tfjsTdnetParts`) or on ONNX Runtime sessions (`onnxTdnetParts`). Encodings `E` are kept until
 * `release`; the frame `X` until `releaseInput`.
 */
export interface TDNetParts<E, X> {
  readonly paths: number;
  input(rgb: Tensor4D, frame?: RgbBatch): X | Promise<X>;
  /** Sub-network `path` on the frame, encoded for attention. */
  encode(path: number, x: X): E | Promise<E>;
  /** Attention propagation from `previous` into `current`, the head, the argmax: labels `[H, W]`. */
  classify(current: E, previous: readonly E[], size: readonly [number, number]): Tensor2D | Int32Array | Promise<Tensor2D | Int32Array>;
  release(e: E): void;
  releaseInput(x: X): void;
}

/** A TDNet's parts on TensorFlow.js. */
export function tfjsTdnetParts(model: TDNet): TDNetParts<TDNetEncoding, Tensor4D> {
  return {
    paths: model.paths,
    input: (rgb) => model.normalize(rgb),
    encode: (path, x) => model.encode(path, x),
    classify: (current, previous, size) => tf.tidy(() => tf.squeeze(tf.argMax(model.classify(model.aggregate(current, previous), size), 3), [0]) as Tensor2D),
    release: (e) => tf.dispose([e.features, e.query, e.key, e.value]),
    releaseInput: (x) => x.dispose(),
  };
}

export class TDNetStream<E = TDNetEncoding, X = Tensor4D> implements VideoSegmenter {
  readonly units: readonly string[];
  readonly unitMacs: readonly number[];
  readonly sharedMacs: number;
  private readonly parts: TDNetParts<E, X>;
  /** Latest encoding of each sub-network. */
  private cache: Array<E | undefined>;
  private t = 0;

  /** `model`: a TDNet (run on TensorFlow.js) or its parts on another engine; `dispose` disposes it. */
  constructor(
    model: TDNet | TDNetParts<E, X>,
    macs: { paths: number[]; shared: number },
    private readonly onDispose: () => void = () => (model instanceof TDNet ? model.dispose() : undefined),
  ) {
    this.parts = model instanceof TDNet ? (tfjsTdnetParts(model) as unknown as TDNetParts<E, X>) : model;
    this.units = Array.from({ length: this.parts.paths }, (_, i) => `subnet${i + 1}`);
    this.cache = Array.from({ length: this.parts.paths }, () => undefined);
    this.unitMacs = macs.paths;
    this.sharedMacs = macs.shared;
  }

  reset(): void {
    this.cache.forEach((e) => e !== undefined && this.parts.release(e));
    this.cache = this.cache.map(() => undefined);
    this.t = 0;
  }

  async step(rgb: Tensor4D, frame?: RgbBatch): Promise<FrameOutput> {
    const m = this.parts.paths;
    const t = this.t++;
    const current = t % m;
    const ran = Array.from({ length: m }, (_, i) => t === 0 || i === current);
    const x = await this.parts.input(rgb, frame);
    try {
      for (let i = 0; i < m; i++) {
        if (!ran[i]) continue;
        const e = await this.parts.encode(i, x);
        const old = this.cache[i];
        if (old !== undefined) this.parts.release(old);
        this.cache[i] = e;
      }
      const previous = this.cache.filter((e, i): e is E => e !== undefined && i !== current);
      const labels = await this.parts.classify(this.cache[current] as E, previous, [rgb.shape[1], rgb.shape[2]]);
      return { labels, ran: ranUnits(this.units, ran), macs: frameMacs(this, ran) };
    } finally {
      this.parts.releaseInput(x);
    }
  }

  dispose(): void {
    this.reset();
    this.onDispose();
  }
}
