/** The built `pixelwise` binary, run as a user would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('pixelwise CLI', () => {
  it('--help lists every command of the design', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const c of ['data', 'eval', 'eval-video', 'train', 'bench', 'leaderboard', 'compare', 'dashboard', 'demo', 'env']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it('env --json reports versions, backends, the auto choice and the CPU', () => {
    const r = cli('env', '--json');
    expect(r.status).toBe(0);
    const env = JSON.parse(r.stdout) as {
      node: string;
      tfjs: Record<string, string>;
      backends: Array<{ backend: string; package: string; available: boolean; reason?: string }>;
      auto: { backend: string };
      cpu: { model: string; cores: number };
      gpu: string[];
      engines: Array<{ engine: string; runtime: string; available: boolean; providers?: Array<{ name: string; available: boolean; reason?: string }> }>;
      defaultEngine: string;
    };
    expect(env.node).toBe(process.version);
    // Each engine and ONNX Runtime's execution providers: available, or why not.
    const onnx = env.engines.find((e) => e.engine === 'onnx');
    expect(onnx).toMatchObject({ available: true, runtime: expect.stringMatching(/^onnxruntime-node 1\./) });
    expect(onnx?.providers?.find((p) => p.name === 'cpu')).toEqual({ name: 'cpu', available: true });
    const webgpu = onnx?.providers?.find((p) => p.name === 'webgpu');
    expect(webgpu?.available || (webgpu?.reason ?? '').length > 0).toBe(true);
    expect(env.engines.find((e) => e.engine === 'tfjs')).toMatchObject({ available: true });
    expect(env.defaultEngine).toBe('onnx');
    expect(env.tfjs['tfjs-core']).toMatch(/^4\./);
    expect(env.tfjs['tfjs-backend-wasm']).toMatch(/^4\./);
    expect(env.backends.find((b) => b.package === '@tensorflow/tfjs-backend-wasm')?.available).toBe(true);
    expect(env.backends.find((b) => b.package === '@tensorflow/tfjs-node')).toMatchObject({ available: false, reason: 'not installed' });
    expect(env.auto.backend).toBe('wasm');
    expect(env.cpu.cores).toBeGreaterThan(0);
    expect(Array.isArray(env.gpu)).toBe(true);
  });

  it('env prints a readable report', () => {
    const r = cli('env');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^auto picks {2}wasm/m);
    expect(r.stdout).toMatch(/^cpu {9}.+, \d+ cores/m);
  });

  it('an unknown command or backend is a usage error', () => {
    expect(cli('segment-everything').status).toBe(2);
    const r = cli('demo', '--backend', 'quantum');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/argument 'quantum' is invalid/);
  });

  it('demo: a bad flag is one line and exit 2, before any step runs', () => {
    const r = cli('demo', '--port', 'http', '--dir', 'never-created');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['pixelwise: --port: expected an integer']);
    expect(r.stdout).toBe('');
  });
});
