/**
 * The package's main entry in a real browser: @pixelwise/models (with @pixelwise/core and
 * TensorFlow.js) bundled for the browser by esbuild — no Node built-ins may be reachable — loaded
 * by Debian's Chromium (installed by scripts/ensure-chromium.sh) through playwright-core, where it
 * builds fcn8s-lite and segments a synthetic image on the wasm backend, writes an ONNX file
 * (a ResNet-18 backbone) that the onnx checker accepts and ONNX Runtime runs, and runs a model on
 * onnxruntime-web (wasm, one thread) through the same engine code as Node (`OnnxEngine` with the
 * page's `ort`), equal to its TensorFlow.js forward there.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { checkOnnx, runOnnx } from '@pixelwise/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'pixelwise-browser-'));
const artifacts = join(pkgDir, 'test-artifacts');
let server: Server;
let browser: Browser;
let url = '';

const ENTRY = `
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { setBackend, tf } from '@pixelwise/core';
import { buildOnnxGraph, createModel, generateScene, OnnxEngine, onnxSegmenter, ResNet, TfjsSegmenter } from '@pixelwise/models';
setWasmPaths('/');
ort.env.wasm.wasmPaths = '/';
ort.env.wasm.numThreads = 1;
window.onnxWeb = async () => {
  await setBackend('wasm');
  const model = createModel('lraspp_mobilenet_v3_large', { numClasses: 4, width: 0.25 });
  const engine = new OnnxEngine(ort, { device: 'cpu', threads: 1, runtime: 'onnxruntime-web ' + ort.env.versions.web });
  const segmenter = onnxSegmenter(engine, { model, name: 'lraspp_mobilenet_v3_large', options: { numClasses: 4 } });
  const scene = generateScene({ width: 64, height: 48, classes: 4, seed: 5 });
  const batch = { data: Uint8Array.from(scene.image), shape: [1, 48, 64] };
  const a = await segmenter.run(batch, { scores: true });
  const b = await new TfjsSegmenter(model).run(batch, { scores: true });
  let diff = 0;
  let scale = 0;
  b.scores.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - a.scores[i])); scale = Math.max(scale, Math.abs(v)); });
  const agree = a.labels.filter((v, i) => v === b.labels[i]).length / a.labels.length;
  await segmenter.dispose();
  model.dispose();
  return { runtime: engine.info.runtime, backend: engine.info.backend, relative: diff / scale, scale, agree, classes: new Set(a.labels).size };
};
window.segment = async () => {
  const choice = await setBackend('wasm');
  const scene = generateScene({ width: 64, height: 48, classes: 4, seed: 5 });
  const model = createModel('fcn8s-lite', { numClasses: 4 });
  const before = tf.memory().numTensors;
  const rgb = tf.tensor4d(Int32Array.from(scene.image), [1, 48, 64, 3], 'int32');
  const labels = model.predict(rgb);
  const data = Array.from(await labels.data());
  const shape = labels.shape;
  tf.dispose([rgb, labels]);
  return { backend: choice.backend, shape, min: Math.min(...data), max: Math.max(...data), leaked: tf.memory().numTensors - before, params: model.parameterCount() };
};
window.exportOnnx = async () => {
  await setBackend('wasm');
  const net = new ResNet({ depth: 18, width: 0.125 });
  const bytes = buildOnnxGraph(net, [3, 32, 32], (g, x) => ({ out: net.featuresToOnnx(g, x).at(-1) })).toBytes();
  net.dispose();
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
document.body.dataset.ready = '1';
`;

beforeAll(async () => {
  const executablePath = execFileSync('bash', [join(pkgDir, '..', '..', 'scripts', 'ensure-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  writeFileSync(join(root, 'entry.js'), ENTRY);
  await build({ entryPoints: [join(root, 'entry.js')], bundle: true, format: 'esm', platform: 'browser', outfile: join(root, 'bundle.js'), nodePaths: [join(pkgDir, 'node_modules')], alias: { '@pixelwise/models': join(pkgDir, 'dist', 'index.js') }, logLevel: 'error' });
  const wasmDir = dirname(createRequire(join(pkgDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  for (const f of readdirSync(join(wasmDir, 'dist'))) if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, 'dist', f), join(root, f));
  // onnxruntime-web's wasm build (one thread: no cross-origin isolation needed) and its loader.
  const ortDir = join(dirname(createRequire(join(pkgDir, 'package.json')).resolve('onnxruntime-web')), '..', 'dist');
  for (const f of readdirSync(ortDir)) if (/^ort-wasm-simd-threaded(\.jsep)?\.(wasm|mjs)$/.test(f)) copyFileSync(join(ortDir, f), join(root, f));
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><body><script type="module" src="/bundle.js"></script></body></html>');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').split('?')[0]?.slice(1) ?? '';
    try {
      const body = readFileSync(join(root, name));
      res.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A page with the bundle loaded, and the errors it throws. */
async function openPage() {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 60_000 });
  return { page, errors };
}

describe('@pixelwise/models in Chromium', () => {
  it('bundles for the browser and segments an image on the wasm backend', async () => {
    const { page, errors } = await openPage();
    const r = (await page.evaluate('window.segment()')) as { backend: string; shape: number[]; min: number; max: number; leaked: number; params: number };
    expect(errors).toEqual([]);
    expect(r.backend).toBe('wasm');
    expect(r.shape).toEqual([1, 48, 64]);
    expect(r.min).toBeGreaterThanOrEqual(0);
    expect(r.max).toBeLessThan(4);
    expect(r.leaked).toBe(0);
    expect(r.params).toBeGreaterThan(1e5);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'browser-models.png') });
    await page.close();
  });

  it('writes an ONNX file in the browser that the checker accepts and ONNX Runtime runs', async () => {
    const { page, errors } = await openPage();
    const bytes = new Uint8Array(Buffer.from((await page.evaluate('window.exportOnnx()')) as string, 'base64'));
    await page.close();
    expect(errors).toEqual([]);
    checkOnnx(bytes);
    const { out } = await runOnnx(bytes, { input: { data: new Float32Array(3 * 32 * 32).fill(0.5), dims: [1, 3, 32, 32] } });
    expect(out?.dims).toEqual([1, 64, 1, 1]);
    expect(Array.from(out?.data ?? [], Number).every(Number.isFinite)).toBe(true);
  });

  it('runs a model on onnxruntime-web (wasm) with the engine code Node uses, equal to TensorFlow.js', async () => {
    const { page, errors } = await openPage();
    const r = (await page.evaluate('window.onnxWeb()')) as { runtime: string; backend: string; relative: number; scale: number; agree: number; classes: number };
    await page.close();
    expect(errors).toEqual([]);
    expect(r.runtime).toMatch(/^onnxruntime-web 1\./);
    expect(r.backend).toBe('onnx-cpu');
    expect(r.scale).toBeGreaterThan(0);
    expect(r.relative).toBeLessThan(1e-4);
    expect(r.agree).toBeGreaterThan(0.99);
  });
});
