/**
 * ResNet-18/50 in torchvision's layout (He et al., CVPR 2016), with dilation as configuration
 * (`replace_stride_with_dilation`) for output stride 8/16/32, and a width multiplier for CPU-sized
 * variants. State-dict names match torchvision: conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, ...
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { Activation } from '../layers/activations.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv.js';
import { MaxPool2d } from '../layers/pooling.js';
import { Layer, Sequential, type ForwardContext } from '../module.js';
import { Backbone, scaleWidth } from './backbone.js';

export type ResNetDepth = 18 | 50;

export interface ResNetOptions {
  depth: ResNetDepth;
  /** Output stride 8 (layers 3-4 dilated), 16 (layer 4 dilated) or 32. Default 32. */
  outputStride?: 8 | 16 | 32;
  /** Width multiplier of the stage widths 64/128/256/512. Default 1. */
  width?: number;
  inChannels?: number;
}

class BasicBlock extends Layer {
  static expansion = 1;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly downsample?: Sequential;
  constructor(inplanes: number, planes: number, stride: number, dilation: number, downsample?: Sequential) {
    super();
    // Dilation on the first conv as mmsegmentation does (torchvision's BasicBlock has none).
    this.conv1 = this.add('conv1', new Conv2d(inplanes, planes, { kernel: 3, stride, padding: dilation, dilation, bias: false }));
    this.bn1 = this.add('bn1', new BatchNorm2d(planes));
    this.conv2 = this.add('conv2', new Conv2d(planes, planes, { kernel: 3, padding: 1, bias: false }));
    this.bn2 = this.add('bn2', new BatchNorm2d(planes));
    if (downsample) this.downsample = this.add('downsample', downsample);
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const y = this.bn2.forward(this.conv2.forward(tf.relu(this.bn1.forward(this.conv1.forward(x), ctx))), ctx);
      const identity = this.downsample ? this.downsample.forward(x, ctx) : x;
      return tf.relu(tf.add(y, identity)) as Tensor4D;
    });
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    const y = this.conv2.toOnnx(g, onnx.relu(g, this.conv1.toOnnx(g, x, this.bn1.batchNormParams())), this.bn2.batchNormParams());
    return onnx.relu(g, onnx.add(g, y, this.downsample ? this.downsample.toOnnx(g, x) : x));
  }
}

class Bottleneck extends Layer {
  static expansion = 4;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm2d;
  private readonly downsample?: Sequential;
  constructor(inplanes: number, planes: number, stride: number, dilation: number, downsample?: Sequential) {
    super();
    this.conv1 = this.add('conv1', new Conv2d(inplanes, planes, { kernel: 1, bias: false }));
    this.bn1 = this.add('bn1', new BatchNorm2d(planes));
    this.conv2 = this.add('conv2', new Conv2d(planes, planes, { kernel: 3, stride, padding: dilation, dilation, bias: false }));
    this.bn2 = this.add('bn2', new BatchNorm2d(planes));
    this.conv3 = this.add('conv3', new Conv2d(planes, planes * 4, { kernel: 1, bias: false }));
    this.bn3 = this.add('bn3', new BatchNorm2d(planes * 4));
    if (downsample) this.downsample = this.add('downsample', downsample);
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      let y = tf.relu(this.bn1.forward(this.conv1.forward(x), ctx));
      y = tf.relu(this.bn2.forward(this.conv2.forward(y), ctx));
      y = this.bn3.forward(this.conv3.forward(y), ctx);
      const identity = this.downsample ? this.downsample.forward(x, ctx) : x;
      return tf.relu(tf.add(y, identity)) as Tensor4D;
    });
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    let y = onnx.relu(g, this.conv1.toOnnx(g, x, this.bn1.batchNormParams()));
    y = onnx.relu(g, this.conv2.toOnnx(g, y, this.bn2.batchNormParams()));
    y = this.conv3.toOnnx(g, y, this.bn3.batchNormParams());
    return onnx.relu(g, onnx.add(g, y, this.downsample ? this.downsample.toOnnx(g, x) : x));
  }
}

const BLOCKS: Record<ResNetDepth, { block: typeof BasicBlock | typeof Bottleneck; layers: number[] }> = {
  18: { block: BasicBlock, layers: [2, 2, 2, 2] },
  50: { block: Bottleneck, layers: [3, 4, 6, 3] },
};

/** Returns [stem/4, layer1/4, layer2/8, layer3/(8|16), layer4/(8|16|32)]. */
export class ResNet extends Backbone {
  readonly outChannels: number[];
  readonly strides: number[];
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly relu = new Activation('relu');
  private readonly maxpool = new MaxPool2d(3, 2, 1);
  private readonly stages: Sequential[] = [];

  constructor(readonly options: ResNetOptions) {
    super();
    const { block, layers } = BLOCKS[options.depth];
    const width = options.width ?? 1;
    const os = options.outputStride ?? 32;
    const dilate = [false, os <= 8, os <= 16];
    const base = scaleWidth(64, width, 8, 8);
    this.conv1 = this.add('conv1', new Conv2d(options.inChannels ?? 3, base, { kernel: 7, stride: 2, padding: 3, bias: false }));
    this.bn1 = this.add('bn1', new BatchNorm2d(base));
    let inplanes = base;
    let dilation = 1;
    let stride = 4;
    this.outChannels = [base];
    this.strides = [4];
    [64, 128, 256, 512].forEach((planesBase, i) => {
      const planes = scaleWidth(planesBase, width, 8, 8);
      let s = i === 0 ? 1 : 2;
      const previousDilation = dilation;
      if (i > 0 && dilate[i - 1]) {
        dilation *= s;
        s = 1;
      }
      stride *= s;
      let downsample: Sequential | undefined;
      if (s !== 1 || inplanes !== planes * block.expansion) {
        downsample = new Sequential([new Conv2d(inplanes, planes * block.expansion, { kernel: 1, stride: s, bias: false }), new BatchNorm2d(planes * block.expansion)]);
      }
      const blocks: Layer[] = [new block(inplanes, planes, s, previousDilation, downsample)];
      inplanes = planes * block.expansion;
      for (let b = 1; b < (layers[i] ?? 0); b++) blocks.push(new block(inplanes, planes, 1, dilation));
      this.stages.push(this.add(`layer${i + 1}`, new Sequential(blocks)));
      this.outChannels.push(inplanes);
      this.strides.push(stride);
    });
  }

  features(x: Tensor4D, ctx: ForwardContext): Tensor4D[] {
    const stem = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x), ctx)));
    const out = [stem];
    let y = stem;
    for (const stage of this.stages) {
      y = stage.forward(y, ctx);
      out.push(y);
    }
    return out;
  }

  override featuresToOnnx(g: OnnxGraph, x: string): string[] {
    const stem = this.maxpool.toOnnx(g, this.relu.toOnnx(g, this.conv1.toOnnx(g, x, this.bn1.batchNormParams())));
    const out = [stem];
    for (const stage of this.stages) out.push(stage.toOnnx(g, out[out.length - 1] as string));
    return out;
  }
}
