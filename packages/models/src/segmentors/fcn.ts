/**
 * FCN-32s, FCN-16s and FCN-8s (Long, Shelhamer & Darrell, "Fully Convolutional Networks for
 * Semantic Segmentation", CVPR 2015), the VGG-16 versions of the reference Caffe nets:
 * - §3.1 fc6/fc7 as convolutions; 100-pixel input padding so any input size works.
 * - §3.3 upsampling by transposed convolution initialised to bilinear interpolation; the 2x
 *   layers are learned, the final 32x/16x/8x layers stay fixed to bilinear.
 * - §4.2 skip fusion: 1x1 score layers on pool4 (and pool3), zero-initialised so training
 *   starts from the coarser net's prediction; cropped (Caffe `Crop`) and summed.
 * Crop offsets are those the Caffe coordinate maps give for this padding: 19 (32s), 5/27 (16s),
 * 5/9/31 (8s).
 */
import { bilinearKernel1d, bilinearUpsample, bilinearUpsampleFilter, cropLike, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { FcnVgg16 } from '../backbones/vgg.js';
import { Conv2d, ConvTranspose2d } from '../layers/conv.js';
import { EVAL, type ForwardContext } from '../module.js';
import { Segmentor, type SegmentorOutput } from './segmentor.js';

export type FcnStride = 32 | 16 | 8;

export interface FcnOptions {
  numClasses?: number;
  /** Backbone width multiplier (1 = VGG-16). */
  width?: number;
}

export class FCN extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  private readonly backbone: FcnVgg16;
  private readonly scoreFr: Conv2d;
  private readonly scorePool4?: Conv2d;
  private readonly scorePool3?: Conv2d;
  private readonly upscore2?: ConvTranspose2d;
  private readonly upscorePool4?: ConvTranspose2d;
  private readonly finalFactor: number;
  constructor(
    readonly stride: FcnStride,
    options: FcnOptions = {},
  ) {
    super();
    const c = (this.numClasses = options.numClasses ?? 21);
    this.backbone = this.add('backbone', new FcnVgg16(options.width ?? 1));
    const [c3, c4, c7] = this.backbone.outChannels;
    this.scoreFr = this.add('score_fr', new Conv2d(c7, c, { kernel: 1, init: 'zeros' }));
    if (stride <= 16) {
      this.scorePool4 = this.add('score_pool4', new Conv2d(c4, c, { kernel: 1, init: 'zeros' }));
      this.upscore2 = this.add('upscore2', new ConvTranspose2d(c, c, { kernel: 4, stride: 2 }, () => bilinearUpsampleFilter(2, c)));
    }
    if (stride === 8) {
      this.scorePool3 = this.add('score_pool3', new Conv2d(c3, c, { kernel: 1, init: 'zeros' }));
      this.upscorePool4 = this.add('upscore_pool4', new ConvTranspose2d(c, c, { kernel: 4, stride: 2 }, () => bilinearUpsampleFilter(2, c)));
    }
    this.finalFactor = stride;
  }

  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const scores: Tensor4D[] = [];
      let features = x;
      for (const i of FCN_STAGES) {
        features = this.stageFeatures(i, features, ctx);
        const score = this.stageScore(i, features);
        if (score) scores.push(score);
      }
      return { out: this.fuseScores(scores, x), aux: [] };
    });
  }

  /**
   * Stage-wise forward for Clockwork convnets (Shelhamer et al., 2016 §3): `stageFeatures(i)`
   * maps stage i's input to its output (0: image -> pool3, 1: pool3 -> pool4, 2: pool4 -> fc7);
   * `stageScore(i)` is that stage's score layer (score_pool3, score_pool4, score_fr), undefined
   * where this stride has none; `fuseScores` is the skip fusion of the scores, coarse last, as
   * the full forward computes it. Their composition equals `forward(x).out`.
   */
  stageFeatures(i: FcnStageIndex, input: Tensor4D, ctx: ForwardContext = EVAL): Tensor4D {
    return this.backbone.stage(i, input, ctx);
  }

  /** The score layer reading stage `i`'s output `[N, h, w, numClasses]`, if this stride fuses it. */
  stageScore(i: FcnStageIndex, features: Tensor4D): Tensor4D | undefined {
    const layer = i === 0 ? this.scorePool3 : i === 1 ? this.scorePool4 : this.scoreFr;
    return layer?.forward(features);
  }

  /**
   * Skip fusion (§4.2) of the stage scores this stride uses, finest first (8s: pool3, pool4, fr;
   * 16s: pool4, fr; 32s: fr), cropped to `like`'s `[N, H, W, *]` grid: class scores `[N, H, W, C]`.
   */
  fuseScores(scores: readonly Tensor4D[], like: Tensor4D): Tensor4D {
    const expected = this.stride === 8 ? 3 : this.stride === 16 ? 2 : 1;
    if (scores.length !== expected) throw new Error(`FCN-${this.stride}s fuses ${expected} score maps, got ${scores.length}`);
    return tf.tidy(() => {
      const [fr, pool4, pool3] = [...scores].reverse();
      let score = fr as Tensor4D;
      let offset = 19;
      if (this.upscore2 && pool4) {
        const up = this.upscore2.forward(score);
        score = tf.add(up, cropLike(pool4, up, 5));
        offset = 27;
      }
      if (this.upscorePool4 && pool3) {
        const up = this.upscorePool4.forward(score);
        score = tf.add(up, cropLike(pool3, up, 9));
        offset = 31;
      }
      // Final upsampling fixed to bilinear (not a parameter; computed separably per channel).
      return cropLike(bilinearUpsample(score, this.finalFactor), like, offset);
    });
  }

  /** {@link stageFeatures} and {@link stageScore} of stage `i` as ONNX nodes (one Clockwork stage graph). */
  stageToOnnx(i: FcnStageIndex, g: OnnxGraph, input: string): { features: string; score?: string } {
    const features = this.backbone.stageToOnnx(i, g, input);
    const layer = i === 0 ? this.scorePool3 : i === 1 ? this.scorePool4 : this.scoreFr;
    return { features, ...(layer ? { score: layer.toOnnx(g, features) } : {}) };
  }

  /**
   * {@link fuseScores} as ONNX nodes: learned 2x `ConvTranspose`s, `Slice` crops and `Add`s, then the
   * fixed bilinear upsampling and final crop to `[H, W]` as two `MatMul`s ({@link fcnUpsampleMatrix}).
   */
  fuseScoresToOnnx(g: OnnxGraph, scores: readonly string[], [h, w]: readonly [number, number]): string {
    const expected = this.stride === 8 ? 3 : this.stride === 16 ? 2 : 1;
    if (scores.length !== expected) throw new Error(`FCN-${this.stride}s fuses ${expected} score maps, got ${scores.length}`);
    const [fr, pool4, pool3] = [...scores].reverse();
    let score = fr as string;
    let offset = 19;
    const fuse = (up: string, skip: string, at: number) => {
      const [, , uh, uw] = g.nchw(up, 'FCN fusion');
      return onnx.add(g, up, onnx.crop(g, skip, [uh, uw], [at, at]));
    };
    if (this.upscore2 && pool4) {
      score = fuse(this.upscore2.toOnnx(g, score), pool4, 5);
      offset = 27;
    }
    if (this.upscorePool4 && pool3) {
      score = fuse(this.upscorePool4.toOnnx(g, score), pool3, 9);
      offset = 31;
    }
    const [, , sh, sw] = g.nchw(score, 'FCN upsampling');
    const f = this.finalFactor;
    return onnx.separable(g, score, fcnUpsampleMatrix(sh, f, offset, h), fcnUpsampleMatrix(sw, f, offset, w), [h, w], 'upscore_final');
  }

  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'FCN');
    const scores: string[] = [];
    let features = x;
    for (const i of FCN_STAGES) {
      const s = this.stageToOnnx(i, g, features);
      features = s.features;
      if (s.score) scores.push(s.score);
    }
    return this.fuseScoresToOnnx(g, scores, [h, w]);
  }
}

/**
 * FCN's fixed final upsampling (a transposed convolution with the bilinear tent of `factor`, no
 * padding: `(n - 1) * factor + k` outputs) followed by the Caffe crop, along one axis, as a
 * `[out, n]` matrix: row `o` holds the tent weights of output `o + offset`. Applied to rows and
 * columns (two `MatMul`s) it is `cropLike(bilinearUpsample(x, factor), like, offset)` exactly.
 */
export function fcnUpsampleMatrix(n: number, factor: number, offset: number, out: number): Float32Array {
  const tent = bilinearKernel1d(factor);
  const full = (n - 1) * factor + tent.length;
  if (offset < 0 || offset + out > full) throw new Error(`FCN: cannot crop ${out} at offset ${offset} from the ${full} values that upsampling ${n} by ${factor} gives`);
  const m = new Float32Array(out * n);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < n; i++) {
      const t = o + offset - i * factor;
      if (t >= 0 && t < tent.length) m[o * n + i] = tent[t] ?? 0;
    }
  }
  return m;
}

/** Clockwork stage indices of FCN: 0 = conv1-pool3, 1 = conv4-pool4, 2 = conv5-fc7. */
export type FcnStageIndex = 0 | 1 | 2;
export const FCN_STAGES: readonly FcnStageIndex[] = [0, 1, 2];
