/**
 * onnxruntime-node, an optional peer: loaded on demand, its execution providers probed, and the
 * inference engine chosen from `--engine`, `--device` and `--threads`: ONNX Runtime when it loads
 * (unless TensorFlow.js is asked for), WebGPU only where an adapter exists (never a silent
 * fallback to the CPU), threads explicit so that every run can record them.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { cpuDevice, detectGpus } from '@pixelwise/core/node';
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import { OnnxEngine, type OnnxDevice } from '../engine/onnx-engine.js';
import { onnxSegmenter, type ModelForExport } from '../engine/onnx-segmenter.js';
import type { OrtModule } from '../engine/ort.js';
import { TfjsSegmenter, type EngineInfo, type EngineName, type ImageSegmenter } from '../engine/segmenter.js';

/** A bad engine choice or an engine that cannot run here: one line saying what is missing. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
}

export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

type Loaded = { ort: OrtModule; version: string } | { error: string };
let loaded: Promise<Loaded> | undefined;

/** onnxruntime-node and its version, or why it does not load (not installed, a broken binary). */
export function loadOnnxRuntime(): Promise<Loaded> {
  loaded ??= (async () => {
    try {
      // A variable specifier: bundlers and type checkers leave the optional peer alone.
      const name = ONNX_RUNTIME_PACKAGE;
      const ort = (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as OrtModule & { default?: OrtModule };
      const mod = typeof ort.InferenceSession?.create === 'function' ? ort : (ort.default as OrtModule);
      return { ort: mod, version: mod.env.versions?.node ?? mod.env.versions?.common ?? 'unknown' };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const notFound = err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND';
      return { error: notFound ? 'not installed' : `failed to load: ${String(err.message ?? e).split('\n')[0]}` };
    }
  })();
  return loaded;
}

/** A one-node model for probing execution providers. */
function probeModel(): Uint8Array {
  const g = new OnnxGraph('probe');
  g.output(onnx.relu(g, g.input('x', 'float32', [1, 1, 2, 2])), 'y');
  return g.toBytes();
}

const probes = new Map<OnnxDevice, string | null>();

/**
 * Whether ONNX Runtime's `device` provider can create a session and run here: null when it can,
 * else the reason. WebGPU is probed in a child process, because Dawn writes its adapter search
 * (Vulkan warnings) straight to the process's stderr, which must stay one line on failure.
 */
export function probeExecutionProvider(device: OnnxDevice): string | null {
  const known = probes.get(device);
  if (known !== undefined) return known;
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(ONNX_RUNTIME_PACKAGE);
  } catch {
    return `${ONNX_RUNTIME_PACKAGE} is not installed`;
  }
  const script = `const ort = require(${JSON.stringify(path)});
const bytes = Buffer.from(process.argv[1], 'base64');
ort.InferenceSession.create(bytes, { executionProviders: [${JSON.stringify(device)}] })
  .then((s) => s.run({ x: new ort.Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 1, 2, 2]) }))
  .then((r) => { process.stdout.write(r.y.data[1] === 2 ? 'ok' : 'wrong result'); })
  .catch((e) => { process.stdout.write('error: ' + String(e && e.message || e)); });`;
  const r = spawnSync(process.execPath, ['-e', script, Buffer.from(probeModel()).toString('base64')], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const out = (r.stdout ?? '').trim();
  let reason: string | null = out === 'ok' ? null : out.startsWith('error: ') ? out.slice(7) : `the probe exited ${r.status ?? r.signal ?? 'without output'}`;
  // ONNX Runtime's messages carry a source path and a failed assertion before what matters.
  if (reason) reason = (reason.match(/(Failed to get a WebGPU adapter[^\n]*)/)?.[1] ?? reason.split('\n')[0] ?? reason).trim();
  probes.set(device, reason);
  return reason;
}

/** What `--engine`, `--device` and `--threads` ask for (undefined: the defaults). */
export interface EngineRequest {
  engine?: EngineName;
  device?: OnnxDevice;
  threads?: number;
}

/** The engine a command runs on: ONNX Runtime with its settings, or TensorFlow.js (and why, when ONNX Runtime was not asked against). */
export type EngineChoice = { engine: 'onnx'; onnx: OnnxEngine } | { engine: 'tfjs'; why: string };

/**
 * Chooses the engine: `--engine onnx` needs onnxruntime-node; no `--engine` takes it when it
 * loads, else TensorFlow.js; `--device webgpu` needs a WebGPU adapter (no fallback to the CPU);
 * `--threads` (default: the logical CPUs) is ONNX Runtime's.
 */
export async function chooseEngine(r: EngineRequest): Promise<EngineChoice> {
  const device = r.device ?? 'cpu';
  if (r.engine === 'tfjs') {
    if (device !== 'cpu') throw new EngineError(`--device ${device} runs on --engine onnx (ONNX Runtime's ${device} execution provider); TensorFlow.js picks its device with --backend`);
    if (r.threads !== undefined) throw new EngineError(`--threads applies to --engine onnx; TensorFlow.js's wasm backend runs one thread in Node`);
    return { engine: 'tfjs', why: '--engine tfjs' };
  }
  const rt = await loadOnnxRuntime();
  if ('error' in rt) {
    if (r.engine === 'onnx' || device !== 'cpu' || r.threads !== undefined) throw new EngineError(`--engine onnx: ${ONNX_RUNTIME_PACKAGE} ${rt.error} (it is an optional peer: npm install ${ONNX_RUNTIME_PACKAGE})`);
    return { engine: 'tfjs', why: `${ONNX_RUNTIME_PACKAGE} ${rt.error}` };
  }
  if (device !== 'cpu') {
    const missing = probeExecutionProvider(device);
    if (missing) throw new EngineError(`--device ${device}: ONNX Runtime's WebGPU execution provider cannot run here (${missing}); it needs a GPU with a Vulkan driver and loader (libvulkan1), and pixelwise does not fall back to the CPU`);
  }
  const threads = r.threads ?? availableParallelism();
  return { engine: 'onnx', onnx: new OnnxEngine(rt.ort, { device, threads, runtime: `${ONNX_RUNTIME_PACKAGE} ${rt.version}` }) };
}

/** The segmenter of a loaded model on the chosen engine (the model stays the caller's to dispose). */
export function segmenterFor(c: EngineChoice, source: ModelForExport): ImageSegmenter {
  return c.engine === 'onnx' ? onnxSegmenter(c.onnx, source) : new TfjsSegmenter(source.model);
}

/**
 * The device an ONNX Runtime engine computes on, in words (recorded with a run): the CPU model,
 * or for WebGPU the first GPU `nvidia-smi` names (else "WebGPU adapter").
 */
export function engineDevice(info: EngineInfo): string {
  if (info.executionProvider === 'webgpu') return detectGpus()[0]?.split(',')[0]?.trim() ?? 'WebGPU adapter';
  return cpuDevice();
}

/** One line for progress output: which engine, why, and its settings. */
export function describeEngine(c: EngineChoice, tfjsBackend?: string): string {
  if (c.engine === 'onnx') {
    const i = c.onnx.info;
    return `engine onnx (${i.runtime}, ${i.executionProvider} execution provider, ${i.threads} thread${i.threads === 1 ? '' : 's'})`;
  }
  return `engine tfjs${tfjsBackend ? ` (${tfjsBackend})` : ''}: ${c.why}`;
}

/** Availability of each engine and execution provider, for `pixelwise env`. */
export interface EngineAvailability {
  engine: EngineName;
  runtime: string;
  available: boolean;
  reason?: string;
  providers?: Array<{ name: string; available: boolean; reason?: string }>;
}

/** ONNX Runtime and each of its execution providers (available, or why not), probing the bundled ones. */
export async function describeOnnxRuntime(): Promise<EngineAvailability> {
  const rt = await loadOnnxRuntime();
  if ('error' in rt) return { engine: 'onnx', runtime: ONNX_RUNTIME_PACKAGE, available: false, reason: rt.error };
  const listed = (rt.ort as OrtModule & { listSupportedBackends?: () => Array<{ name: string; bundled: boolean }> }).listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  const providers = listed.map((b) => {
    if (!b.bundled) return { name: b.name, available: false, reason: `not bundled: ${ONNX_RUNTIME_PACKAGE}'s install script downloads its binaries, which pixelwise leaves skipped` };
    if (b.name !== 'cpu' && b.name !== 'webgpu') return { name: b.name, available: false, reason: 'not used by pixelwise' };
    const reason = probeExecutionProvider(b.name);
    return reason ? { name: b.name, available: false, reason } : { name: b.name, available: true };
  });
  return { engine: 'onnx', runtime: `${ONNX_RUNTIME_PACKAGE} ${rt.version}`, available: true, providers };
}
