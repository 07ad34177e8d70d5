/**
 * Test support (not exported): torchvision state dicts of the parity fixtures, rebuilt from the
 * committed key manifests with hash-generated values (scripts/make_torchvision_fixtures.py).
 */
import { readFileSync } from 'node:fs';
import { writeSafetensors, type SafetensorsEntry } from '@pixelwise/core/io';
import { hashedWeight } from '../weights/hashed.js';

export const TORCHVISION_FIXTURES = new URL('../../fixtures/torchvision/', import.meta.url);

/**
 * The fixture state dict of `model` as safetensors; `dropNumBatchesTracked` leaves BatchNorm's
 * counters out (as many converted checkpoints do).
 */
export function torchvisionFixture(model: string, o: { dropNumBatchesTracked?: boolean } = {}): { bytes: Uint8Array; keys: string[] } {
  const manifest = JSON.parse(readFileSync(new URL(`${model}.keys.json`, TORCHVISION_FIXTURES), 'utf8')) as { keys: Array<{ key: string; shape: number[]; dtype: 'F32' | 'I64' }> };
  const entries = new Map<string, SafetensorsEntry>();
  for (const k of manifest.keys) {
    if (o.dropNumBatchesTracked && k.key.endsWith('num_batches_tracked')) continue;
    entries.set(k.key, k.dtype === 'I64' ? { dtype: 'I64', shape: k.shape, data: new BigInt64Array(k.shape.reduce((a, b) => a * b, 1)) } : { dtype: 'F32', shape: k.shape, data: hashedWeight(k.key, k.shape) });
  }
  return { bytes: writeSafetensors(entries), keys: manifest.keys.map((k) => k.key) };
}
