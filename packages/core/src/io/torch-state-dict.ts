/**
 * The state dict inside a PyTorch checkpoint, as the loaders people use find it: the object
 * itself when it is a dict of tensors, else the dict under `state_dict` (mmsegmentation, mmcv,
 * Lightning) or `model` (torchvision's reference scripts), at any depth; keys lose the
 * `module.` prefix `nn.DataParallel` / `DistributedDataParallel` add (as
 * `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present` does, when every key has it).
 */
import { FormatError } from './errors.js';
import { describe, PyDict, type PyValue } from './pickle-values.js';
import { writeSafetensors, type SafetensorsEntry } from './safetensors.js';
import { readTorchCheckpoint, TorchTensor, type TorchCheckpoint } from './torch-checkpoint.js';

const WRAPPERS = ['state_dict', 'model'] as const;
const PREFIX = 'module.';

function isTensorDict(v: PyValue | undefined): v is PyDict {
  if (!(v instanceof PyDict) || v.items.size === 0) return false;
  for (const item of v.items.values()) if (!(item instanceof TorchTensor)) return false;
  return true;
}

/**
 * The model weights of a checkpoint: name -> contiguous tensor, in file order.
 * @throws FormatError naming the checkpoint's source when no dict of tensors is found (listing
 *   the top-level keys), or a key is not a string.
 */
export function stateDictOf(checkpoint: TorchCheckpoint): Map<string, SafetensorsEntry> {
  let value: PyValue = checkpoint.root;
  const path: string[] = [];
  while (!isTensorDict(value) && value instanceof PyDict) {
    const dict: PyDict = value;
    const key = WRAPPERS.find((k) => dict.items.get(k) instanceof PyDict);
    if (key === undefined) break;
    value = dict.items.get(key) as PyDict;
    path.push(key);
  }
  if (!isTensorDict(value)) {
    const where = path.length ? ` under ${path.map((p) => `'${p}'`).join(' > ')}` : '';
    const keys = value instanceof PyDict ? ` (keys: ${[...value.items.keys()].slice(0, 8).map(String).join(', ')})` : '';
    throw new FormatError(
      `no state dict found${where}: expected a dict of tensors, or one under 'state_dict' or 'model', found a ${describe(value)}${keys}`,
      checkpoint.source,
    );
  }
  const entries: Array<[string, SafetensorsEntry]> = [];
  for (const [k, t] of value.items) {
    if (typeof k !== 'string') throw new FormatError(`state dict key ${String(k)} is a ${describe(k)}, expected a string`, checkpoint.source);
    entries.push([k, (t as TorchTensor).entry]);
  }
  const strip = entries.every(([k]) => k.startsWith(PREFIX));
  return new Map(strip ? entries.map(([k, t]) => [k.slice(PREFIX.length), t]) : entries);
}

/**
 * A checkpoint's state dict as safetensors bytes (what `pixelwise weights convert` writes):
 * tensors unchanged (dtype, shape, values) under their state-dict names, metadata from
 * {@link checkpointMetadata} (`format: pt` is safetensors' convention for PyTorch weights).
 */
export function torchToSafetensors(bytes: Uint8Array, source?: string): { bytes: Uint8Array; checkpoint: TorchCheckpoint; stateDict: Map<string, SafetensorsEntry> } {
  const checkpoint = readTorchCheckpoint(bytes, source);
  const stateDict = stateDictOf(checkpoint);
  return { bytes: writeSafetensors(stateDict, checkpointMetadata(checkpoint)), checkpoint, stateDict };
}

/**
 * The checkpoint's metadata as safetensors-style strings: `format: pt`, then each top-level
 * non-tensor entry (strings as they are, anything else as JSON), e.g. mmsegmentation's `meta`.
 */
export function checkpointMetadata(checkpoint: TorchCheckpoint): Record<string, string> {
  const metadata: Record<string, string> = { format: 'pt' };
  for (const [k, v] of Object.entries(checkpoint.metadata)) if (k !== 'format') metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return metadata;
}
