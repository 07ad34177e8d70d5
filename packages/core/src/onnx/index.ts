/**
 * `@pixelwise/core/onnx`: an ONNX file writer (opset 17, IR version 8) and graph builder, with
 * typed helpers for the ops pixelwise's models export to. No TensorFlow.js, no Node built-ins and
 * no runtime dependency: the protobuf encoding is written by hand, so it runs in browsers too.
 *
 * ```ts
 * const g = new OnnxGraph('net');
 * const x = g.input('input', 'float32', ['N', 3, 64, 64]);
 * const y = onnx.relu(g, onnx.conv(g, x, { weight: { data, dims: [8, 3, 3, 3] }, pads: 1 }));
 * g.output(y, 'out');
 * const bytes = g.toBytes();
 * ```
 */
export { OnnxGraph, attr, OPSET_VERSION, IR_VERSION } from './graph.js';
export type { Attribute, NodeOptions, ToBytesOptions, ValueType } from './graph.js';
export type { AttributeValue, Dim, OnnxDataType, TensorContents } from './proto.js';
export type { BatchNormParams, ConvOptions, ConvTransposeOptions, Pads2d, Weights } from './ops/conv.js';
export type { PoolOptions } from './ops/pool.js';
export type { UnpoolOptions } from './ops/unpool.js';
export * as onnx from './ops/index.js';
