/**
 * State dicts: a model's parameters and buffers by dotted name, in PyTorch layouts, to and from
 * safetensors (and from PyTorch checkpoints). Loading is strict: one error lists every missing key, unexpected key and shape
 * mismatch, so weights for another architecture are explained rather than half-loaded.
 */
import { entriesToTensors, tensorsToSafetensors, tf } from '@pixelwise/core';
import type { NamedTensors, Tensor } from '@pixelwise/core';
import { checkpointMetadata, readSafetensors, readTorchCheckpoint, stateDictOf, weightsFormat, type SafetensorsEntry } from '@pixelwise/core/io';
import { fromTorch, toTorch, torchShape, type Module } from '../module.js';
import { fromMmsegmentation } from './mmseg.js';

export class WeightsMismatchError extends Error {
  constructor(
    readonly source: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: Array<{ key: string; expected: number[]; found: number[] }>,
  ) {
    const list = (label: string, items: string[]) => (items.length ? `${items.length} ${label} (${items.slice(0, 5).join(', ')}${items.length > 5 ? ', ...' : ''})` : '');
    const shapes = mismatched.map((m) => `${m.key} expects [${m.expected.join(',')}] but file has [${m.found.join(',')}]`);
    const parts = [list('missing keys', missing), list('unexpected keys', unexpected), list('shape mismatches', shapes)].filter(Boolean);
    super(`${source}: weights do not fit this model: ${parts.join('; ')}`);
    this.name = 'WeightsMismatchError';
  }
}

/** Tensors in PyTorch layout keyed by state-dict name (caller disposes). */
export function stateDict(model: Module): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, slot] of model.namedSlots()) out.set(name, toTorch(slot.variable, slot.layout));
  return out;
}

/**
 * Buffers a state dict may leave out, as PyTorch forgives them: BatchNorm's `num_batches_tracked`
 * (only counted in training with momentum None; `_load_from_state_dict` fills it in for older
 * checkpoints, and many converted checkpoints lack it). Left out, the buffer keeps its value.
 */
export function isForgivableMissing(key: string): boolean {
  return key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked');
}

/**
 * Assigns PyTorch-layout tensors to the model's slots. Throws {@link WeightsMismatchError}
 * (before changing anything) when keys or shapes do not match.
 */
export function loadStateDict(model: Module, tensors: Map<string, Tensor>, source = 'weights'): void {
  const slots = new Map(model.namedSlots());
  const missing = [...slots.keys()].filter((k) => !tensors.has(k) && !isForgivableMissing(k));
  const unexpected = [...tensors.keys()].filter((k) => !slots.has(k));
  const mismatched: Array<{ key: string; expected: number[]; found: number[] }> = [];
  for (const [key, slot] of slots) {
    const t = tensors.get(key);
    if (!t) continue;
    const expected = torchShape(slot.variable.shape, slot.layout);
    if (expected.join() !== t.shape.join()) mismatched.push({ key, expected, found: [...t.shape] });
  }
  if (missing.length || unexpected.length || mismatched.length) throw new WeightsMismatchError(source, missing, unexpected, mismatched);
  tf.tidy(() => {
    for (const [key, slot] of slots) {
      const t = tensors.get(key);
      if (!t) continue;
      slot.variable.assign(tf.cast(fromTorch(t, slot.layout), slot.variable.dtype));
    }
  });
}

/** The model's state dict as safetensors bytes (PyTorch layouts, loadable by `safetensors.torch`). */
export function saveWeights(model: Module, metadata: Record<string, string> = {}): Uint8Array {
  const sd = stateDict(model);
  try {
    return tensorsToSafetensors(sd, { format: 'pt', ...metadata });
  } finally {
    sd.forEach((t) => t.dispose());
  }
}

/**
 * The tensors of a weights file (caller disposes), its reader chosen by the first bytes, never
 * the name: safetensors, or a PyTorch checkpoint (`torch.save`, zip or legacy: its state dict,
 * found under `state_dict`/`model` and without DataParallel's `module.`, see `stateDictOf` in
 * `@pixelwise/core/io`). mmsegmentation PSPNet keys are renamed to pixelwise's (weights/mmseg.ts).
 * Metadata: safetensors' `__metadata__`, or `format: pt` and the checkpoint's non-tensor entries.
 * @throws FormatError naming `source` for anything either reader refuses.
 */
export function readWeights(bytes: Uint8Array, source = 'weights'): NamedTensors {
  const { entries, metadata } = readWeightEntries(bytes, source);
  return { tensors: entriesToTensors(entries, source), metadata };
}

/** {@link readWeights} without TensorFlow.js: the state dict's raw entries (dtype, shape, data). */
export function readWeightEntries(bytes: Uint8Array, source = 'weights'): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  if (weightsFormat(bytes) === 'pytorch') {
    const checkpoint = readTorchCheckpoint(bytes, source);
    return { entries: fromMmsegmentation(stateDictOf(checkpoint), source), metadata: checkpointMetadata(checkpoint) };
  }
  const { tensors, metadata } = readSafetensors(bytes, source);
  return { entries: fromMmsegmentation(tensors, source), metadata };
}

/** Loads a weights file (safetensors or a PyTorch checkpoint, see {@link readWeights}) into the model; returns its metadata. */
export function loadWeights(model: Module, bytes: Uint8Array, source = 'weights'): Record<string, string> {
  const { tensors, metadata } = readWeights(bytes, source);
  try {
    loadStateDict(model, tensors, source);
  } finally {
    tensors.forEach((t) => t.dispose());
  }
  return metadata;
}
