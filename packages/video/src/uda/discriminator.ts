/**
 * The output-space discriminator of adversarial domain adaptation: AdaptSegNet's fully
 * convolutional discriminator (Tsai et al., "Learning to Adapt Structured Output Space for
 * Semantic Segmentation", CVPR 2018, §3.1: five 4x4 convolutions with stride 2, channels
 * {64, 128, 256, 512, 1}, each but the last followed by a leaky ReLU with slope 0.2), scoring each
 * cell of a coarse grid as source (0) or target (1) from class probabilities.
 *
 * The video variant (video adversarial training, VAT: Shin et al., "Unsupervised Domain
 * Adaptation for Video Semantic Segmentation", 2021) reads two frames' predictions at once. The
 * paper does not publish its discriminator; we follow the public re-implementation in
 * UnifiedVideoDA ("Video Discrim"): the same network with 2C input channels, fed the softmax of
 * the concatenated scores of frames t and t-k (one softmax over all 2C channels there; a softmax
 * per frame is our alternative, `perFrame`). State-dict names are AdaptSegNet's
 * (`conv1`..`conv4`, `classifier`).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { Conv2d, Layer, type ForwardContext } from '@pixelwise/models';

export interface DiscriminatorOptions {
  /** Input channels: C for the image-level discriminator, 2C for the video one. */
  inChannels: number;
  /** Channels of the first convolution, doubled at each of the next three. Default 64 (AdaptSegNet). */
  width?: number;
  /** Negative slope of the leaky ReLUs. Default 0.2. */
  slope?: number;
}

/** AdaptSegNet's `FCDiscriminator`: `[N, H, W, Cin]` probabilities -> `[N, H/32, W/32, 1]` logits. */
export class FCDiscriminator extends Layer {
  private readonly convs: Conv2d[];
  readonly slope: number;
  constructor(readonly options: DiscriminatorOptions) {
    super();
    const w = options.width ?? 64;
    this.slope = options.slope ?? 0.2;
    const channels = [options.inChannels, w, 2 * w, 4 * w, 8 * w, 1];
    const names = ['conv1', 'conv2', 'conv3', 'conv4', 'classifier'];
    this.convs = names.map((name, i) => this.add(name, new Conv2d(channels[i] as number, channels[i + 1] as number, { kernel: 4, stride: 2, padding: 1 })));
  }

  forward(x: Tensor4D, _ctx?: ForwardContext): Tensor4D {
    if (x.shape[3] !== this.options.inChannels) throw new Error(`FCDiscriminator: expected ${this.options.inChannels} input channels, found [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      let y = x;
      this.convs.forEach((conv, i) => {
        y = conv.forward(y);
        if (i < this.convs.length - 1) y = tf.leakyRelu(y, this.slope);
      });
      return y;
    });
  }
}

/** How the discriminator's input is made from scores. */
export type DiscriminatorSoftmax = 'joint' | 'per-frame';

/**
 * The discriminator's input: class probabilities of one frame `[N, H, W, C]` (image level), or of
 * frames t and t-k stacked on channels `[N, H, W, 2C]` (video level), from scores (logits).
 * `joint`: one softmax over the 2C concatenated scores (UnifiedVideoDA); `per-frame`: each
 * frame's own softmax, then concatenation.
 */
export function discriminatorInput(scores: Tensor4D, previous?: Tensor4D, softmax: DiscriminatorSoftmax = 'joint'): Tensor4D {
  return tf.tidy(() => {
    if (previous === undefined) return tf.softmax(scores) as Tensor4D;
    if (previous.shape.join() !== scores.shape.join()) throw new Error(`discriminatorInput: frames t [${scores.shape.join(', ')}] and t-k [${previous.shape.join(', ')}] differ`);
    if (softmax === 'joint') return tf.softmax(tf.concat([scores, previous], 3)) as Tensor4D;
    return tf.concat([tf.softmax(scores), tf.softmax(previous)], 3) as Tensor4D;
  });
}
