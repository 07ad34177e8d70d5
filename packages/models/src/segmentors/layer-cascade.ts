/**
 * Deep Layer Cascade (Li et al., "Not All Pixels are Equal: Difficulty-aware Semantic
 * Segmentation via Deep Layer Cascade", CVPR 2017 §3): a residual network cut into three stages,
 * each with its own classifier. After a stage, pixels whose top class probability reaches `rho`
 * are final ("easy"); only the others go on. Later stages run region convolution on those
 * pixels: inside the region a residual block computes `relu(x + F(x))` with F's convolutions
 * evaluated only there (zero elsewhere, §3.2), outside it passes its input through.
 *
 * `mode: 'cascade'` uses the sparse region path (cost follows the region); `'full'` sends every
 * pixel through every stage and labels them with the last stage; `'masked'` is the dense
 * equivalent of the cascade (convolution then mask), which training uses.
 */
import { regionConv2d, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { scaleWidth } from '../backbones/backbone.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv.js';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { Module, Sequential, type ForwardContext } from '../module.js';
import { Segmentor, upsampleTo, type SegmentorOutput } from './segmentor.js';

export type CascadeMode = 'cascade' | 'full' | 'masked';

export interface LayerCascadeOptions {
  numClasses?: number;
  /** Width multiplier of the stage widths (64, 128, 256 at 1). */
  width?: number;
  /** Residual blocks per stage. Default [2, 2, 2]. */
  blocks?: [number, number, number];
  /** Confidence at which a pixel exits. Default 0.95 (the paper's). */
  rho?: number;
  mode?: CascadeMode;
}

export interface CascadeStats {
  /** Fraction of feature-grid pixels labelled by stage 1, 2, 3 (sums to 1). */
  stageFractions: [number, number, number];
  /** `[N, h, w]` int32 stage (0, 1, 2) that labelled each feature-grid pixel. */
  stageMap: tf.Tensor3D;
}

/** A residual block (two 3x3 convolutions + BN) that can be evaluated on a region only. */
class RegionBlock extends Module {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  constructor(
    channels: number,
    readonly dilation: number,
  ) {
    super();
    const d = dilation;
    this.conv1 = this.add('conv1', new Conv2d(channels, channels, { kernel: 3, padding: d, dilation: d, bias: false }));
    this.bn1 = this.add('bn1', new BatchNorm2d(channels));
    this.conv2 = this.add('conv2', new Conv2d(channels, channels, { kernel: 3, padding: d, dilation: d, bias: false }));
    this.bn2 = this.add('bn2', new BatchNorm2d(channels));
  }

  private conv(conv: Conv2d, x: Tensor4D, mask: Tensor4D | undefined, sparse: boolean): Tensor4D {
    if (!mask) return conv.forward(x);
    if (sparse) return regionConv2d(x, conv.weight as unknown as Tensor4D, mask, { rate: this.dilation, padding: this.dilation });
    return tf.mul(conv.forward(x), mask);
  }

  /** `mask` `[N,h,w,1]` (undefined = everywhere); `sparse` selects region convolution. */
  forward(x: Tensor4D, ctx: ForwardContext, mask?: Tensor4D, sparse = false): Tensor4D {
    return tf.tidy(() => {
      const m = (t: Tensor4D): Tensor4D => (mask ? tf.mul(t, mask) : t);
      const h: Tensor4D = m(tf.relu(this.bn1.forward(this.conv(this.conv1, x, mask, sparse), ctx)) as Tensor4D);
      const f = m(this.bn2.forward(this.conv(this.conv2, h, mask, sparse), ctx));
      const inside = tf.relu(tf.add(x, f)) as Tensor4D;
      if (!mask) return inside;
      // Outside the region the block passes its input through.
      return tf.add(tf.mul(inside, mask), tf.mul(x, tf.sub(1, mask))) as Tensor4D;
    });
  }
}

class Stage extends Module {
  readonly blocks: RegionBlock[];
  constructor(channels: number, count: number, dilation: number) {
    super();
    this.blocks = Array.from({ length: count }, (_, i) => this.add(String(i), new RegionBlock(channels, dilation)));
  }
}

export class LayerCascade extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  rho: number;
  mode: CascadeMode;
  /** Statistics of the last forward pass (caller disposes `stageMap`). */
  lastStats?: CascadeStats;
  private readonly stem: Sequential;
  private readonly transitions: Conv2d[];
  private readonly stages: Stage[];
  private readonly heads: Conv2d[];

  constructor(options: LayerCascadeOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.rho = options.rho ?? 0.95;
    this.mode = options.mode ?? 'cascade';
    const w = options.width ?? 1;
    const ch = [64, 128, 256].map((c) => scaleWidth(c, w, 8, 8));
    const [c1 = 64, c2 = 128, c3 = 256] = ch;
    const blocks = options.blocks ?? [2, 2, 2];
    // Stem to output stride 8, then stages at stride 8 with growing dilation (1, 2, 4).
    this.stem = this.add(
      'stem',
      new Sequential([
        new ConvNormAct(3, c1 / 2, { kernel: 3, stride: 2 }),
        new ConvNormAct(c1 / 2, c1, { kernel: 3, stride: 2 }),
        new ConvNormAct(c1, c1, { kernel: 3, stride: 2 }),
      ]),
    );
    const widths = [c1, c2, c3];
    this.transitions = widths.slice(1).map((c, i) => this.add(`transition${i + 2}`, new Conv2d(widths[i] ?? c, c, { kernel: 1, bias: false })));
    this.stages = widths.map((c, i) => this.add(`stage${i + 1}`, new Stage(c, blocks[i] ?? 2, 2 ** i)));
    this.heads = widths.map((c, i) => this.add(`head${i + 1}`, new Conv2d(c, this.numClasses, { kernel: 1 })));
  }

  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    this.lastStats?.stageMap.dispose();
    let stats: CascadeStats | undefined;
    const out = tf.tidy(() => {
      const size = [x.shape[1], x.shape[2]];
      let f = this.stem.forward(x, ctx);
      const [n, h, w] = f.shape;
      const scores: Tensor4D[] = [];
      const exits: Tensor4D[] = [];
      let active: Tensor4D = tf.ones([n, h, w, 1]);
      for (let s = 0; s < 3; s++) {
        const stage = this.stages[s] as Stage;
        if (s > 0) {
          // Channels change between stages: a 1x1 projection (dense; it is cheap).
          f = (this.transitions[s - 1] as Conv2d).forward(f);
        }
        const region = s === 0 || this.mode === 'full' ? undefined : active;
        const sparse = this.mode === 'cascade';
        for (const b of stage.blocks) f = b.forward(f, ctx, region, sparse);
        const score = (this.heads[s] as Conv2d).forward(f);
        scores.push(score);
        if (s < 2 && this.mode !== 'full') {
          const confident = tf.cast(tf.greaterEqual(tf.max(tf.softmax(score), 3, true), this.rho), 'float32');
          const exit = tf.mul(active, confident) as Tensor4D;
          exits.push(exit);
          active = tf.sub(active, exit) as Tensor4D;
        } else if (s < 2) {
          exits.push(tf.zeros([n, h, w, 1]));
        }
      }
      exits.push(active);
      // Each pixel keeps the scores of the stage where it exited.
      const combined = tf.addN(scores.map((sc, i) => tf.mul(sc, exits[i] as Tensor4D))) as Tensor4D;
      const total = n * h * w;
      const fractions = exits.map((e) => (tf.sum(e).dataSync()[0] ?? 0) / total) as [number, number, number];
      const stageMap = tf.keep(tf.cast(tf.squeeze(tf.addN([tf.mul(exits[1] as Tensor4D, 1), tf.mul(exits[2] as Tensor4D, 2)]), [3]), 'int32') as tf.Tensor3D);
      stats = { stageFractions: fractions, stageMap };
      return upsampleTo(combined, size);
    });
    this.lastStats = stats;
    return { out, aux: [] };
  }
}

