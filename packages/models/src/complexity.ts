/**
 * Parameters and multiply-adds of a model at an input size, without running the full model:
 * spatial sizes do not depend on channel widths, so a narrow copy of the architecture is run
 * once to record each convolution's output grid, and the full model's channel counts give the
 * multiply-adds. Counts convolutions, transposed convolutions and depthwise convolutions
 * (everything else is a small fraction; resizes and pooling are not multiply-adds).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { Conv2d, ConvTranspose2d, recordConvOutputs } from './layers/conv.js';
import { EVAL } from './module.js';
import type { Segmentor } from './segmentors/segmentor.js';

export interface Complexity {
  /** Trainable parameters. */
  params: number;
  /** Multiply-adds of one forward pass at `size` (batch 1). */
  macs: number;
  size: [number, number];
}

/** Multiply-adds per output position of a convolution layer. */
function macsPerPosition(m: Conv2d | ConvTranspose2d): number {
  const [kh, kw, a, b] = m.kernelShape;
  if (m instanceof Conv2d && m.depthwise) return kh * kw * a;
  // Conv2d: [k,k,in,out] -> k*k*in per output; ConvTranspose2d: [k,k,out,in] -> each input
  // position scatters k*k*out products; counted per input position below.
  return kh * kw * a * b;
}

/**
 * @param model the full model
 * @param narrow the same architecture at a small width (same module names), used for shapes; build
 *   it as it should be counted (a Deep Layer Cascade in full mode: the registry's `countAs`)
 * @param run what to count: runs `narrow` on the zero input `x` (default its full forward); e.g. a
 *   subset of its stages, to count multiply-adds per stage
 */
export function measureComplexity(
  model: Segmentor,
  narrow: Segmentor,
  size: [number, number],
  run: (narrow: Segmentor, x: Tensor4D) => void = (n, x) => void n.forward(x, EVAL),
): Complexity {
  const grids = new Map<string, { h: number; w: number; inH: number; inW: number }>();
  const names = new Map(narrow.namedModules().map(([name, m]) => [m, name]));
  recordConvOutputs((layer, input, output) => {
    const name = names.get(layer);
    if (name !== undefined) grids.set(name, { h: output.shape[1], w: output.shape[2], inH: input.shape[1], inW: input.shape[2] });
  });
  try {
    tf.tidy(() => {
      run(narrow, tf.zeros([1, size[0], size[1], 3]) as Tensor4D);
    });
  } finally {
    recordConvOutputs(undefined);
  }
  let macs = 0;
  for (const [name, m] of model.namedModules()) {
    if (!(m instanceof Conv2d) && !(m instanceof ConvTranspose2d)) continue;
    const g = grids.get(name);
    if (!g) continue; // not on the inference path (e.g. auxiliary heads)
    macs += m instanceof ConvTranspose2d ? g.inH * g.inW * macsPerPosition(m) : g.h * g.w * macsPerPosition(m);
  }
  return { params: model.parameterCount(), macs, size };
}
