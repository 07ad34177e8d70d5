/**
 * The decode heads of torchvision's segmentation models, with its module names:
 * FCNHead (Long et al.), DeepLabHead with ASPP (Chen et al., "Rethinking Atrous Convolution",
 * 2017 §3.3), and LRASPPHead (Howard et al., ICCV 2019 §6.4). Each is a {@link DecodeHead}: the
 * base owns input selection, dropout + the 1x1 classifier (torchvision's index `4`) and resizing.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { Activation, Dropout } from '../layers/activations.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv.js';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { AdaptiveAvgPool2d } from '../layers/pooling.js';
import { upsampleTo } from '../layers/resize.js';
import { Layer, Module, Sequential, type ForwardContext } from '../module.js';
import { DecodeHead } from './decode-head.js';

/** torchvision `FCNHead`: 3x3 conv to in/4 `0`, BN `1`, ReLU `2`, Dropout(0.1) `3`, 1x1 classifier `4`. */
export class FCNHead extends DecodeHead {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm2d;
  constructor(inChannels: number, numClasses: number, inIndex = 4) {
    super({ inIndex, numClasses, dropout: 0.1, dropoutName: '3', classifierName: '4' });
    const inter = Math.floor(inChannels / 4);
    this.conv = this.add('0', new Conv2d(inChannels, inter, { kernel: 3, padding: 1, bias: false }));
    this.bn = this.add('1', new BatchNorm2d(inter));
    this.add('2', new Activation('relu'));
    this.addClassifier(inter);
  }
  protected decode([x]: Tensor4D[], ctx: ForwardContext): Tensor4D {
    return tf.relu(this.bn.forward(this.conv.forward(x as Tensor4D), ctx));
  }
  protected override decodeToOnnx(g: OnnxGraph, [x]: string[]): string {
    return onnx.relu(g, this.conv.toOnnx(g, x as string, this.bn.batchNormParams()));
  }
}

/** ASPP image-pooling branch: global average, 1x1 conv, BN, ReLU, upsampled back. */
class ASPPPooling extends Sequential {
  constructor(inChannels: number, outChannels: number) {
    super([new AdaptiveAvgPool2d([1, 1]), new Conv2d(inChannels, outChannels, { kernel: 1, bias: false }), new BatchNorm2d(outChannels), new Activation('relu')]);
  }
  override forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => upsampleTo(super.forward(x, ctx), [x.shape[1], x.shape[2]]));
  }
  /** `GlobalAveragePool`, 1x1 conv with BN folded, ReLU, `Resize` back (a constant map). */
  override toOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'ASPPPooling');
    return onnx.resize(g, super.toOnnx(g, x), [h, w]);
  }
}

class ModuleList extends Module {
  readonly items: Layer[];
  constructor(items: Layer[]) {
    super();
    this.items = items.map((m, i) => this.add(String(i), m));
  }
}

/** Atrous spatial pyramid pooling: 1x1 branch, three dilated 3x3 branches, image pooling; projected. */
export class ASPP extends Layer {
  private readonly convs: ModuleList;
  private readonly project: Sequential;
  constructor(inChannels: number, rates: [number, number, number], outChannels = 256) {
    super();
    this.convs = this.add(
      'convs',
      new ModuleList([
        new ConvNormAct(inChannels, outChannels, { kernel: 1 }),
        ...rates.map((r) => new ConvNormAct(inChannels, outChannels, { kernel: 3, dilation: r, padding: r })),
        new ASPPPooling(inChannels, outChannels),
      ]),
    );
    this.project = this.add('project', new Sequential([new Conv2d(5 * outChannels, outChannels, { kernel: 1, bias: false }), new BatchNorm2d(outChannels), new Activation('relu'), new Dropout(0.5)]));
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => this.project.forward(tf.concat(this.convs.items.map((c) => c.forward(x, ctx)), 3), ctx));
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return this.project.toOnnx(g, onnx.concat(g, this.convs.items.map((c) => c.toOnnx(g, x)), 1));
  }
}

/** torchvision `DeepLabHead`: ASPP(12, 24, 36) `0`, 3x3 conv `1`, BN `2`, ReLU `3`, 1x1 classifier `4`. */
export class DeepLabHead extends DecodeHead {
  private readonly aspp: ASPP;
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm2d;
  constructor(inChannels: number, numClasses: number, rates: [number, number, number] = [12, 24, 36], inIndex = 4) {
    super({ inIndex, numClasses, dropout: 0, classifierName: '4' });
    this.aspp = this.add('0', new ASPP(inChannels, rates));
    this.conv = this.add('1', new Conv2d(256, 256, { kernel: 3, padding: 1, bias: false }));
    this.bn = this.add('2', new BatchNorm2d(256));
    this.add('3', new Activation('relu'));
    this.addClassifier(256);
  }
  protected decode([x]: Tensor4D[], ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => tf.relu(this.bn.forward(this.conv.forward(this.aspp.forward(x as Tensor4D, ctx)), ctx)));
  }
  protected override decodeToOnnx(g: OnnxGraph, [x]: string[]): string {
    return onnx.relu(g, this.conv.toOnnx(g, this.aspp.toOnnx(g, x as string), this.bn.batchNormParams()));
  }
}

/**
 * torchvision `LRASPPHead`: high-level features gated by their global context, plus a low-level
 * classifier; reads `[low, high]` and returns scores on the low-level grid.
 */
export class LRASPPHead extends DecodeHead {
  private readonly cbr: Sequential;
  private readonly scale: Sequential;
  private readonly lowClassifier: Conv2d;
  private readonly highClassifier: Conv2d;
  constructor(lowChannels: number, highChannels: number, numClasses: number, inIndex: readonly [number, number], inter = 128) {
    super({ inIndex, numClasses });
    this.cbr = this.add('cbr', new Sequential([new Conv2d(highChannels, inter, { kernel: 1, bias: false }), new BatchNorm2d(inter), new Activation('relu')]));
    this.scale = this.add('scale', new Sequential([new AdaptiveAvgPool2d([1, 1]), new Conv2d(highChannels, inter, { kernel: 1, bias: false }), new Activation('sigmoid')]));
    this.lowClassifier = this.add('low_classifier', new Conv2d(lowChannels, numClasses, { kernel: 1 }));
    this.highClassifier = this.add('high_classifier', new Conv2d(inter, numClasses, { kernel: 1 }));
    this.addClassifier(0);
  }
  protected decode([low, high]: Tensor4D[], ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const l = low as Tensor4D;
      const h = high as Tensor4D;
      const x = tf.mul(this.cbr.forward(h, ctx), this.scale.forward(h, ctx)) as Tensor4D;
      const up = upsampleTo(x, [l.shape[1], l.shape[2]]);
      return tf.add(this.lowClassifier.forward(l), this.highClassifier.forward(up));
    });
  }
  protected override decodeToOnnx(g: OnnxGraph, [low, high]: string[]): string {
    const [l, h] = [low as string, high as string];
    const [, , lh, lw] = g.nchw(l, 'LRASPPHead');
    const up = onnx.resize(g, onnx.mul(g, this.cbr.toOnnx(g, h), this.scale.toOnnx(g, h)), [lh, lw]);
    return onnx.add(g, this.lowClassifier.toOnnx(g, l), this.highClassifier.toOnnx(g, up));
  }
}
