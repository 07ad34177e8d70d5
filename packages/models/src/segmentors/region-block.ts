/**
 * The residual block of Deep Layer Cascade (Li et al., CVPR 2017 §3.2) that can be evaluated on a
 * region only: inside the region it computes `relu(x + F(x))` with F's two 3x3 convolutions (+ BN)
 * evaluated only there (zero elsewhere), outside it passes its input through.
 *
 * Three evaluations: dense (no region), masked (dense convolution, then the mask: what training
 * uses) and sparse (region convolution, the cost following the region). On ONNX Runtime the
 * masked form is one dense graph (`toOnnx`, the whole-model export), and the sparse form works on
 * pixel rows with the region's taps as graph inputs (`regionToOnnx`: Gather -> MatMul -> ScatterND).
 */
import { regionConv2d, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv.js';
import { Module, type ForwardContext } from '../module.js';
import { onnxName } from '../onnx/names.js';
import { onnxVector, onnxWeights } from '../onnx/weights.js';

/** The region of a stage as ONNX graph inputs (see `onnx.regionTaps`): taps `[P, 9]` and centres `[P, 1]`, int64. */
export interface OnnxRegion {
  taps: string;
  centers: string;
}

export class RegionBlock extends Module {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  constructor(
    readonly channels: number,
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

  /** Multiply-adds per pixel of the block's two convolutions. */
  get macsPerPixel(): number {
    return 2 * 9 * this.conv1.kernelShape[2] * this.conv1.kernelShape[3];
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

  /**
   * The dense or masked forward as ONNX nodes (BatchNorm folded): `mask` a float 0/1 value
   * `[N, 1, h, w]` or none. Masking after BN + ReLU equals the masked forward, whose BN acts on
   * zeros outside the region and is masked again.
   */
  toOnnx(g: OnnxGraph, x: string, mask?: string): string {
    const m = (t: string) => (mask ? onnx.mul(g, t, mask) : t);
    const h = m(onnx.relu(g, this.conv1.toOnnx(g, x, this.bn1.batchNormParams())));
    const f = m(this.conv2.toOnnx(g, h, this.bn2.batchNormParams()));
    const inside = onnx.relu(g, onnx.add(g, x, f));
    if (!mask) return inside;
    return onnx.add(g, onnx.mul(g, inside, mask), onnx.mul(g, x, onnx.sub(g, g.scalar(1), mask)));
  }

  /** A 3x3 convolution with its BatchNorm folded, as the matrix region convolution multiplies by. */
  private regionWeights(conv: Conv2d, bn: BatchNorm2d): { matrix: ReturnType<typeof onnx.regionConvMatrix>; bias: Float32Array } {
    const folded = onnx.foldBatchNorm(onnxWeights(conv.weight, 'conv'), conv.bias ? onnxVector(conv.bias) : undefined, bn.batchNormParams(), 0);
    return { matrix: onnx.regionConvMatrix(folded.weight), bias: folded.bias };
  }

  /**
   * The sparse forward on pixel rows (`onnx.pixelRows` of the stage's map, padded by `dilation`):
   * both convolutions gathered at the region's taps, multiplied and scattered (the hidden map is
   * zero outside the region, as in `forward`), the residual `relu(x + F)` written back at the
   * region's pixels; every other row passes through. Returns the new rows.
   */
  regionToOnnx(g: OnnxGraph, rows: string, region: OnnxRegion): string {
    const [count, c] = g.dims(rows) as [number, number];
    const name = onnxName(this, 'region_block');
    const hidden = onnx.relu(g, onnx.regionConv(g, rows, region.taps, { ...this.regionWeights(this.conv1, this.bn1), name: `${name}.conv1` }));
    const hiddenRows = onnx.scatterRows(g, onnx.zeroRows(g, count, c), region.centers, hidden);
    const f = onnx.regionConv(g, hiddenRows, region.taps, { ...this.regionWeights(this.conv2, this.bn2), name: `${name}.conv2` });
    const inside = onnx.relu(g, onnx.add(g, onnx.gatherRows(g, rows, region.centers), f));
    return onnx.scatterRows(g, rows, region.centers, inside);
  }
}

/** One cascade stage: residual region blocks at one dilation. */
export class CascadeStage extends Module {
  readonly blocks: RegionBlock[];
  constructor(
    channels: number,
    count: number,
    readonly dilation: number,
  ) {
    super();
    this.blocks = Array.from({ length: count }, (_, i) => this.add(String(i), new RegionBlock(channels, dilation)));
  }
  /** Multiply-adds per pixel of the stage's blocks. */
  get macsPerPixel(): number {
    return this.blocks.reduce((a, b) => a + b.macsPerPixel, 0);
  }
}
