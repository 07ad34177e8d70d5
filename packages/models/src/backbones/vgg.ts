/**
 * VGG-16 (Simonyan & Zisserman, ICLR 2015) in the variants the segmentation papers use, with
 * Caffe's layer names (conv1_1 ... conv5_3, fc6, fc7):
 * - FCN (Long et al., CVPR 2015 §3.1, §4.1): 100-pixel padding on conv1_1, ceil-mode pooling,
 *   fc6/fc7 as 7x7 and 1x1 convolutions.
 * - Dilation front-end (Yu & Koltun, ICLR 2016 §4): pool4 and pool5 removed, conv5 dilated by 2,
 *   fc6 dilated by 4; output stride 8.
 * - Encoder for DeconvNet/SegNet: BatchNorm after each conv, pooling with switches.
 * A width multiplier scales every stage for CPU-sized "-lite" variants.
 */
import { maxPoolWithSwitches, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type Dim, type OnnxGraph } from '@pixelwise/core/onnx';
import { Dropout } from '../layers/activations.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv.js';
import { MaxPool2d } from '../layers/pooling.js';
import { Layer, Module, type ForwardContext } from '../module.js';
import { scaleWidth } from './backbone.js';
import { fcnReducedPadding, repeatRows } from './fcn-padding.js';

export const VGG16_STAGES = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
] as const;

export interface VggStageOptions {
  width: number;
  batchNorm: boolean;
  /** Padding of conv1_1 (FCN: 100). Default 1. */
  firstPadding?: number;
  /** Dilation of each stage (Dilation front-end: [1,1,1,1,2]). */
  dilations?: number[];
  inChannels?: number;
}

/** One conv (+BN) + ReLU unit, named like Caffe's `convX_Y` (with `bn` inside when used). */
class ConvUnit extends Layer {
  private readonly conv: Conv2d;
  private readonly bn?: BatchNorm2d;
  constructor(cin: number, cout: number, padding: number, dilation: number, batchNorm: boolean) {
    super();
    this.conv = this.add('conv', new Conv2d(cin, cout, { kernel: 3, padding, dilation, bias: !batchNorm }));
    if (batchNorm) this.bn = this.add('bn', new BatchNorm2d(cout));
  }
  forward(x: Tensor4D, ctx: ForwardContext, padding?: number): Tensor4D {
    return tf.tidy(() => {
      const y = padding === undefined ? this.conv.forward(x) : this.conv.forwardPadded(x, padding);
      return tf.relu(this.bn ? this.bn.forward(y, ctx) : y) as Tensor4D;
    });
  }
  /** `padding` replaces the convolution's own (see `fcn-padding.ts`). */
  override toOnnx(g: OnnxGraph, x: string, padding?: number): string {
    return onnx.relu(g, this.conv.toOnnx(g, x, this.bn?.batchNormParams(), padding));
  }
}

/** The five convolution stages of VGG-16 (no pooling): `stage(i)` maps stage input to output. */
export class VggStages extends Module {
  readonly stageChannels: number[];
  private readonly stageUnits: ConvUnit[][] = [];
  constructor(o: VggStageOptions) {
    super();
    let cin = o.inChannels ?? 3;
    this.stageChannels = [];
    VGG16_STAGES.forEach((widths, s) => {
      const units: ConvUnit[] = [];
      widths.forEach((w, j) => {
        const cout = scaleWidth(w, o.width, 4, 4);
        const d = o.dilations?.[s] ?? 1;
        const pad = s === 0 && j === 0 ? (o.firstPadding ?? 1) : d;
        units.push(this.add(`conv${s + 1}_${j + 1}`, new ConvUnit(cin, cout, pad, d, o.batchNorm)));
        cin = cout;
      });
      this.stageUnits.push(units);
      this.stageChannels.push(cin);
    });
  }
  /** Stage `i`; `firstPadding` replaces conv1_1's padding (stage 0 only). */
  stage(i: number, x: Tensor4D, ctx: ForwardContext, firstPadding?: number): Tensor4D {
    return (this.stageUnits[i] ?? []).reduce((y, u, j) => u.forward(y, ctx, i === 0 && j === 0 ? firstPadding : undefined), x);
  }
  /** {@link stage} as ONNX nodes; `firstPadding` replaces conv1_1's padding (stage 0 only). */
  stageToOnnx(i: number, g: OnnxGraph, x: string, firstPadding?: number): string {
    return (this.stageUnits[i] ?? []).reduce((y, u, j) => u.toOnnx(g, y, i === 0 && j === 0 ? firstPadding : undefined), x);
  }
}

/** fc6 (7x7, optionally dilated) and fc7 (1x1) as convolutions with ReLU and dropout 0.5. */
export class FullyConvolutional extends Module {
  private readonly fc6: Conv2d;
  private readonly fc7: Conv2d;
  private readonly drop = new Dropout(0.5);
  readonly outChannels: number;
  constructor(inChannels: number, width: number, options: { kernel?: number; dilation?: number; padding?: number } = {}) {
    super();
    const fc = scaleWidth(4096, width, 8, 8);
    const k = options.kernel ?? 7;
    this.fc6 = this.add('fc6', new Conv2d(inChannels, fc, { kernel: k, dilation: options.dilation ?? 1, padding: options.padding ?? 0 }));
    this.fc7 = this.add('fc7', new Conv2d(fc, fc, { kernel: 1 }));
    this.outChannels = fc;
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const y = this.drop.forward(tf.relu(this.fc6.forward(x)) as Tensor4D, ctx);
      return this.drop.forward(tf.relu(this.fc7.forward(y)) as Tensor4D, ctx);
    });
  }
  /** Dropout is the identity in evaluation mode. */
  toOnnx(g: OnnxGraph, x: string): string {
    return onnx.relu(g, this.fc7.toOnnx(g, onnx.relu(g, this.fc6.toOnnx(g, x))));
  }
}

/** FCN's VGG-16: returns pool3 (/8), pool4 (/16) and fc7 (/32) for the skip architectures. */
export class FcnVgg16 extends Module {
  readonly outChannels: [number, number, number];
  private readonly convs: VggStages;
  private readonly fc: FullyConvolutional;
  private readonly pool = new MaxPool2d(2, 2, 0, true);
  constructor(width = 1) {
    super();
    this.convs = this.add('features', new VggStages({ width, batchNorm: false, firstPadding: 100 }));
    this.fc = this.add('classifier', new FullyConvolutional(this.convs.stageChannels[4] ?? 512, width));
    this.outChannels = [this.convs.stageChannels[2] ?? 256, this.convs.stageChannels[3] ?? 512, this.fc.outChannels];
  }
  features(x: Tensor4D, ctx: ForwardContext): { pool3: Tensor4D; pool4: Tensor4D; fc7: Tensor4D } {
    const pool3 = this.stage(0, x, ctx);
    const pool4 = this.stage(1, pool3, ctx);
    return { pool3, pool4, fc7: this.stage(2, pool4, ctx) };
  }
  /**
   * The three stages that skip fusion reads (the split of Clockwork convnets, Shelhamer et al.
   * 2016 §3): 0 = image -> pool3 (/8), 1 = pool3 -> pool4 (/16), 2 = pool4 -> fc7 (/32).
   */
  stage(i: 0 | 1 | 2, x: Tensor4D, ctx: ForwardContext): Tensor4D {
    const block = (s: number, y: Tensor4D, firstPadding?: number) => this.pool.forward(this.convs.stage(s, y, ctx, firstPadding));
    if (i === 0) {
      // Stage 1 pads conv1_1 by less than 100 and repeats constant pool3 rows instead: the same
      // values (and, through the repeats, the same gradients), ~0.6x the work at 192x192 (`fcn-padding.ts`).
      const [rows, cols] = [fcnReducedPadding(x.shape[1]), fcnReducedPadding(x.shape[2])];
      return tf.tidy(() => repeatRows(repeatRows(block(2, block(1, block(0, x, rows.padding))), 1, rows.rows), 2, cols.rows));
    }
    if (i === 1) return block(3, x);
    return this.fc.forward(block(4, x), ctx);
  }
  /** Stage 1 as Caffe's FCN computes it, with all 100 pixels of padding: what {@link stage} 0 equals (tests). */
  fullyPaddedStage1(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => [0, 1, 2].reduce((y, s) => this.pool.forward(this.convs.stage(s, y, ctx)), x));
  }
  featuresToOnnx(g: OnnxGraph, x: string): { pool3: string; pool4: string; fc7: string } {
    const pool3 = this.stageToOnnx(0, g, x);
    const pool4 = this.stageToOnnx(1, g, pool3);
    return { pool3, pool4, fc7: this.stageToOnnx(2, g, pool4) };
  }
  /**
   * {@link stage} as ONNX nodes (one graph per Clockwork stage, or all three in one). Stage 0 pads
   * conv1_1 by less than 100 and repeats constant pool3 rows instead: the same values, about half
   * the work at 128x128 (`fcn-padding.ts`).
   */
  stageToOnnx(i: 0 | 1 | 2, g: OnnxGraph, x: string): string {
    const block = (s: number, y: string, firstPadding?: number) => this.pool.toOnnx(g, this.convs.stageToOnnx(s, g, y, firstPadding));
    if (i === 0) {
      const [, , h, w] = g.nchw(x, 'FCN stage 1');
      const [rows, cols] = [fcnReducedPadding(h), fcnReducedPadding(w)];
      const reduced = block(2, block(1, block(0, x, rows.padding)));
      const [n, c, , rw] = g.nchw(reduced, 'FCN pool3');
      const expand = (y: string, at: number[], axis: 2 | 3, dims: Dim[]) => g.node1('Gather', [y, g.int64s(at, 'pad_rows')], { axis }, { dtype: 'float32', dims });
      return expand(expand(reduced, rows.rows, 2, [n, c, rows.rows.length, rw]), cols.rows, 3, [n, c, rows.rows.length, cols.rows.length]);
    }
    if (i === 1) return block(3, x);
    return this.fc.toOnnx(g, block(4, x));
  }
}

/** The Dilation front-end's VGG-16: pool4/pool5 removed, conv5 dilation 2, fc6 dilation 4 (/8). */
export class DilatedVgg16 extends Module {
  readonly outChannels: number;
  private readonly convs: VggStages;
  private readonly fc: FullyConvolutional;
  private readonly pool = new MaxPool2d(2, 2, 0, true);
  constructor(width = 1) {
    super();
    this.convs = this.add('features', new VggStages({ width, batchNorm: false, dilations: [1, 1, 1, 1, 2] }));
    this.fc = this.add('classifier', new FullyConvolutional(this.convs.stageChannels[4] ?? 512, width, { kernel: 7, dilation: 4, padding: 12 }));
    this.outChannels = this.fc.outChannels;
  }
  features(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    let y = x;
    for (let s = 0; s < 5; s++) {
      y = this.convs.stage(s, y, ctx);
      if (s < 3) y = this.pool.forward(y);
    }
    return this.fc.forward(y, ctx);
  }
  featuresToOnnx(g: OnnxGraph, x: string): string {
    let y = x;
    for (let s = 0; s < 5; s++) {
      y = this.convs.stageToOnnx(s, g, y);
      if (s < 3) y = this.pool.toOnnx(g, y);
    }
    return this.fc.toOnnx(g, y);
  }
}

/** VGG-16 with BatchNorm whose pooling keeps switches (DeconvNet and SegNet encoders). */
export class SwitchVgg16 extends Module {
  readonly stageChannels: number[];
  private readonly convs: VggStages;
  constructor(width = 1) {
    super();
    this.convs = this.add('encoder', new VggStages({ width, batchNorm: true }));
    this.stageChannels = this.convs.stageChannels;
  }
  /** Per stage: pooled output, switches and the pre-pool size (for unpooling). */
  encode(x: Tensor4D, ctx: ForwardContext): Array<{ pooled: Tensor4D; switches: Tensor4D; size: [number, number] }> {
    const out: Array<{ pooled: Tensor4D; switches: Tensor4D; size: [number, number] }> = [];
    let y = x;
    for (let s = 0; s < 5; s++) {
      const conv = this.convs.stage(s, y, ctx);
      const { output, switches } = maxPoolWithSwitches(conv, { size: 2 });
      out.push({ pooled: output, switches, size: [conv.shape[1], conv.shape[2]] });
      y = output;
    }
    return out;
  }
  /**
   * {@link encode} as ONNX nodes. The switches are `MaxPool`'s `Indices`, counted over the whole
   * NCHW tensor as `MaxUnpool` reads them (not core's per-plane encoding).
   */
  encodeToOnnx(g: OnnxGraph, x: string): Array<{ pooled: string; indices: string; size: [number, number] }> {
    const out: Array<{ pooled: string; indices: string; size: [number, number] }> = [];
    let y = x;
    for (let s = 0; s < 5; s++) {
      const conv = this.convs.stageToOnnx(s, g, y);
      const [, , h, w] = g.nchw(conv, 'SwitchVgg16');
      const { output, indices } = onnx.maxPoolWithIndices(g, conv, { kernel: 2 });
      out.push({ pooled: output, indices, size: [h, w] });
      y = output;
    }
    return out;
  }
}
