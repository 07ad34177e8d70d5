import { describe, expect, it } from 'vitest';
import { describeChoice, setBackend } from './backend.js';
import { tf } from './tf.js';

describe('setBackend', () => {
  it("'auto' skips the native packages that are not installed and picks wasm", async () => {
    const choice = await setBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const skipped = choice.attempts.filter((a) => a.skipped);
    expect(skipped.map((a) => a.package)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(skipped.every((a) => a.skipped === 'not installed')).toBe(true);
    expect(describeChoice(choice)).toBe(
      'backend wasm (@tensorflow/tfjs-backend-wasm); skipped: @tensorflow/tfjs-node-gpu not installed, @tensorflow/tfjs-node not installed',
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
    await expect(setBackend('nope' as 'cpu')).rejects.toThrow(/unknown backend 'nope'/);
  });
});
