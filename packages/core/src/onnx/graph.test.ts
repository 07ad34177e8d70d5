/**
 * The writer against the reference reader: what Debian's onnx package (1.12) decodes from the
 * bytes equals what was built, the checker accepts it (strict shape inference included), and ONNX
 * Runtime computes the graph.
 */
import { checkOnnx, describeOnnx, runOnnx } from '@pixelwise/core/testing';
import { describe, expect, it } from 'vitest';
import { OnnxGraph, attr } from './index.js';

function sampleGraph(): OnnxGraph {
  const g = new OnnxGraph('sample');
  const x = g.input('x', 'float32', ['N', 3, 2, 2]);
  const scale = g.initializer('scale', 'float32', [1, 3, 1, 1], [0.5, -2, 1e-3]);
  const y = g.node1('Mul', [x, scale], {}, { dtype: 'float32', dims: ['N', 3, 2, 2] });
  // Negative ints (two's complement varints), floats, strings and a tensor attribute.
  const [sum] = g.node('ReduceSum', [y, g.int64s([-1, 2], 'axes')], { keepdims: 0 }, { types: [{ dtype: 'float32', dims: ['N', 3] }] });
  const fill = g.node1('Constant', [], { value: { type: 'tensor', value: { name: 'fill', dtype: 'int32', dims: [2], data: Int32Array.of(-7, 300) } } }, { dtype: 'int32', dims: [2] });
  const lrelu = g.node1('LeakyRelu', [sum as string], { alpha: attr.float(0.25) }, { dtype: 'float32', dims: ['N', 3] });
  g.output(lrelu, 'out');
  g.output(fill);
  g.metadata('model', 'sample');
  g.metadata('classes', '["a","b"]');
  g.metadata('model', 'sample-v2');
  return g;
}

describe('OnnxGraph.toBytes', () => {
  it('encodes ModelProto fields that the onnx package reads back unchanged', () => {
    const bytes = sampleGraph().toBytes({ producerName: 'pixelwise-test', producerVersion: '9.8.7', docString: 'doc ✓' });
    const m = describeOnnx(bytes);
    expect(m.irVersion).toBe(8);
    expect(m.opsets).toEqual([['', 17]]);
    expect([m.producerName, m.producerVersion, m.docString]).toEqual(['pixelwise-test', '9.8.7', 'doc ✓']);
    expect(m.metadata).toEqual({ model: 'sample-v2', classes: '["a","b"]' });
    expect(m.graphName).toBe('sample');
    expect(m.inputs).toEqual([{ name: 'x', elemType: 1, dims: ['N', 3, 2, 2] }]);
    expect(m.outputs).toEqual([
      { name: 'out', elemType: 1, dims: ['N', 3] },
      { name: 'Constant', elemType: 6, dims: [2] },
    ]);
    expect(m.valueInfo.map((v) => v.name)).toEqual(['Mul', 'ReduceSum', 'LeakyRelu']);
    expect(m.initializers).toEqual([
      { name: 'scale', dataType: 1, dims: [1, 3, 1, 1], values: [0.5, -2, Math.fround(1e-3)] },
      { name: 'axes', dataType: 7, dims: [2], values: [-1, 2] },
    ]);
    expect(m.nodes.map((n) => [n.op, n.inputs, n.outputs])).toEqual([
      ['Mul', ['x', 'scale'], ['Mul']],
      ['ReduceSum', ['Mul', 'axes'], ['ReduceSum']],
      ['Constant', [], ['Constant']],
      ['LeakyRelu', ['ReduceSum'], ['LeakyRelu']],
      ['Identity', ['LeakyRelu'], ['out']],
    ]);
    // AttributeProto types: INT = 2, TENSOR = 4, FLOAT = 1.
    expect(m.nodes[1]?.attributes).toEqual([['keepdims', 2, 0]]);
    expect(m.nodes[2]?.attributes).toEqual([['value', 4, { dims: [2], values: [-7, 300] }]]);
    expect(m.nodes[3]?.attributes).toEqual([['alpha', 1, 0.25]]);
  });

  it('passes the checker with full shape inference, and ONNX Runtime computes it', async () => {
    const bytes = sampleGraph().toBytes();
    checkOnnx(bytes);
    const x = Float32Array.from({ length: 24 }, (_, i) => i - 6);
    const { out, Constant } = await runOnnx(bytes, { x: { data: x, dims: [2, 3, 2, 2] } });
    const scales = [0.5, -2, Math.fround(1e-3)];
    const expected = Array.from({ length: 6 }, (_, k) => {
      const base = k * 4;
      const s = ((x[base] ?? 0) + (x[base + 1] ?? 0) + (x[base + 2] ?? 0) + (x[base + 3] ?? 0)) * (scales[k % 3] ?? 0);
      return s < 0 ? 0.25 * s : s;
    });
    expect(out?.dims).toEqual([2, 3]);
    expect(Array.from(out?.data ?? [], Number)).toEqual(expected.map((v) => Math.fround(v)));
    expect(Array.from(Constant?.data ?? [], Number)).toEqual([-7, 300]);
  });

  it('writes every attribute kind: ints, floats and strings lists too', () => {
    const g = new OnnxGraph();
    const x = g.input('x', 'float32', [1, 1, 4, 4]);
    const y = g.node1('Custom', [x], { i: -3, is: [1, -1, 2 ** 40], f: attr.float(1 / 6), fs: attr.floats([0.5, -1.5]), s: 'linear' }, g.typeOf(x));
    g.output(y);
    const [node] = describeOnnx(g.toBytes()).nodes;
    expect(node?.attributes).toEqual([
      ['i', 2, -3],
      ['is', 7, [1, -1, 2 ** 40]],
      ['f', 1, Math.fround(1 / 6)],
      ['fs', 6, [0.5, -1.5]],
      ['s', 3, 'linear'],
    ]);
  });
});

describe('OnnxGraph errors name the value and the problem', () => {
  it('refuses a node input that is not in the graph', () => {
    const g = new OnnxGraph('net');
    expect(() => g.node('Relu', ['nowhere'])).toThrow(/input 'nowhere' of Relu node 'Relu' is not a graph input, initializer or node output/);
  });

  it('refuses a non-integer where an int attribute is written', () => {
    const g = new OnnxGraph();
    const x = g.input('x', 'float32', [1]);
    expect(() => g.node('HardSigmoid', [x], { alpha: 1 / 6 })).toThrow(/attribute 'alpha' = 0.1666.* is not an integer; write attr.float/);
  });

  it('refuses initializer data of the wrong size, taken names and graphs without outputs', () => {
    const g = new OnnxGraph('net');
    expect(() => g.initializer('w', 'float32', [2, 3], [1, 2])).toThrow(/'w' has dims \[2, 3\] \(6 values\) but 2 values/);
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/name 'x' is empty or already used/);
    expect(() => g.toBytes()).toThrow(/graph 'net' has no outputs/);
  });

  it('gives unique names to repeated hints and routes an input listed as output through Identity', () => {
    const g = new OnnxGraph();
    const x = g.input('x', 'float32', [2]);
    const a = g.initializer('w', 'float32', [2], [1, 2]);
    const b = g.initializer('w', 'float32', [2], [3, 4]);
    expect([a, b]).toEqual(['w', 'w_1']);
    expect(g.int64s([1, 2])).toBe(g.int64s([1, 2]));
    expect(g.output(x)).toBe('x_output');
    expect(g.opTypes()).toEqual(['Identity']);
  });
});
