import { describe, expect, it } from 'vitest';
import { describeChoice, setBackend } from './backend.js';
import { tf } from './tf.js';

describe('setBackend', () => {
  it("'auto' skips the native packages that are not installed and WebGPU without a GPU, and picks wasm", async () => {
    const choice = await setBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const skipped = choice.attempts.filter((a) => a.skipped);
    expect(skipped.map((a) => a.package)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-webgpu']);
    expect(skipped.slice(0, 2).every((a) => a.skipped === 'not installed')).toBe(true);
    // No GPU on our machines: no device node, or (with one) no adapter Dawn can use, or not installed.
    expect(skipped[2]?.skipped).toMatch(/^(not installed|failed to load: no GPU device|failed to load: no WebGPU adapter)/);
    expect(describeChoice(choice)).toMatch(
      /^backend wasm \(@tensorflow\/tfjs-backend-wasm\); skipped: @tensorflow\/tfjs-node-gpu not installed, @tensorflow\/tfjs-node not installed, @tensorflow\/tfjs-backend-webgpu /,
    );
  });

  it('selects cpu and wasm explicitly and can switch back and forth', async () => {
    expect((await setBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await setBackend('wasm')).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('explains why an explicitly requested backend is unavailable', async () => {
    await expect(setBackend('tensorflow')).rejects.toThrow(
      "no TensorFlow.js backend 'tensorflow' could be initialised (@tensorflow/tfjs-node-gpu: not installed; @tensorflow/tfjs-node: not installed)",
    );
    await expect(setBackend('webgl')).rejects.toThrow(/no TensorFlow.js backend 'webgl' could be initialised/);
    await expect(setBackend('webgpu')).rejects.toThrow(/no TensorFlow.js backend 'webgpu' could be initialised \(@tensorflow\/tfjs-backend-webgpu: (not installed|failed to load: no GPU device|failed to load: no WebGPU adapter)/);
    await expect(setBackend('nope' as 'cpu')).rejects.toThrow(/unknown backend 'nope'/);
  });
});
