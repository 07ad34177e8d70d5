/**
 * `pixelwise predict --logits` against torchvision: weights with torchvision's own key names
 * (hash-generated exactly as scripts/make_torchvision_fixtures.py does) are loaded by the CLI,
 * and the written float32 [C,H,W] logits equal torchvision 0.14's eval-mode `out` within 1e-3 on
 * both engines (`--engine onnx`, ONNX Runtime; `--engine tfjs`, TensorFlow.js). The small LR-ASPP
 * model runs here every time; the ResNet-50 ones run in @pixelwise/models. Engine choices that
 * cannot run (WebGPU without an adapter, threads on TensorFlow.js) fail with one line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, readNpy, writeSafetensors, type SafetensorsEntry } from '@pixelwise/core/io';
import { hashedWeight } from '@pixelwise/models';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../packages/models/fixtures/torchvision/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir });

function torchvisionWeights(model: string): string {
  const manifest = JSON.parse(readFileSync(join(fixtures, `${model}.keys.json`), 'utf8')) as { keys: Array<{ key: string; shape: number[]; dtype: 'F32' | 'I64' }> };
  const entries = new Map<string, SafetensorsEntry>();
  for (const k of manifest.keys) {
    const n = k.shape.reduce((a, b) => a * b, 1);
    entries.set(k.key, k.dtype === 'I64' ? { dtype: 'I64', shape: k.shape, data: new BigInt64Array(n) } : { dtype: 'F32', shape: k.shape, data: hashedWeight(k.key, k.shape) });
  }
  const path = join(dir, `${model}.safetensors`);
  writeFileSync(path, writeSafetensors(entries, { format: 'pt' }));
  return path;
}

/** Normwise relative difference of predict's logits in `out` from torchvision's for `model`. */
function logitsError(out: string, model: string): number {
  const ours = readNpy(readFileSync(join(dir, out, 'input.npy')));
  const ref = readNpy(readFileSync(join(fixtures, `${model}.out.npy`)));
  expect(ours.shape).toEqual(ref.shape);
  const a = ours.data as Float32Array;
  const b = ref.data as Float32Array;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
  }
  return diff / scale;
}

describe('pixelwise predict', () => {
  it('lraspp_mobilenet_v3_large --logits equals torchvision within 1e-3, from safetensors and from its .pth', () => {
    const weights = torchvisionWeights('lraspp_mobilenet_v3_large');
    mkdirSync(join(dir, 'in'), { recursive: true });
    copyFileSync(join(fixtures, 'input.png'), join(dir, 'in', 'input.png'));
    for (const engine of ['onnx', 'tfjs']) {
      const r = cli('predict', '--model', 'lraspp_mobilenet_v3_large', '--weights', weights, '--input', 'in', '--out', `out-${engine}`, '--logits', '--quiet', '--engine', engine);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(engine === 'onnx' ? /engine onnx \(onnxruntime-node [\d.]+, cpu execution provider, \d+ threads?\)/ : /engine tfjs \(wasm\)/);
      expect(logitsError(`out-${engine}`, 'lraspp_mobilenet_v3_large')).toBeLessThan(1e-3);
    }
    // The default engine is ONNX Runtime when it loads.
    const r = cli('predict', '--model', 'lraspp_mobilenet_v3_large', '--weights', weights, '--input', 'in', '--out', 'out', '--logits', '--quiet', '--threads', '2');
    expect(r.stderr).toMatch(/engine onnx .*2 threads/);
    expect(logitsError('out', 'lraspp_mobilenet_v3_large')).toBeLessThan(1e-3);
    // The same weights as torch.save wrote them (zip format; scripts/make_torchvision_fixtures.py --pth).
    const pth = cli('predict', '--model', 'lraspp_mobilenet_v3_large', '--weights', join(fixtures, 'lraspp_mobilenet_v3_large.pth'), '--input', 'in', '--out', 'out-pth', '--logits', '--quiet');
    expect(pth.status, pth.stderr).toBe(0);
    expect(logitsError('out-pth', 'lraspp_mobilenet_v3_large')).toBeLessThan(1e-3);
    // The label map is the argmax of those logits, as an 8-bit PNG of the input's size.
    const png = readFileSync(join(dir, 'out', 'input.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses an image that is not RGB, weights for another architecture, and an unknown model', () => {
    const gray = join(dir, 'gray.png');
    writeFileSync(gray, encodePng({ width: 4, height: 4, channels: 1, depth: 8, data: new Uint8Array(16) }));
    const weights = join(dir, 'lraspp_mobilenet_v3_large.safetensors');
    const notRgb = cli('predict', '--model', 'lraspp_mobilenet_v3_large', '--weights', weights, '--input', gray, '--out', 'o2');
    expect(notRgb.status).toBe(2);
    expect(notRgb.stderr.trim()).toBe(`pixelwise: ${gray}: expected an RGB image, found a gray PNG (8-bit)`);
    const wrong = cli('predict', '--model', 'fcn8s-lite', '--weights', weights, '--input', gray, '--out', 'o3');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/weights do not fit this model: \d+ missing keys .*\d+ unexpected keys \(backbone\.0\.0\.weight/);
    const unknown = cli('predict', '--model', 'fcn4s', '--weights', weights, '--input', gray, '--out', 'o4');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^pixelwise: --model: unknown model 'fcn4s'; valid models: fcn32s, /);
  });

  it('engine choices that cannot run: one line, exit 2, nothing written', () => {
    const weights = join(dir, 'lraspp_mobilenet_v3_large.safetensors');
    const args = ['predict', '--model', 'lraspp_mobilenet_v3_large', '--weights', weights, '--input', 'in', '--out', 'o5'];
    const threads = cli(...args, '--engine', 'tfjs', '--threads', '2');
    expect(threads.status).toBe(2);
    expect(threads.stderr.trim()).toBe("pixelwise: --threads applies to --engine onnx; TensorFlow.js's wasm backend runs one thread in Node");
    const tfjsGpu = cli(...args, '--engine', 'tfjs', '--device', 'webgpu');
    expect(tfjsGpu.stderr.trim().split('\n')).toHaveLength(1);
    expect(tfjsGpu.stderr).toMatch(/--device webgpu runs on --engine onnx/);
    const gpu = cli(...args, '--device', 'webgpu');
    if (gpu.status !== 0) {
      // No WebGPU adapter here (CI): say so, do not fall back to the CPU.
      expect(gpu.status).toBe(2);
      expect(gpu.stderr.trim().split('\n')).toHaveLength(1);
      expect(gpu.stderr).toMatch(/^pixelwise: --device webgpu: ONNX Runtime's WebGPU execution provider cannot run here \(.+\); it needs a GPU with a Vulkan driver/);
      expect(existsSync(join(dir, 'o5'))).toBe(false);
    }
  });
});
