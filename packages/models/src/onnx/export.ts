/** One module (or part of one) as a whole ONNX graph: named modules, an NCHW input, named outputs. */
import { OnnxGraph, type Dim, type OnnxDataType } from '@pixelwise/core/onnx';
import type { Module } from '../module.js';
import { nameModules } from './names.js';

export interface OnnxGraphOptions {
  /** Graph name. Default the root module's class name. */
  name?: string;
  /** Graph input name. Default `'input'`. */
  inputName?: string;
  /** Batch dimension: a size or a symbolic name. Default `'N'`. */
  batch?: Dim;
  /** Element type of the input. Default `'float32'` (`'uint8'` for an RGB image). */
  inputType?: OnnxDataType;
  /** `metadata_props` entries. */
  metadata?: Record<string, string>;
}

/**
 * Builds the graph of `root` on an input `[batch, ...inputShape]` (float32 unless `inputType`):
 * records module names (so nodes and weights carry state-dict names), lets `emit` add the nodes
 * (and further inputs), and lists what it returns as the graph outputs — one value, or several
 * under their keys.
 *
 * @param inputShape `[C, H, W]` (an NCHW map), or `[H, W, 3]` for an NHWC image
 */
export function buildOnnxGraph(
  root: Module,
  inputShape: readonly [number, number, number],
  emit: (g: OnnxGraph, input: string) => string | Record<string, string>,
  options: OnnxGraphOptions = {},
): OnnxGraph {
  nameModules(root);
  const g = new OnnxGraph(options.name ?? root.constructor.name);
  const input = g.input(options.inputName ?? 'input', options.inputType ?? 'float32', [options.batch ?? 'N', ...inputShape]);
  const out = emit(g, input);
  if (typeof out === 'string') g.output(out, 'output');
  else for (const [name, value] of Object.entries(out)) g.output(value, name);
  for (const [k, v] of Object.entries(options.metadata ?? {})) g.metadata(k, v);
  return g;
}
