/**
 * Backend selection. `auto` prefers native TensorFlow (GPU, then CPU), then WebGPU (in Node through
 * the `webgpu` package's Dawn binding, where a GPU adapter exists), then WebAssembly, then the
 * pure-JS CPU backend, and reports why each better option was skipped. The native and GPU packages
 * are optional peers: a user who installs `@tensorflow/tfjs-node-gpu` (or `webgpu` and
 * `@tensorflow/tfjs-backend-webgpu`) gets it, nobody needs it.
 */
import { registerWasmKernels } from './backends/wasm-kernels.js';
import { tf } from './tf.js';

export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' | 'webgl';
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendAttempt {
  /** Backend (and the package that provides it). */
  backend: ConcreteBackend;
  package: string;
  /** Why it was not chosen; absent for the chosen one. */
  skipped?: string;
}

export interface BackendChoice {
  /** The backend now active in `tf.getBackend()`. */
  backend: ConcreteBackend;
  /** Package that provides it, e.g. `@tensorflow/tfjs-backend-wasm`. */
  package: string;
  /** Everything tried, in order, with the reason each was skipped. */
  attempts: BackendAttempt[];
}

interface Candidate {
  backend: ConcreteBackend;
  package: string;
  load: () => Promise<void>;
}

/** Imports a module by a name bundlers leave alone (optional peers, Node-only helpers). */
async function importOptional<T = unknown>(name: string): Promise<T> {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as T;
}

/** Node-only: the GPU device check (a variable specifier, so browser bundles never include it). */
const GPU_DEVICE_MODULE = './node/gpu-device.js';

/**
 * WebGPU in Node: `webgpu` (Dawn) provides `navigator.gpu`, then the backend registers. Without a
 * GPU device node there is nothing for Dawn to find (it would only print Vulkan warnings), so
 * that is checked first; in a browser `navigator.gpu` is already there.
 */
async function loadWebGpu(): Promise<void> {
  const g = globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } }; process?: { versions?: { node?: string } } };
  if (!g.navigator?.gpu && g.process?.versions?.node) {
    const { hasGpuDevice } = await importOptional<{ hasGpuDevice(): string | undefined }>(new URL(GPU_DEVICE_MODULE, import.meta.url).href);
    const missing = hasGpuDevice();
    if (missing) throw new Error(missing);
    const dawn = await importOptional<{ create(flags: string[]): unknown; globals: Record<string, unknown> }>('webgpu');
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    (globalThis as unknown as { navigator: object }).navigator = Object.assign(g.navigator ?? {}, { gpu });
  }
  const adapter = await (globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (the GPU driver offers none Dawn can use; a software Vulkan such as lavapipe lacks features Dawn needs)');
  await importOptional('@tensorflow/tfjs-backend-webgpu');
}

function describeError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const line = String(err.message ?? e).split('\n')[0] ?? '';
  // Node says ERR_MODULE_NOT_FOUND; bundlers and test runners word it their own way.
  if (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND' || /^(Could not resolve|Cannot find (module|package)|Failed to resolve)/.test(line)) {
    return 'not installed';
  }
  return `failed to load: ${line}`;
}

const candidates: Record<ConcreteBackend, Candidate[]> = {
  tensorflow: [
    { backend: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', load: () => importOptional('@tensorflow/tfjs-node-gpu') },
    { backend: 'tensorflow', package: '@tensorflow/tfjs-node', load: () => importOptional('@tensorflow/tfjs-node') },
  ],
  webgpu: [{ backend: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', load: loadWebGpu }],
  wasm: [{ backend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', load: () => importOptional('@tensorflow/tfjs-backend-wasm') }],
  webgl: [{ backend: 'webgl', package: '@tensorflow/tfjs-backend-webgl', load: async () => undefined }],
  cpu: [{ backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu', load: async () => undefined }],
};

const autoOrder: ConcreteBackend[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

async function activate(c: Candidate): Promise<void> {
  // A bundle (or the page itself) may have registered the backend already: then nothing to import.
  if (!tf.findBackendFactory(c.backend)) await c.load();
  if (c.backend === 'wasm') registerWasmKernels();
  if (!tf.findBackendFactory(c.backend)) throw new Error(`${c.package} registered no '${c.backend}' backend`);
  const ok = await tf.setBackend(c.backend);
  if (!ok) throw new Error(`backend '${c.backend}' failed to initialise`);
  await tf.ready();
  if (c.backend === 'cpu') {
    // Silence the CPU backend's one-time "install tfjs-node" banner; `pixelwise env` says it better.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
}

/**
 * Selects and initialises a TensorFlow.js backend.
 *
 * @param name `'auto'` (default): tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu — the first that loads.
 * @returns what was chosen and why the others were skipped
 * @throws when an explicitly named backend cannot be loaded (with the reason)
 */
export async function setBackend(name: BackendName = 'auto'): Promise<BackendChoice> {
  const order = name === 'auto' ? autoOrder : [name];
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const list = candidates[backend];
    if (!list) throw new Error(`unknown backend '${backend}': expected one of auto, tensorflow, webgpu, wasm, cpu, webgl`);
    for (const c of list) {
      try {
        await activate(c);
        attempts.push({ backend: c.backend, package: c.package });
        return { backend: c.backend, package: c.package, attempts };
      } catch (e) {
        attempts.push({ backend: c.backend, package: c.package, skipped: describeError(e) });
      }
    }
  }
  const reasons = attempts.map((a) => `${a.package}: ${a.skipped ?? 'unknown'}`).join('; ');
  throw new Error(`no TensorFlow.js backend '${name}' could be initialised (${reasons})`);
}

/** One-line summary of a {@link BackendChoice}, e.g. for progress output. */
export function describeChoice(choice: BackendChoice): string {
  const skipped = choice.attempts.filter((a) => a.skipped).map((a) => `${a.package} ${a.skipped}`);
  return `backend ${choice.backend} (${choice.package})${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}`;
}
