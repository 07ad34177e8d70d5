/**
 * AlexNet-style backbone (Krizhevsky et al., NeurIPS 2012; torchvision's single-tower layout)
 * with fc6/fc7 as convolutions (3x3 and 1x1 here so small inputs keep a spatial map), returning
 * the taps the hypercolumn paper uses: pool2 (/8), conv4 (/8) and fc7 (/16).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { Dropout } from '../layers/activations.js';
import { Conv2d } from '../layers/conv.js';
import { MaxPool2d } from '../layers/pooling.js';
import type { ForwardContext } from '../module.js';
import { Backbone, scaleWidth } from './backbone.js';

export class AlexNet extends Backbone {
  readonly outChannels: number[];
  readonly strides = [8, 8, 16];
  private readonly convs: Conv2d[];
  private readonly fc6: Conv2d;
  private readonly fc7: Conv2d;
  private readonly pool = new MaxPool2d(3, 2, 1);
  private readonly drop = new Dropout(0.5);
  constructor(width = 1) {
    super();
    const w = (c: number) => scaleWidth(c, width, 4, 4);
    const spec: Array<[number, number, number, number]> = [
      // [out, kernel, stride, padding]
      [64, 11, 4, 5],
      [192, 5, 1, 2],
      [384, 3, 1, 1],
      [256, 3, 1, 1],
      [256, 3, 1, 1],
    ];
    let cin = 3;
    this.convs = spec.map(([out, k, s, p], i) => {
      const conv = this.add(`conv${i + 1}`, new Conv2d(cin, w(out), { kernel: k, stride: s, padding: p }));
      cin = w(out);
      return conv;
    });
    const fc = scaleWidth(4096, width, 8, 8);
    this.fc6 = this.add('fc6', new Conv2d(cin, fc, { kernel: 3, padding: 1 }));
    this.fc7 = this.add('fc7', new Conv2d(fc, fc, { kernel: 1 }));
    this.outChannels = [w(192), w(256), fc];
  }
  features(x: Tensor4D, ctx: ForwardContext): Tensor4D[] {
    const c = this.convs;
    const relu = (t: Tensor4D) => tf.relu(t) as Tensor4D;
    const pool1 = this.pool.forward(relu(c[0]!.forward(x)));
    const pool2 = this.pool.forward(relu(c[1]!.forward(pool1)));
    const conv4 = relu(c[3]!.forward(relu(c[2]!.forward(pool2))));
    const pool5 = this.pool.forward(relu(c[4]!.forward(conv4)));
    const fc6 = this.drop.forward(relu(this.fc6.forward(pool5)), ctx);
    const fc7 = this.drop.forward(relu(this.fc7.forward(fc6)), ctx);
    return [pool2, conv4, fc7];
  }
  override featuresToOnnx(g: OnnxGraph, x: string): string[] {
    const c = this.convs;
    const convRelu = (conv: Conv2d, t: string) => onnx.relu(g, conv.toOnnx(g, t));
    const pool1 = this.pool.toOnnx(g, convRelu(c[0]!, x));
    const pool2 = this.pool.toOnnx(g, convRelu(c[1]!, pool1));
    const conv4 = convRelu(c[3]!, convRelu(c[2]!, pool2));
    const pool5 = this.pool.toOnnx(g, convRelu(c[4]!, conv4));
    // Dropout is the identity in evaluation mode.
    return [pool2, conv4, convRelu(this.fc7, convRelu(this.fc6, pool5))];
  }
}
