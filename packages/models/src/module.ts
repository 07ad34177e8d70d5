/**
 * A small PyTorch-like module system on TensorFlow.js: parameters, buffers and children with
 * dotted state-dict names (`backbone.layer1.0.conv1.weight`), so torchvision checkpoints load by
 * their own key names. Tensors are held in TensorFlow.js layouts (NHWC activations, HWIO filters)
 * and converted to PyTorch layouts only at the state-dict boundary.
 */
import { tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import type { OnnxGraph } from '@pixelwise/core/onnx';
import { emitSequence, noOnnxExport } from './onnx/emitter.js';

/** How a tensor is laid out in a PyTorch state dict relative to TensorFlow.js. */
export type TorchLayout =
  /** identical (vectors, scalars) */
  | 'same'
  /** conv weight: tf `[kH,kW,in,out]` <-> torch `[out,in,kH,kW]` */
  | 'conv'
  /** transposed-conv weight: tf `[kH,kW,out,in]` <-> torch `[in,out,kH,kW]` */
  | 'deconv'
  /** depthwise conv weight: tf `[kH,kW,C,1]` <-> torch `[C,1,kH,kW]` */
  | 'depthwise';

const toTorchPerm: Record<Exclude<TorchLayout, 'same'>, number[]> = { conv: [3, 2, 0, 1], deconv: [3, 2, 0, 1], depthwise: [2, 3, 0, 1] };
const fromTorchPerm: Record<Exclude<TorchLayout, 'same'>, number[]> = { conv: [2, 3, 1, 0], deconv: [2, 3, 1, 0], depthwise: [2, 3, 0, 1] };

/** Converts a TensorFlow.js-layout tensor to its PyTorch layout. */
export function toTorch(t: Tensor, layout: TorchLayout): Tensor {
  return layout === 'same' ? t.clone() : tf.transpose(t, toTorchPerm[layout]);
}
/** Converts a PyTorch-layout tensor to its TensorFlow.js layout. */
export function fromTorch(t: Tensor, layout: TorchLayout): Tensor {
  return layout === 'same' ? t.clone() : tf.transpose(t, fromTorchPerm[layout]);
}
/** Shape in PyTorch layout of a TensorFlow.js-layout shape. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  return layout === 'same' ? [...shape] : toTorchPerm[layout].map((i) => shape[i] ?? 0);
}

export interface ForwardContext {
  /** Training mode: batch statistics in BatchNorm, dropout active. */
  training: boolean;
  /** Keep dropout off even in training mode (gradient checks, reproducible losses). */
  deterministic?: boolean;
}

export const EVAL: ForwardContext = { training: false };
export const TRAIN: ForwardContext = { training: true };

/** One named tensor slot: a trainable parameter or a buffer (running statistics). */
export interface Slot {
  variable: tf.Variable;
  /** Declared shape (TensorFlow.js layout); equals `variable.shape` unless built declare-only. */
  shape: number[];
  layout: TorchLayout;
  trainable: boolean;
}

let declareOnly = false;
let placeholder: tf.Variable | undefined;

/**
 * Builds modules without allocating their tensors: every slot records its shape and shares one
 * placeholder. For counting parameters and multiply-adds of large models; such a model cannot run.
 */
export function declareShapesOnly<T>(build: () => T): T {
  const was = declareOnly;
  declareOnly = true;
  try {
    return build();
  } finally {
    declareOnly = was;
  }
}

/** True while {@link declareShapesOnly} is building. */
export function isDeclaringShapesOnly(): boolean {
  return declareOnly;
}

let seedCounter = 1;
/** Deterministic initialisation: each call takes the next seed unless one is set. */
export function nextSeed(): number {
  return seedCounter++;
}
export function resetSeeds(seed = 1): void {
  seedCounter = seed;
}

export abstract class Module {
  private readonly slots = new Map<string, Slot>();
  private readonly children = new Map<string, Module>();

  /** Registers a child module under a state-dict name segment. */
  protected add<M extends Module>(name: string, module: M): M {
    if (this.children.has(name) || this.slots.has(name)) throw new Error(`duplicate module name '${name}'`);
    this.children.set(name, module);
    return module;
  }

  /** Registers a trainable parameter of `shape`, initialised by `init` (its result is taken over). */
  protected param(name: string, shape: number[], init: () => Tensor, layout: TorchLayout = 'same'): tf.Variable {
    return this.slot(name, shape, init, layout, true);
  }

  /** Registers a non-trainable buffer (e.g. BatchNorm running statistics). */
  protected buffer(name: string, shape: number[], init: () => Tensor, layout: TorchLayout = 'same'): tf.Variable {
    return this.slot(name, shape, init, layout, false);
  }

  private slot(name: string, shape: number[], init: () => Tensor, layout: TorchLayout, trainable: boolean): tf.Variable {
    if (this.children.has(name) || this.slots.has(name)) throw new Error(`duplicate parameter name '${name}'`);
    if (declareOnly) {
      placeholder ??= tf.variable(tf.zeros([1]), false, 'pixelwise-declared-placeholder');
      this.slots.set(name, { variable: placeholder, shape, layout, trainable });
      return placeholder;
    }
    const value = init();
    if (value.shape.join() !== shape.join()) throw new Error(`parameter '${name}': initialiser gave [${value.shape.join(',')}], declared [${shape.join(',')}]`);
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.slots.set(name, { variable, shape, layout, trainable });
    return variable;
  }

  /** Child modules in registration order. */
  protected namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /** Every parameter and buffer with its dotted name, in registration order (PyTorch's order). */
  namedSlots(prefix = ''): Array<[string, Slot]> {
    const out: Array<[string, Slot]> = [];
    for (const [name, s] of this.slots) out.push([prefix + name, s]);
    for (const [name, child] of this.children) out.push(...child.namedSlots(`${prefix}${name}.`));
    return out;
  }

  /** Every module below this one (itself included, as '') with its dotted name. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix.replace(/\.$/, ''), this]];
    for (const [name, child] of this.children) out.push(...child.namedModules(`${prefix}${name}.`));
    return out;
  }

  /** Trainable variables, for optimizers. */
  trainableVariables(): tf.Variable[] {
    return this.namedSlots().filter(([, s]) => s.trainable).map(([, s]) => s.variable);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.namedSlots().filter(([, s]) => s.trainable).reduce((n, [, s]) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  dispose(): void {
    for (const s of this.slots.values()) if (s.variable !== placeholder) s.variable.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}

/** A module mapping one NHWC tensor to another. */
export abstract class Layer extends Module {
  abstract forward(x: Tensor4D, ctx: ForwardContext): Tensor4D;
  /** Emits the evaluation-mode `forward` as ONNX nodes on the NCHW value `input`; returns the output's name. */
  toOnnx(_g: OnnxGraph, _input: string): string {
    return noOnnxExport(this);
  }
}

/** PyTorch's `nn.Sequential`: children named "0", "1", ... applied in order. */
export class Sequential extends Layer {
  private readonly layers: Layer[];
  constructor(layers: Layer[]) {
    super();
    this.layers = layers.map((l, i) => this.add(String(i), l));
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    let y = x;
    for (const l of this.layers) y = l.forward(y, ctx);
    return y;
  }
  override toOnnx(g: OnnxGraph, input: string): string {
    return emitSequence(g, this.layers, input, this);
  }
  get length(): number {
    return this.layers.length;
  }
  at(i: number): Layer {
    const l = this.layers[i];
    if (!l) throw new Error(`Sequential has no layer ${i}`);
    return l;
  }
}
