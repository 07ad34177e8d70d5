import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from './backend.js';
import { FormatError, writeSafetensors } from './io/index.js';
import { tf } from './tf.js';
import { safetensorsToTensors, tensorsToSafetensors } from './weights.js';

describe('weights as safetensors', () => {
  beforeAll(() => setBackend('cpu'));

  it('round-trips float32, int32 and bool tensors with metadata', () => {
    const a = tf.tensor([[1.5, -2], [3, 4.25]]);
    const b = tf.tensor([7, -8, 9], [3], 'int32');
    const c = tf.tensor([true, false], [2], 'bool');
    const bytes = tensorsToSafetensors({ 'layer.weight': a, 'layer.count': b, mask: c }, { format: 'pt' });
    const { tensors, metadata } = safetensorsToTensors(bytes, 'w.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['layer.weight', 'layer.count', 'mask']);
    expect(tensors.get('layer.weight')?.arraySync()).toEqual([[1.5, -2], [3, 4.25]]);
    expect(tensors.get('layer.count')?.dtype).toBe('int32');
    expect(tensors.get('layer.count')?.arraySync()).toEqual([7, -8, 9]);
    expect(tensors.get('mask')?.arraySync()).toEqual([1, 0]);
    tf.dispose([a, b, c, ...tensors.values()]);
  });

  it('reads torchvision-style F16, BF16 and I64 (num_batches_tracked) tensors', () => {
    const bytes = writeSafetensors({
      half: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
      brain: { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3f80]) },
      'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: new BigInt64Array([12n]) },
    });
    const { tensors } = safetensorsToTensors(bytes);
    expect(tensors.get('half')?.arraySync()).toEqual([1, -2]);
    expect(tensors.get('brain')?.arraySync()).toEqual([1]);
    expect(tensors.get('bn.num_batches_tracked')?.arraySync()).toBe(12);
    tf.dispose([...tensors.values()]);
  });

  it('rejects 64-bit values TensorFlow.js cannot hold, naming file and tensor, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const bytes = writeSafetensors({
      ok: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
      big: { dtype: 'I64', shape: [1], data: new BigInt64Array([2n ** 40n]) },
    });
    expect(() => safetensorsToTensors(bytes, 'model.safetensors')).toThrow(FormatError);
    expect(() => safetensorsToTensors(bytes, 'model.safetensors')).toThrow(/^model\.safetensors: tensor 'big' \(I64\) holds 1099511627776, outside the int32 range/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
