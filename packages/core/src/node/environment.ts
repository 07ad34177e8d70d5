/** What `pixelwise env` reports: runtime, TensorFlow.js packages, backends, CPU and GPU. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { setBackend, type BackendChoice, type ConcreteBackend } from '../backend.js';
import { tf } from '../tf.js';

export interface BackendAvailability {
  backend: ConcreteBackend;
  package: string;
  version: string | null;
  available: boolean;
  /** Why it cannot be used, when it cannot. */
  reason?: string;
}

export interface EnvironmentReport {
  node: string;
  platform: string;
  tfjs: Record<string, string>;
  backends: BackendAvailability[];
  auto: BackendChoice;
  cpu: { model: string; cores: number; memoryGiB: number };
  gpu: string[];
}

const require = createRequire(import.meta.url);

/** Installed version of a package, or null when it cannot be resolved from here. */
export function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** GPUs that `nvidia-smi` reports, as "name, memory, driver"; empty when there is none. */
export function detectGpus(): string[] {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n').map((l) => l.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

const probes: Array<{ backend: ConcreteBackend; package: string }> = [
  { backend: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' },
  { backend: 'tensorflow', package: '@tensorflow/tfjs-node' },
  { backend: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' },
  { backend: 'wasm', package: '@tensorflow/tfjs-backend-wasm' },
  { backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu' },
];

/**
 * Probes every backend (loading each once), then leaves the `auto` choice active.
 */
export async function describeEnvironment(): Promise<EnvironmentReport> {
  const backends: BackendAvailability[] = [];
  for (const p of probes) {
    const version = packageVersion(p.package);
    if (version === null && p.backend !== 'cpu') {
      backends.push({ ...p, version, available: false, reason: 'not installed' });
      continue;
    }
    try {
      const choice = await setBackend(p.backend);
      const mine = choice.attempts.find((a) => a.package === p.package);
      if (mine && !mine.skipped) backends.push({ ...p, version: version ?? tf.version['tfjs-backend-cpu'] ?? null, available: true });
      else backends.push({ ...p, version, available: false, reason: mine?.skipped ?? `another package provided '${p.backend}'` });
    } catch (e) {
      const reason = choice(e, p.package);
      backends.push({ ...p, version, available: false, reason });
    }
  }
  const auto = await setBackend('auto');
  const cpus = os.cpus();
  const versions: Record<string, string> = {};
  for (const [k, v] of Object.entries(tf.version)) if (typeof v === 'string') versions[k] = v;
  const wasmVersion = packageVersion('@tensorflow/tfjs-backend-wasm');
  if (wasmVersion) versions['tfjs-backend-wasm'] = wasmVersion;
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    tfjs: versions,
    backends,
    auto,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10 },
    gpu: detectGpus(),
  };
}

function choice(e: unknown, pkg: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = msg.match(new RegExp(`${pkg.replace(/[/.-]/g, '\\$&')}: ([^;)]*)`));
  return m?.[1] ?? msg;
}
