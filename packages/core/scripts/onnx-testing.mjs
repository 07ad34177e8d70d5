// Test helpers for ONNX files written with @pixelwise/core/onnx (Node only, not part of the
// browser-safe API): run a model with ONNX Runtime (onnxruntime-node, a devDependency of the
// packages whose tests use this) and validate it with Debian's onnx checker, which
// ../../scripts/ensure-python-onnx.sh installs when missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ensureScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'ensure-python-onnx.sh');

let python;
/** Path of a Python that imports onnx (installed on first use). */
function pythonWithOnnx() {
  if (python) return python;
  const ensured = spawnSync('bash', [ensureScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (ensured.status !== 0) throw new Error(`python3-onnx is not available: ${ensureScript} exited ${ensured.status}`);
  python = ensured.stdout.trim().split('\n').pop();
  return python;
}

/** Runs a Python snippet with the model's path as sys.argv[1]; returns stdout. */
function withModelFile(bytes, code) {
  const dir = mkdtempSync(join(tmpdir(), 'pixelwise-onnx-'));
  const file = join(dir, 'model.onnx');
  try {
    writeFileSync(file, bytes);
    const r = spawnSync(pythonWithOnnx(), ['-c', code, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const last = (r.stderr || r.stdout || '').trim().split('\n').pop();
      throw new Error(`onnx (python) rejected the model: ${last}`);
    }
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `onnx.checker.check_model` on the bytes, by default with `full_check` (strict shape inference,
 * which also compares the file's value_info with the shapes ONNX infers). Throws with the
 * checker's message.
 */
export function checkOnnx(bytes, { fullCheck = true } = {}) {
  withModelFile(bytes, `import sys, onnx\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=${fullCheck ? 'True' : 'False'})`);
}

/**
 * What the onnx package reads from the bytes: versions, opsets, metadata, inputs, outputs, nodes,
 * initializers; `values: false` leaves the initializers' values out (large models).
 */
export function describeOnnx(bytes, { values = true } = {}) {
  const code = `
import sys, json, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
def dims(v):
    return [d.dim_param if d.HasField('dim_param') else d.dim_value for d in v.type.tensor_type.shape.dim]
def value(v):
    return {'name': v.name, 'elemType': v.type.tensor_type.elem_type, 'dims': dims(v)}
def attr(a):
    v = onnx.helper.get_attribute_value(a)
    if isinstance(v, bytes): v = v.decode()
    elif isinstance(v, onnx.TensorProto): v = {'dims': list(v.dims), 'values': numpy_helper.to_array(v).ravel().tolist()}
    elif isinstance(v, (list, tuple)): v = list(v)
    return [a.name, a.type, v]
print(json.dumps({
  'irVersion': m.ir_version, 'producerName': m.producer_name, 'producerVersion': m.producer_version, 'docString': m.doc_string,
  'opsets': [[o.domain, o.version] for o in m.opset_import],
  'metadata': {p.key: p.value for p in m.metadata_props},
  'graphName': m.graph.name,
  'inputs': [value(v) for v in m.graph.input], 'outputs': [value(v) for v in m.graph.output],
  'valueInfo': [value(v) for v in m.graph.value_info],
  'nodes': [{'op': n.op_type, 'name': n.name, 'inputs': list(n.input), 'outputs': list(n.output), 'attributes': [attr(a) for a in n.attribute]} for n in m.graph.node],
  'initializers': [{'name': t.name, 'dataType': t.data_type, 'dims': list(t.dims), 'values': numpy_helper.to_array(t).ravel().tolist() if ${values ? 'True' : 'False'} else []} for t in m.graph.initializer],
}))`;
  return JSON.parse(withModelFile(bytes, code));
}

/**
 * Runs the model once with ONNX Runtime (CPU, one thread, graph optimisation 'all' as deployed).
 * `feeds` maps input names to `{ data, dims }` (Float32Array, Int32Array, BigInt64Array or Uint8Array);
 * returns every output as `{ data, dims }`.
 */
export async function runOnnx(bytes, feeds, { optimization = 'all' } = {}) {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: optimization });
  try {
    const inputs = {};
    for (const [name, { data, dims }] of Object.entries(feeds)) {
      const type = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'uint8' : 'int64';
      inputs[name] = new ort.Tensor(type, data, dims);
    }
    const results = await session.run(inputs);
    const out = {};
    for (const [name, t] of Object.entries(results)) out[name] = { data: t.data, dims: [...t.dims] };
    return out;
  } finally {
    await session.release();
  }
}

/** Normwise relative error `max|a - b| / max|b|`, the measure the export tests bound. */
export function relativeError(actual, expected) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(Number(actual[i]) - Number(expected[i])));
    scale = Math.max(scale, Math.abs(Number(expected[i])));
  }
  return diff / Math.max(scale, 1e-12);
}

/** `[N, H, W, C]` row-major values to `[N, C, H, W]` (ONNX's layout); other ranks unchanged. */
export function toOnnxLayout(data, dims) {
  if (dims.length !== 4) return { data, dims: [...dims] };
  const [n, h, w, c] = dims;
  const out = new data.constructor(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return { data: out, dims: [n, c, h, w] };
}

/**
 * Checks the model with the onnx checker, runs it with ONNX Runtime on `feeds` and compares every
 * output named in `expected` (ONNX layout) within `tolerance` (normwise relative). Throws one line
 * naming the output and what differs. Returns the errors by output.
 */
export async function expectOnnxOutputs(bytes, feeds, expected, tolerance) {
  checkOnnx(bytes);
  const results = await runOnnx(bytes, feeds);
  const errors = {};
  for (const [name, want] of Object.entries(expected)) {
    const got = results[name];
    if (!got) throw new Error(`output '${name}': ONNX Runtime returned none (outputs: ${Object.keys(results).join(', ')})`);
    if (got.dims.join() !== want.dims.join()) throw new Error(`output '${name}': shape [${got.dims.join(', ')}], expected [${want.dims.join(', ')}]`);
    const err = relativeError(got.data, want.data);
    if (!(err <= tolerance)) throw new Error(`output '${name}': relative error ${err.toExponential(2)} exceeds ${tolerance}`);
    errors[name] = err;
  }
  return errors;
}
