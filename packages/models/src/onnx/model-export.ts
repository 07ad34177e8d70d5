/**
 * A whole segmentor as one `.onnx` file: uint8 RGB in (as `Segmentor.predict` takes it, the
 * normalisation inside the graph), class scores and labels out, with the model's name, options,
 * class names, input size and normalisation in `metadata_props`. `pixelwise export` writes it;
 * ONNX Runtime runs it (`OnnxSegmenter`).
 */
import type { Dim } from '@pixelwise/core/onnx';
import { onnx } from '@pixelwise/core/onnx';
import { IMAGENET_MEAN, IMAGENET_STD } from '../data/augment.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { buildOnnxGraph } from './export.js';

/** What an exported file says about itself (each entry a `metadata_props` key, JSON-encoded where not a string). */
export interface OnnxModelMetadata {
  /** Registry name. */
  model: string;
  /** Construction options (`resolveModelOptions`). */
  options: Record<string, unknown>;
  classes: string[];
  /** `[height, width]` the graph takes. */
  inputSize: [number, number];
  /** How the graph normalises its uint8 RGB input before the network. */
  normalization: { kind: 'imagenet' | 'unit'; mean: number[]; std: number[]; scale: 255 };
  /** Input and outputs, in words. */
  input: string;
  outputs: string;
}

export interface ExportOnnxOptions {
  /** Class names (default `0`, `1`, ...). */
  classNames?: readonly string[];
  /** Batch dimension: a size or a symbolic name. Default `'N'`. */
  batch?: Dim;
}

/** Metadata keys as written in the file. */
export const ONNX_METADATA_KEYS = ['pixelwise.model', 'pixelwise.options', 'pixelwise.classes', 'pixelwise.input_size', 'pixelwise.normalization', 'pixelwise.input', 'pixelwise.outputs'] as const;

/**
 * Exports `model` (weights as they are) at input size `[height, width]`: input `image` uint8
 * `[N, H, W, 3]`; outputs `scores` float32 `[N, classes, H, W]` (before softmax, the layout
 * `predict --logits` writes) and `labels` int64 `[N, H, W]` (argmax, first maximum on ties).
 */
export function exportOnnx(model: Segmentor, name: string, options: Record<string, unknown>, size: readonly [number, number], o: ExportOnnxOptions = {}): { bytes: Uint8Array; metadata: OnnxModelMetadata } {
  const [h, w] = size;
  const classes = o.classNames ? [...o.classNames] : Array.from({ length: model.numClasses }, (_, i) => String(i));
  if (classes.length !== model.numClasses) throw new Error(`exportOnnx: ${classes.length} class names for a model of ${model.numClasses} classes`);
  const imagenet = model.inputNorm === 'imagenet';
  const metadata: OnnxModelMetadata = {
    model: name,
    options,
    classes,
    inputSize: [h, w],
    normalization: { kind: model.inputNorm, mean: imagenet ? [...IMAGENET_MEAN] : [0, 0, 0], std: imagenet ? [...IMAGENET_STD] : [1, 1, 1], scale: 255 },
    input: `image: uint8 RGB [N, ${h}, ${w}, 3], 0..255; normalised inside the graph as (x / scale - mean) / std`,
    outputs: `scores: float32 [N, ${model.numClasses}, ${h}, ${w}] before softmax; labels: int64 [N, ${h}, ${w}]`,
  };
  const values = [metadata.model, metadata.options, metadata.classes, `${h}x${w}`, metadata.normalization, metadata.input, metadata.outputs];
  const g = buildOnnxGraph(
    model,
    [h, w, 3],
    (graph, image) => {
      const scores = model.scoresToOnnx(graph, model.normalizeToOnnx(graph, image));
      return { scores, labels: onnx.argMax(graph, scores) };
    },
    { name, inputName: 'image', inputType: 'uint8', batch: o.batch ?? 'N', metadata: Object.fromEntries(ONNX_METADATA_KEYS.map((k, i) => [k, typeof values[i] === 'string' ? values[i] : JSON.stringify(values[i])])) },
  );
  return { bytes: g.toBytes({ docString: `pixelwise ${name} at ${w}x${h}` }), metadata };
}
