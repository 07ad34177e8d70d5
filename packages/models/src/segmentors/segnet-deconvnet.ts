/**
 * Encoder-decoder networks that upsample with pooling switches:
 * - DeconvNet (Noh, Hong & Han, "Learning Deconvolution Network for Semantic Segmentation",
 *   ICCV 2015 §3): VGG-16 encoder with BatchNorm, fc6 (7x7) / fc7 (1x1), a 7x7 deconvolution
 *   back to the pool5 grid, then a mirrored decoder of unpooling + 3x3 deconvolution layers.
 * - SegNet (Badrinarayanan, Kendall & Cipolla, TPAMI 2017 §3): the same encoder without fc
 *   layers; the decoder reuses the encoder's max-pooling indices to unpool, then 3x3 conv + BN +
 *   ReLU; a final classifier per pixel.
 * Inputs must be divisible by 32 (DeconvNet: at least 224 for its 7x7 fc6).
 */
import { maxUnpool, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { scaleWidth } from '../backbones/backbone.js';
import { SwitchVgg16, VGG16_STAGES } from '../backbones/vgg.js';
import { Dropout } from '../layers/activations.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d, ConvTranspose2d } from '../layers/conv.js';
import { Layer, Module, type ForwardContext } from '../module.js';
import { Segmentor, type SegmentorOutput } from './segmentor.js';

export interface SegNetOptions {
  numClasses?: number;
  width?: number;
}

/** Decoder unit: 3x3 (de)convolution + BN + ReLU. DeconvNet uses transposed convs, SegNet convs. */
class DecoderUnit extends Layer {
  private readonly conv: Conv2d | ConvTranspose2d;
  private readonly bn: BatchNorm2d;
  constructor(cin: number, cout: number, transposed: boolean) {
    super();
    this.conv = this.add(transposed ? 'deconv' : 'conv', transposed ? new ConvTranspose2d(cin, cout, { kernel: 3, stride: 1, padding: 1, bias: true }) : new Conv2d(cin, cout, { kernel: 3, padding: 1 }));
    this.bn = this.add('bn', new BatchNorm2d(cout));
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => tf.relu(this.bn.forward(this.conv.forward(x, ctx), ctx)) as Tensor4D);
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return onnx.relu(g, this.conv.toOnnx(g, x, this.bn.batchNormParams()));
  }
}

/** One encoder stage's pooled map as the decoder reads it in ONNX: its `MaxPool` indices and pre-pool size. */
interface OnnxSkip {
  indices: string;
  size: [number, number];
}

/** The mirrored decoder: for stage 5..1, unpool with that stage's switches, then its units. */
class MirroredDecoder extends Module {
  private readonly stages: DecoderUnit[][] = [];
  readonly outChannels: number;
  constructor(width: number, transposed: boolean) {
    super();
    const ch = VGG16_STAGES.map((s) => s.map((c) => scaleWidth(c, width, 4, 4)));
    // Stage s decodes from its encoder width to the previous stage's width (stage 1: to its own).
    for (let s = 4; s >= 0; s--) {
      const widths = ch[s] ?? [];
      const target = s > 0 ? (ch[s - 1]?.[ch[s - 1]!.length - 1] ?? 64) : (widths[0] ?? 64);
      const units: DecoderUnit[] = [];
      widths.forEach((w, j) => {
        const cout = j === widths.length - 1 ? target : w;
        units.push(this.add(`${transposed ? 'deconv' : 'dec'}${s + 1}_${widths.length - j}`, new DecoderUnit(w, cout, transposed)));
      });
      this.stages.push(units);
    }
    this.outChannels = ch[0]?.[0] ?? 64;
  }
  decode(x: Tensor4D, skips: Array<{ switches: Tensor4D; size: [number, number] }>, ctx: ForwardContext): Tensor4D {
    let y = x;
    this.stages.forEach((units, i) => {
      const skip = skips[4 - i];
      if (!skip) throw new Error('decoder: missing switches');
      y = maxUnpool(y, skip.switches, skip.size);
      for (const u of units) y = u.forward(y, ctx);
    });
    return y;
  }
  /** {@link decode} as ONNX nodes: `MaxUnpool` with the encoder's whole-tensor indices, then the units. */
  decodeToOnnx(g: OnnxGraph, x: string, skips: readonly OnnxSkip[]): string {
    let y = x;
    this.stages.forEach((units, i) => {
      const skip = skips[4 - i];
      if (!skip) throw new Error('decoder: missing switches');
      // 2x2 windows at stride 2 do not overlap, so ONNX's MaxUnpool equals core's exactly.
      y = onnx.maxUnpool(g, y, skip.indices, { kernel: 2, outputSize: skip.size });
      for (const u of units) y = u.toOnnx(g, y);
    });
    return y;
  }
}

function checkSize([h, w]: readonly [number, number], name: string, min: number): void {
  if (h % 32 !== 0 || w % 32 !== 0 || h < min || w < min) {
    throw new Error(`${name}: input height and width must be multiples of 32 and at least ${min}, got ${h}x${w}`);
  }
}

export class SegNet extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  private readonly encoder: SwitchVgg16;
  private readonly decoder: MirroredDecoder;
  private readonly classifier: Conv2d;
  constructor(options: SegNetOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    const width = options.width ?? 1;
    this.encoder = this.add('encoder', new SwitchVgg16(width));
    this.decoder = this.add('decoder', new MirroredDecoder(width, false));
    this.classifier = this.add('classifier', new Conv2d(this.decoder.outChannels, this.numClasses, { kernel: 3, padding: 1 }));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    checkSize([x.shape[1], x.shape[2]], 'SegNet', 32);
    return tf.tidy(() => {
      const stages = this.encoder.encode(x, ctx);
      const bottom = stages[4]?.pooled as Tensor4D;
      return { out: this.classifier.forward(this.decoder.decode(bottom, stages, ctx)), aux: [] };
    });
  }
  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'SegNet');
    checkSize([h, w], 'SegNet', 32);
    const stages = this.encoder.encodeToOnnx(g, x);
    return this.classifier.toOnnx(g, this.decoder.decodeToOnnx(g, stages[4]?.pooled as string, stages));
  }
}

export class DeconvNet extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  private readonly encoder: SwitchVgg16;
  private readonly fc6: Conv2d;
  private readonly fc7: Conv2d;
  private readonly bn6: BatchNorm2d;
  private readonly bn7: BatchNorm2d;
  private readonly deconvFc6: ConvTranspose2d;
  private readonly bnDeconvFc6: BatchNorm2d;
  private readonly drop = new Dropout(0.5);
  private readonly decoder: MirroredDecoder;
  private readonly score: Conv2d;
  constructor(options: SegNetOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    const width = options.width ?? 1;
    this.encoder = this.add('encoder', new SwitchVgg16(width));
    const c5 = this.encoder.stageChannels[4] ?? 512;
    const fc = scaleWidth(4096, width, 8, 8);
    this.fc6 = this.add('fc6', new Conv2d(c5, fc, { kernel: 7, bias: false }));
    this.bn6 = this.add('fc6_bn', new BatchNorm2d(fc));
    this.fc7 = this.add('fc7', new Conv2d(fc, fc, { kernel: 1, bias: false }));
    this.bn7 = this.add('fc7_bn', new BatchNorm2d(fc));
    this.deconvFc6 = this.add('deconv_fc6', new ConvTranspose2d(fc, c5, { kernel: 7, stride: 1 }));
    this.bnDeconvFc6 = this.add('deconv_fc6_bn', new BatchNorm2d(c5));
    this.decoder = this.add('decoder', new MirroredDecoder(width, true));
    this.score = this.add('score', new Conv2d(this.decoder.outChannels, this.numClasses, { kernel: 1 }));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    checkSize([x.shape[1], x.shape[2]], 'DeconvNet', 224);
    return tf.tidy(() => {
      const stages = this.encoder.encode(x, ctx);
      const pool5 = stages[4]?.pooled as Tensor4D;
      let y = this.drop.forward(tf.relu(this.bn6.forward(this.fc6.forward(pool5), ctx)) as Tensor4D, ctx);
      y = this.drop.forward(tf.relu(this.bn7.forward(this.fc7.forward(y), ctx)) as Tensor4D, ctx);
      y = tf.relu(this.bnDeconvFc6.forward(this.deconvFc6.forward(y), ctx)) as Tensor4D;
      return { out: this.score.forward(this.decoder.decode(y, stages, ctx)), aux: [] };
    });
  }
  /** BatchNorm folded into fc6, fc7 and the 7x7 deconvolution; dropout is the identity. */
  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'DeconvNet');
    checkSize([h, w], 'DeconvNet', 224);
    const stages = this.encoder.encodeToOnnx(g, x);
    let y = onnx.relu(g, this.fc6.toOnnx(g, stages[4]?.pooled as string, this.bn6.batchNormParams()));
    y = onnx.relu(g, this.fc7.toOnnx(g, y, this.bn7.batchNormParams()));
    y = onnx.relu(g, this.deconvFc6.toOnnx(g, y, this.bnDeconvFc6.batchNormParams()));
    return this.score.toOnnx(g, this.decoder.decodeToOnnx(g, y, stages));
  }
}
