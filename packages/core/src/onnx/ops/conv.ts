/**
 * Convolutions (ONNX `Conv`, `ConvTranspose`) and batch normalisation, either as a node or folded
 * into the preceding convolution's weights. Weights are OIHW (`Conv`) or IOHW (`ConvTranspose`),
 * PyTorch's layouts; padding is always explicit `pads`, never `auto_pad`, so the file says exactly
 * what PyTorch's `padding=` and TensorFlow's `'same'` meant.
 */
import { convOutputSize, pair } from '../../ops/padding.js';
import { attr, type OnnxGraph } from '../graph.js';

/** A float32 constant in ONNX's row-major layout. */
export interface Weights {
  data: Float32Array;
  dims: readonly number[];
}

/** Padding per spatial axis: `[[top, bottom], [left, right]]`, or one number for all four sides. */
export type Pads2d = number | readonly [readonly [number, number], readonly [number, number]];

/** ONNX's `pads` order for 2-D ops: `[top, left, bottom, right]` (all begins, then all ends). */
export function onnxPads(p: Pads2d | undefined): [number, number, number, number] {
  const [[t, b], [l, r]] = p === undefined ? [[0, 0], [0, 0]] : typeof p === 'number' ? [[p, p], [p, p]] : p;
  for (const v of [t, b, l, r]) if (!Number.isInteger(v) || v < 0) throw new Error(`onnx: padding must be non-negative integers, got ${JSON.stringify(p)}`);
  return [t, l, b, r];
}

export interface ConvOptions {
  /** `[Cout, Cin / group, kH, kW]` (OIHW; depthwise `[C, 1, kH, kW]` with `group: C`). */
  weight: Weights;
  /** `[Cout]` */
  bias?: Float32Array;
  strides?: number | [number, number];
  dilations?: number | [number, number];
  pads?: Pads2d;
  /** 1 (default), or the channel count for depthwise convolution. */
  group?: number;
  /** Name hint for the node and its initializers. */
  name?: string;
}

function biasInput(g: OnnxGraph, hint: string, bias: Float32Array | undefined, channels: number): string[] {
  if (!bias) return [];
  if (bias.length !== channels) throw new Error(`onnx ${hint}: bias has ${bias.length} values for ${channels} output channels`);
  return [g.initializer(`${hint}.bias`, 'float32', [channels], bias)];
}

/**
 * `Conv` (opset 11+): `y = conv(x, W) + b` with explicit `pads`, `strides`, `dilations`, `group`.
 *
 * @param x `[N, Cin, H, W]`
 * @returns `[N, Cout, Ho, Wo]`, `Ho = floor((H + pt + pb - (kH - 1) * dH - 1) / sH) + 1`
 */
export function conv(g: OnnxGraph, x: string, o: ConvOptions): string {
  const hint = o.name ?? 'conv';
  const [n, cin, h, w] = g.nchw(x, hint);
  const [cout, cpg, kh, kw] = o.weight.dims;
  const group = o.group ?? 1;
  if (o.weight.dims.length !== 4 || cout === undefined || cpg === undefined || kh === undefined || kw === undefined || cpg * group !== cin || cout % group !== 0) {
    throw new Error(`onnx ${hint}: weight [${o.weight.dims.join(', ')}] with group ${group} does not fit an input of ${cin} channels (expected [Cout, ${cin / group}, kH, kW])`);
  }
  const strides = pair(o.strides ?? 1, `onnx ${hint} strides`);
  const dilations = pair(o.dilations ?? 1, `onnx ${hint} dilations`);
  const pads = onnxPads(o.pads);
  const ho = convOutputSize(h, [pads[0], pads[2]], kh, dilations[0], strides[0], `onnx ${hint}`);
  const wo = convOutputSize(w, [pads[1], pads[3]], kw, dilations[1], strides[1], `onnx ${hint}`);
  const weight = g.initializer(`${hint}.weight`, 'float32', o.weight.dims, o.weight.data);
  return g.node1(
    'Conv',
    [x, weight, ...biasInput(g, hint, o.bias, cout)],
    { kernel_shape: [kh, kw], strides, dilations, pads, group },
    { dtype: 'float32', dims: [n, cout, ho, wo] },
    hint,
  );
}

export interface ConvTransposeOptions {
  /** `[Cin, Cout, kH, kW]` (IOHW, PyTorch's `ConvTranspose2d` layout; group 1). */
  weight: Weights;
  /** `[Cout]` */
  bias?: Float32Array;
  strides?: number | [number, number];
  /** PyTorch's `padding=`: cropped from both sides of the full result. */
  pads?: Pads2d;
  /** PyTorch's `output_padding`: extra rows/columns at the bottom/right. */
  outputPadding?: number | [number, number];
  name?: string;
}

/**
 * `ConvTranspose` (opset 11+) with PyTorch's size rule
 * `Ho = (H - 1) * sH + kH - pt - pb + output_padding`.
 *
 * @param x `[N, Cin, H, W]`
 * @returns `[N, Cout, Ho, Wo]`
 */
export function convTranspose(g: OnnxGraph, x: string, o: ConvTransposeOptions): string {
  const hint = o.name ?? 'deconv';
  const [n, cin, h, w] = g.nchw(x, hint);
  const [wcin, cout, kh, kw] = o.weight.dims;
  if (o.weight.dims.length !== 4 || wcin !== cin || cout === undefined || kh === undefined || kw === undefined) {
    throw new Error(`onnx ${hint}: weight [${o.weight.dims.join(', ')}] does not fit an input of ${cin} channels (expected [${cin}, Cout, kH, kW])`);
  }
  const strides = pair(o.strides ?? 1, `onnx ${hint} strides`);
  const pads = onnxPads(o.pads);
  const op = o.outputPadding === undefined ? [0, 0] : typeof o.outputPadding === 'number' ? [o.outputPadding, o.outputPadding] : o.outputPadding;
  const ho = (h - 1) * strides[0] + kh - pads[0] - pads[2] + (op[0] ?? 0);
  const wo = (w - 1) * strides[1] + kw - pads[1] - pads[3] + (op[1] ?? 0);
  if (ho < 1 || wo < 1) throw new Error(`onnx ${hint}: padding [${pads.join(', ')}] leaves no output from a ${h}x${w} input`);
  const weight = g.initializer(`${hint}.weight`, 'float32', o.weight.dims, o.weight.data);
  return g.node1(
    'ConvTranspose',
    [x, weight, ...biasInput(g, hint, o.bias, cout)],
    { kernel_shape: [kh, kw], strides, pads, output_padding: op },
    { dtype: 'float32', dims: [n, cout, ho, wo] },
    hint,
  );
}

/** Inference-mode batch normalisation parameters, each `[C]`. */
export interface BatchNormParams {
  /** gamma */
  scale: Float32Array;
  /** beta */
  bias: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * Folds `y = scale * (conv(x) - mean) / sqrt(var + eps) + bias` into the convolution itself:
 * `W' = W * s` per output channel and `b' = (b - mean) * s + bias` with `s = scale / sqrt(var + eps)`,
 * computed in float64. `outAxis` is the weight's output-channel axis: 0 for `Conv` (OIHW),
 * 1 for `ConvTranspose` (IOHW, group 1).
 */
export function foldBatchNorm(weight: Weights, bias: Float32Array | undefined, bn: BatchNormParams, outAxis: 0 | 1): { weight: Weights; bias: Float32Array } {
  const dims = weight.dims;
  const channels = dims[outAxis] ?? 0;
  if (bn.scale.length !== channels) throw new Error(`onnx foldBatchNorm: ${bn.scale.length} BatchNorm channels for a weight [${dims.join(', ')}] with ${channels} outputs`);
  const s = Float64Array.from(bn.scale, (g, c) => g / Math.sqrt((bn.variance[c] ?? 0) + bn.epsilon));
  const inner = dims.slice(outAxis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(weight.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (weight.data[i] ?? 0) * (s[Math.floor(i / inner) % channels] ?? 0);
  const folded = Float32Array.from(s, (sc, c) => ((bias?.[c] ?? 0) - (bn.mean[c] ?? 0)) * sc + (bn.bias[c] ?? 0));
  return { weight: { data, dims }, bias: folded };
}

/**
 * `BatchNormalization` (opset 15, inference mode) for a normalisation that follows no convolution.
 *
 * @param x `[N, C, H, W]`
 */
export function batchNormalization(g: OnnxGraph, x: string, bn: BatchNormParams, name = 'bn'): string {
  const [, c] = g.nchw(x, name);
  if (bn.scale.length !== c) throw new Error(`onnx ${name}: ${bn.scale.length} BatchNorm channels for an input of ${c} channels`);
  const param = (suffix: string, data: Float32Array) => g.initializer(`${name}.${suffix}`, 'float32', [c], data);
  const inputs = [x, param('weight', bn.scale), param('bias', bn.bias), param('running_mean', bn.mean), param('running_var', bn.variance)];
  return g.node1('BatchNormalization', inputs, { epsilon: attr.float(bn.epsilon) }, g.typeOf(x), name);
}
