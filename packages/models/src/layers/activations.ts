import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { createRng, type Rng } from '../data/rng.js';
import { Layer, type ForwardContext } from '../module.js';

export type ActivationName = 'relu' | 'relu6' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'identity';

/** Applies an activation by name (all standard ONNX ops). */
export function activate(x: Tensor4D, name: ActivationName): Tensor4D {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'hardsigmoid':
      return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'hardswish':
      return tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'identity':
      return x;
  }
}

/** Emits an activation by name: `Relu`, `Clip(0, 6)`, `HardSwish`, `HardSigmoid(1/6, 0.5)`, `Sigmoid`. */
export function activateOnnx(g: OnnxGraph, x: string, name: ActivationName): string {
  switch (name) {
    case 'relu':
      return onnx.relu(g, x);
    case 'relu6':
      return onnx.clip(g, x, 0, 6);
    case 'hardsigmoid':
      return onnx.hardSigmoid(g, x);
    case 'hardswish':
      return onnx.hardSwish(g, x);
    case 'sigmoid':
      return onnx.sigmoid(g, x);
    case 'identity':
      return x;
  }
}

/** Parameter-free activation layer; occupies a Sequential index like PyTorch's `nn.ReLU()`. */
export class Activation extends Layer {
  constructor(readonly kind: ActivationName) {
    super();
  }
  forward(x: Tensor4D): Tensor4D {
    return activate(x, this.kind);
  }
  override toOnnx(g: OnnxGraph, input: string): string {
    return activateOnnx(g, input, this.kind);
  }
}

let dropoutSeeds: Rng | undefined;

/**
 * Runs `fn` with dropout masks drawn from a generator seeded `seed`, so that a training step's
 * masks depend on the run's seed and the step, not on a global generator (training runs, their
 * resumes and their data-parallel shards are then reproducible). Outside it, masks are unseeded.
 */
export function withDropoutSeed<T>(seed: number, fn: () => T): T {
  const outer = dropoutSeeds;
  dropoutSeeds = createRng(seed);
  try {
    return fn();
  } finally {
    dropoutSeeds = outer;
  }
}

/** `nn.Dropout` / `nn.Dropout2d` (channel-wise); identity in evaluation. */
export class Dropout extends Layer {
  constructor(
    readonly rate: number,
    readonly channelwise = false,
  ) {
    super();
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    if (!ctx.training || ctx.deterministic || this.rate === 0) return x;
    const [n, , , c] = x.shape;
    const seed = dropoutSeeds ? Math.floor(dropoutSeeds.next() * 2 ** 31) : undefined;
    return tf.dropout(x, this.rate, this.channelwise ? [n, 1, 1, c] : undefined, seed) as Tensor4D;
  }
  /** Identity: the export is of evaluation mode. */
  override toOnnx(_g: OnnxGraph, input: string): string {
    return input;
  }
}
