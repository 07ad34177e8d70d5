/**
 * The context aggregation module of Yu & Koltun, "Multi-Scale Context Aggregation by Dilated
 * Convolutions" (ICLR 2016 §3, Table 1): seven 3x3 layers with dilations 1, 1, 2, 4, 8, 16, 1 and
 * a final 1x1, on C-channel score maps. `basic`: C channels throughout; `large`: 2C, 2C, 4C, 8C,
 * 16C, 32C, 32C. Identity initialisation (§3): each layer starts as the identity on the scores,
 * with the paper's generalisation (and small noise) when channel counts differ.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { Conv2d } from '../layers/conv.js';
import { isDeclaringShapesOnly, Layer, nextSeed, type ForwardContext } from '../module.js';

export type ContextKind = 'basic' | 'large';

export const CONTEXT_DILATIONS = [1, 1, 2, 4, 8, 16, 1] as const;
const LARGE_MULTIPLIERS = [2, 2, 4, 8, 16, 32, 32] as const;

/**
 * Identity initialisation `[k, k, cin, cout]`: for k = 3 only the centre tap is non-zero;
 * entry (a -> b) is `C / cout` when `floor(a*C/cin) == floor(b*C/cout)` (§3, eq. 4), plus noise.
 * With cin = cout = C this is the exact identity.
 */
export function identityInit(k: number, cin: number, cout: number, classes: number, noise = 0): Tensor4D {
  const w = new Float32Array(k * k * cin * cout);
  const centre = Math.floor(k / 2) * k + Math.floor(k / 2);
  for (let a = 0; a < cin; a++) {
    for (let b = 0; b < cout; b++) {
      if (Math.floor((a * classes) / cin) === Math.floor((b * classes) / cout)) w[(centre * cin + a) * cout + b] = cin === cout ? 1 : classes / cout;
    }
  }
  const base = tf.tensor4d(w, [k, k, cin, cout]);
  if (noise === 0) return base;
  return tf.tidy(() => tf.add(base, tf.randomNormal([k, k, cin, cout], 0, noise, 'float32', nextSeed())));
}

export class ContextModule extends Layer {
  private readonly layers: Conv2d[] = [];
  constructor(
    readonly classes: number,
    readonly kind: ContextKind = 'basic',
  ) {
    super();
    const widths = kind === 'basic' ? CONTEXT_DILATIONS.map(() => classes) : LARGE_MULTIPLIERS.map((m) => m * classes);
    let cin = classes;
    CONTEXT_DILATIONS.forEach((d, i) => {
      const cout = widths[i] ?? classes;
      const conv = new Conv2d(cin, cout, { kernel: 3, dilation: d, padding: d, init: 'zeros' });
      if (!isDeclaringShapesOnly()) conv.weight.assign(identityInit(3, cin, cout, classes, cin === cout ? 0 : 0.1 * (classes / cout)));
      this.layers.push(this.add(`ctx_conv${i + 1}`, conv));
      cin = cout;
    });
    const last = new Conv2d(cin, classes, { kernel: 1, init: 'zeros' });
    if (!isDeclaringShapesOnly()) last.weight.assign(identityInit(1, cin, classes, classes, cin === classes ? 0 : 0.1));
    this.layers.push(this.add('ctx_final', last));
  }
  forward(x: Tensor4D, _ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      let y = x;
      this.layers.forEach((l, i) => {
        y = l.forward(y);
        if (i < this.layers.length - 1) y = tf.relu(y) as Tensor4D;
      });
      return y;
    });
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return this.layers.reduce((y, l, i) => (i < this.layers.length - 1 ? onnx.relu(g, l.toOnnx(g, y)) : l.toOnnx(g, y)), x);
  }
}
