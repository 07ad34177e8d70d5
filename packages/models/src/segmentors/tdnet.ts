/**
 * TDNet (Hu, Caldwell, Kim & Manocha, "Temporally Distributed Networks for Fast Video Semantic
 * Segmentation", CVPR 2020): the deep feature extractor of a PSPNet is replaced by m shallow
 * sub-networks (§3.2), each computing a 1/m share of the feature channels; on frame t only
 * sub-network t mod m runs, and the attention propagation module (§3.3) recomposes the full
 * feature from the current frame and the m-1 previous ones before the PSPNet head.
 *
 * Here each sub-network is a dilated ResNet-18 (output stride 8) at the teacher's width / m
 * in channels, so the m sub-networks together have the teacher backbone's output channels (the
 * grouping that grouped knowledge distillation, §3.4, matches). Each sub-network has its own
 * 1x1 query/key/value encoders; the head is the teacher's PSP head.
 *
 * `forward(x)` (the `Segmentor` contract, used for still images, training and checkpoints) runs
 * all m sub-networks on the same image: sub-network 0 is the current frame, the others stand in
 * for the previous frames of a static video.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import type { OnnxGraph } from '@pixelwise/core/onnx';
import { ResNet } from '../backbones/resnet.js';
import { PSPHead } from '../heads/psp-head.js';
import { Conv2d } from '../layers/conv.js';
import { EVAL, type ForwardContext } from '../module.js';
import { propagateAttention, propagateAttentionToOnnx, type AttentionEncoding, type OnnxAttentionEncoding } from './attention-propagation.js';
import { Segmentor, type SegmentorOutput } from './segmentor.js';

export interface TDNetOptions {
  numClasses?: number;
  /** Number of sub-networks m (the paper's TD2 and TD4). */
  paths: 2 | 4;
  /** Width of the teacher backbone the sub-networks split (pspnet-lite: 0.25). Default 1. */
  width?: number;
  /** Channels of the PSP head's bottleneck. Default 512 (pspnet-lite: 64). */
  channels?: number;
  /** Query/key channels. Default 32 (width 1), scaled with width, at least 8. */
  keyChannels?: number;
  /** Pooling factor of query, key and value in the attention. Default 2. */
  attentionDownsample?: number;
}

/** One sub-network's output on a frame: its features (for grouped distillation) and attention encoding. */
export interface TDNetEncoding extends AttentionEncoding {
  /** `[N, h, w, C/m]` sub-network features. */
  features: Tensor4D;
  /** Which sub-network produced it. */
  path: number;
}

export class TDNet extends Segmentor {
  readonly inputNorm = 'imagenet' as const;
  readonly numClasses: number;
  readonly paths: number;
  /** Channels of the recomposed feature (= the teacher backbone's output channels). */
  readonly featureChannels: number;
  /** Channels of each sub-network's output. */
  readonly pathChannels: number;
  readonly keyChannels: number;
  readonly attentionDownsample: number;
  private readonly subnets: ResNet[] = [];
  private readonly queries: Conv2d[] = [];
  private readonly keys: Conv2d[] = [];
  private readonly values: Conv2d[] = [];
  private readonly head: PSPHead;

  constructor(options: TDNetOptions) {
    super();
    const width = options.width ?? 1;
    this.numClasses = options.numClasses ?? 21;
    this.paths = options.paths;
    this.attentionDownsample = options.attentionDownsample ?? 2;
    this.keyChannels = options.keyChannels ?? Math.max(8, Math.round(32 * width));
    let pathChannels = 0;
    for (let i = 0; i < this.paths; i++) {
      const net = this.add(`subnet${i + 1}`, new ResNet({ depth: 18, outputStride: 8, width: width / this.paths }));
      pathChannels = net.outChannels[4] ?? 0;
      this.subnets.push(net);
    }
    this.pathChannels = pathChannels;
    this.featureChannels = pathChannels * this.paths;
    for (let i = 0; i < this.paths; i++) {
      this.queries.push(this.add(`query${i + 1}`, new Conv2d(pathChannels, this.keyChannels, { kernel: 1 })));
      this.keys.push(this.add(`key${i + 1}`, new Conv2d(pathChannels, this.keyChannels, { kernel: 1 })));
      this.values.push(this.add(`value${i + 1}`, new Conv2d(pathChannels, this.featureChannels, { kernel: 1 })));
    }
    this.head = this.add('decode_head', new PSPHead(this.featureChannels, this.numClasses, { channels: options.channels ?? 512, inIndex: 0 }));
  }

  /** Runs sub-network `path` on a normalised frame `[N, H, W, 3]` and encodes it for attention. */
  encode(path: number, x: Tensor4D, ctx: ForwardContext = EVAL): TDNetEncoding {
    const net = this.subnets[path];
    const q = this.queries[path];
    const k = this.keys[path];
    const v = this.values[path];
    if (!net || !q || !k || !v) throw new Error(`TDNet: no sub-network ${path} (it has ${this.paths})`);
    return tf.tidy(() => {
      const all = net.features(x, ctx);
      const features = all[all.length - 1] as Tensor4D;
      return { features, query: q.forward(features), key: k.forward(features), value: v.forward(features), path };
    });
  }

  /** {@link encode} as ONNX nodes (a sub-network's graph): NCHW features, query, key and value. */
  encodeToOnnx(path: number, g: OnnxGraph, x: string): OnnxAttentionEncoding & { features: string } {
    const net = this.subnets[path];
    const [q, k, v] = [this.queries[path], this.keys[path], this.values[path]];
    if (!net || !q || !k || !v) throw new Error(`TDNet: no sub-network ${path} (it has ${this.paths})`);
    const features = net.featuresToOnnx(g, x).at(-1) as string;
    return { features, query: q.toOnnx(g, features), key: k.toOnnx(g, features), value: v.toOnnx(g, features) };
  }

  /** {@link aggregate} then {@link classify} as ONNX nodes: the scores `[N, classes, H, W]` of the current frame. */
  aggregateToOnnx(g: OnnxGraph, current: Pick<OnnxAttentionEncoding, 'query' | 'value'>, previous: readonly Pick<OnnxAttentionEncoding, 'key' | 'value'>[], size: readonly [number, number]): string {
    return this.head.predictToOnnx(g, [propagateAttentionToOnnx(g, current, previous, this.attentionDownsample)], size);
  }

  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'TDNet');
    const enc = this.subnets.map((_, i) => this.encodeToOnnx(i, g, x));
    return this.aggregateToOnnx(g, enc[0] as OnnxAttentionEncoding, enc.slice(1), [h, w]);
  }

  /** Recomposes the current frame's feature `[N, h, w, C]` with the previous frames' encodings. */
  aggregate(current: TDNetEncoding, previous: readonly TDNetEncoding[]): Tensor4D {
    return propagateAttention(current, previous, this.attentionDownsample);
  }

  /** The PSP head on a recomposed feature, class scores resized to `[H, W]`. */
  classify(feature: Tensor4D, size: readonly [number, number], ctx: ForwardContext = EVAL): Tensor4D {
    return this.head.predict([feature], size, ctx);
  }

  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const enc = this.subnets.map((_, i) => this.encode(i, x, ctx));
      const feature = this.aggregate(enc[0] as TDNetEncoding, enc.slice(1));
      return { out: this.classify(feature, [x.shape[1], x.shape[2]], ctx), aux: [] };
    });
  }
}
