/**
 * FlowNetSimple (Dosovitskiy et al., "FlowNet: Learning Optical Flow with Convolutional
 * Networks", ICCV 2015, section 3 and figures 2-3; layer sizes as in the authors' Caffe model
 * and FlowNetPytorch): the two frames stacked on channels, a contracting part of ten strided or
 * plain convolutions (conv1 ... conv6, LeakyReLU 0.1), and a refinement part that alternates
 * "upconvolutions" (4x4 transposed convolutions, stride 2) with flow predictions: at each
 * scale the upconvolved features, the matching contracting features (skip connection) and the
 * upsampled coarser flow are concatenated and a 3x3 convolution predicts the flow. Flow is
 * predicted at 1/64, 1/32, 1/16, 1/8 and 1/4 of the input; the finest (flow2) is bilinearly
 * upsampled to full resolution at inference.
 *
 * Flows are predicted in full-resolution pixels divided by `divFlow` (20, as the paper's
 * training code), at every scale.
 */
import { bilinearUpsampleFilter, resizeBilinear, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { Conv2d, ConvTranspose2d } from '../layers/conv.js';
import { Module } from '../module.js';

/** Contracting channels of the paper (conv1 ... conv6); `width` scales them. */
const CONTRACT = { conv1: 64, conv2: 128, conv3: 256, conv4: 512, conv5: 512, conv6: 1024 } as const;
/** Upconvolution channels deconv5 ... deconv2. */
const EXPAND = [512, 256, 128, 64] as const;

export interface FlowNetSOptions {
  /** Width multiplier of every layer (1: the paper; 0.125: CPU-sized `flownets-lite`). */
  width?: number;
  /** Flow scale of the predictions (default 20). */
  divFlow?: number;
}

/** Flow predictions from coarse to fine: flow6 (1/64) ... flow2 (1/4), `[N, h, w, 2]` in pixels / divFlow. */
export interface FlowNetOutput {
  flows: Tensor4D[];
}

const leaky = (x: Tensor4D): Tensor4D => tf.leakyRelu(x, 0.1);

/** Input sizes must be multiples of this (six stride-2 stages); {@link FlowNetS.predict} pads. */
export const FLOWNET_STRIDE = 64;

export class FlowNetS extends Module {
  readonly width: number;
  readonly divFlow: number;
  private readonly contract: Array<{ conv: Conv2d; name: string }> = [];
  private readonly predict6: Conv2d;
  private readonly levels: Array<{ deconv: ConvTranspose2d; up: ConvTranspose2d; predict: Conv2d }> = [];

  constructor(options: FlowNetSOptions = {}) {
    super();
    this.width = options.width ?? 1;
    this.divFlow = options.divFlow ?? 20;
    const c = (n: number) => Math.max(4, Math.round(n * this.width));
    const conv = (name: string, cin: number, cout: number, kernel: number, stride: number) => {
      this.contract.push({ name, conv: this.add(name, new Conv2d(cin, cout, { kernel, stride, padding: (kernel - 1) / 2 })) });
    };
    conv('conv1', 6, c(CONTRACT.conv1), 7, 2);
    conv('conv2', c(CONTRACT.conv1), c(CONTRACT.conv2), 5, 2);
    conv('conv3', c(CONTRACT.conv2), c(CONTRACT.conv3), 5, 2);
    conv('conv3_1', c(CONTRACT.conv3), c(CONTRACT.conv3), 3, 1);
    conv('conv4', c(CONTRACT.conv3), c(CONTRACT.conv4), 3, 2);
    conv('conv4_1', c(CONTRACT.conv4), c(CONTRACT.conv4), 3, 1);
    conv('conv5', c(CONTRACT.conv4), c(CONTRACT.conv5), 3, 2);
    conv('conv5_1', c(CONTRACT.conv5), c(CONTRACT.conv5), 3, 1);
    conv('conv6', c(CONTRACT.conv5), c(CONTRACT.conv6), 3, 2);
    conv('conv6_1', c(CONTRACT.conv6), c(CONTRACT.conv6), 3, 1);
    this.predict6 = this.add('predict_flow6', new Conv2d(c(CONTRACT.conv6), 2, { kernel: 3, padding: 1 }));
    // Skips: conv5_1, conv4_1, conv3_1, conv2 meet deconv5 ... deconv2.
    const skips = [c(CONTRACT.conv5), c(CONTRACT.conv4), c(CONTRACT.conv3), c(CONTRACT.conv2)];
    let inChannels = c(CONTRACT.conv6);
    EXPAND.forEach((channels, i) => {
      const level = 5 - i;
      const out = c(channels);
      const deconv = this.add(`deconv${level}`, new ConvTranspose2d(inChannels, out, { kernel: 4, stride: 2, padding: 1, bias: true }));
      const up = this.add(`upsampled_flow${level + 1}_to_${level}`, new ConvTranspose2d(2, 2, { kernel: 4, stride: 2, padding: 1 }, () => bilinearUpsampleFilter(2, 2)));
      const concat = (skips[i] as number) + out + 2;
      const predict = this.add(`predict_flow${level}`, new Conv2d(concat, 2, { kernel: 3, padding: 1 }));
      this.levels.push({ deconv, up, predict });
      inChannels = concat;
    });
  }

  /**
   * @param x `[N, H, W, 6]`: both frames, normalised, stacked on channels; H and W multiples of 64.
   * @returns flow predictions from 1/64 to 1/4 of the input, coarse to fine.
   */
  forward(x: Tensor4D): FlowNetOutput {
    const [, h, w, ch] = x.shape;
    if (ch !== 6 || h % FLOWNET_STRIDE !== 0 || w % FLOWNET_STRIDE !== 0) {
      throw new Error(`FlowNetS: input must be [N, H, W, 6] with H and W multiples of ${FLOWNET_STRIDE}, found [${x.shape.join(', ')}]`);
    }
    const feats = new Map<string, Tensor4D>();
    let y = x;
    for (const { name, conv } of this.contract) {
      y = leaky(conv.forward(y));
      feats.set(name, y);
    }
    let flow = this.predict6.forward(y);
    const flows = [flow];
    const skips = ['conv5_1', 'conv4_1', 'conv3_1', 'conv2'];
    this.levels.forEach(({ deconv, up, predict }, i) => {
      const skip = feats.get(skips[i] as string) as Tensor4D;
      y = tf.concat([skip, leaky(deconv.forward(y)), up.forward(flow)], 3);
      flow = predict.forward(y);
      flows.push(flow);
    });
    return { flows };
  }

  /**
   * Full-resolution flow from frame 1 to frame 2, in pixels: the normalised inputs are
   * zero-padded (zero is the mean colour) at the bottom and right to multiples of 64, and flow2
   * is upsampled bilinearly and cropped.
   * @param first `[N, H, W, 3]`, @param second `[N, H, W, 3]`: RGB 0..255 (normalised here).
   * @returns `[N, H, W, 2]`.
   */
  predict(first: Tensor4D, second: Tensor4D): Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = first.shape;
      const ph = Math.ceil(h / FLOWNET_STRIDE) * FLOWNET_STRIDE;
      const pw = Math.ceil(w / FLOWNET_STRIDE) * FLOWNET_STRIDE;
      let x = stackFrames(first, second);
      if (ph !== h || pw !== w) x = tf.pad(x, [[0, 0], [0, ph - h], [0, pw - w], [0, 0]]);
      const { flows } = this.forward(x);
      const fine = flows[flows.length - 1] as Tensor4D;
      const full = resizeBilinear(fine, [ph, pw], { alignCorners: false });
      return tf.mul(tf.slice(full, [0, 0, 0, 0], [n, h, w, 2]), this.divFlow) as Tensor4D;
    });
  }
}

/** FlowNetPytorch's input normalisation: RGB / 255 minus the data set mean, per frame. */
const RGB_MEAN = [0.411, 0.432, 0.45];

/** Two RGB frames 0..255 `[N, H, W, 3]` -> the network input `[N, H, W, 6]`. */
export function stackFrames(first: Tensor4D, second: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    const mean = tf.tensor1d(RGB_MEAN);
    const norm = (t: Tensor4D) => tf.sub(tf.div(tf.cast(t, 'float32'), 255), mean);
    return tf.concat([norm(first), norm(second)], 3) as Tensor4D;
  });
}
