/**
 * The globals a PyTorch state dict's pickle may name, and nothing else (torch/serialization.py,
 * torch/_utils.py; the same choice as the allowlist of torch's own `weights_only` unpickler,
 * torch/_weights_only_unpickler.py, narrowed to what state dicts use):
 *
 * - `collections.OrderedDict`; `builtins.set`/`frozenset`; `_codecs.encode(s, 'latin1')` (how
 *   protocol 2 writes bytes);
 * - the typed storage classes `torch.FloatStorage` ... `torch.BoolStorage`, and persistent ids
 *   `('storage', type, key, location, numel[, view])` naming the storage bytes;
 * - `torch._utils._rebuild_tensor_v2` / `_rebuild_tensor` (storage, offset, size, stride) and
 *   `_rebuild_parameter` / `_rebuild_parameter_with_state`; `torch._tensor._rebuild_from_type_v2`
 *   with the types `torch.Tensor` / `torch.nn.parameter.Parameter`;
 * - `argparse.Namespace`, which torchvision's reference scripts store under `args`: only its
 *   attributes are kept.
 *
 * Each allowed global is an inert marker whose `call` builds data; no Python name is ever
 * resolved to code. Anything else is refused with one line naming the global.
 *
 * @internal Used by the PyTorch checkpoint reader; not part of the public surface.
 */
import { describe, HostValue, PyDict, PyGlobal, PyObject, type Fail, type PyValue } from './pickle-values.js';
import type { SafetensorsDType } from './safetensors.js';

/** Storage class name -> element type. */
const STORAGE_DTYPES = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
} as const satisfies Record<string, SafetensorsDType>;

export type TorchDType = (typeof STORAGE_DTYPES)[keyof typeof STORAGE_DTYPES];

/** Bytes per element of each storage type. */
export const ELEMENT_SIZE: Record<TorchDType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** A storage named by a persistent id: `numel` elements of `dtype` under `key`. */
export class StorageRef extends HostValue {
  readonly kind = 'storage';
  constructor(
    readonly key: string,
    readonly dtype: TorchDType,
    readonly numel: number,
    /** Legacy storage views: this storage is elements [offset, offset + numel) of `key`'s. */
    readonly viewOffset = 0,
  ) {
    super();
  }
}

/** A tensor as the pickle describes it: a strided view of a storage, filled in by the reader. */
export class TensorRef extends HostValue {
  readonly kind = 'tensor';
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

class StorageType extends PyGlobal {
  constructor(
    name: string,
    readonly dtype: TorchDType,
  ) {
    super(`torch.${name}`);
  }
}

class Fn extends PyGlobal {
  constructor(
    name: string,
    private readonly fn: (args: readonly PyValue[], fail: Fail) => PyValue,
  ) {
    super(name);
  }
  override call(args: readonly PyValue[], fail: Fail): PyValue {
    return this.fn(args, fail);
  }
}

class Cls extends PyGlobal {
  constructor(
    name: string,
    private readonly make: () => PyValue,
  ) {
    super(name);
  }
  override call(args: readonly PyValue[], fail: Fail): PyValue {
    if (args.length > 0) throw fail(`${this.qualifiedName} called with ${args.length} argument(s), expected none`);
    return this.make();
  }
  override construct(args: readonly PyValue[], fail: Fail): PyValue {
    return this.call(args, fail);
  }
}

/** Marks `torch.Tensor` / `Parameter` as the type argument of `_rebuild_from_type_v2`. */
class TensorType extends PyGlobal {}

const isCount = (v: PyValue | undefined): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCounts = (v: PyValue | undefined): v is readonly number[] => Array.isArray(v) && v.every((d) => isCount(d as PyValue));

function rebuildTensor(name: string, min: number, max: number): Fn {
  return new Fn(name, (args, fail) => {
    const [storage, offset, size, stride] = args;
    if (args.length < min || args.length > max) throw fail(`${name} got ${args.length} arguments, expected ${min === max ? min : `${min}-${max}`}`);
    if (!(storage instanceof StorageRef)) throw fail(`${name}: the storage argument is a ${describe(storage)}`);
    if (!isCount(offset) || !isCounts(size) || !isCounts(stride) || size.length !== stride.length) {
      throw fail(`${name}: expected a storage offset, sizes and strides of non-negative integers, found offset ${String(offset)}, size ${JSON.stringify(size)}, stride ${JSON.stringify(stride)}`);
    }
    return new TensorRef(storage, offset, [...size], [...stride]);
  });
}

function firstTensor(name: string, length: number): Fn {
  return new Fn(name, (args, fail) => {
    if (args.length !== length || !(args[0] instanceof TensorRef)) throw fail(`${name}: expected a tensor and ${length - 1} more arguments, found ${args.length} starting with a ${describe(args[0])}`);
    return args[0];
  });
}

const ALLOWED = new Map<string, PyGlobal>([
  ['collections.OrderedDict', new Cls('collections.OrderedDict', () => new PyDict('OrderedDict'))],
  ['argparse.Namespace', new Cls('argparse.Namespace', () => new PyObject('argparse.Namespace'))],
  ...(['set', 'frozenset'] as const).map((n): [string, PyGlobal] => [
    `builtins.${n}`,
    new Fn(`builtins.${n}`, (args, fail) => {
      const items = args.length === 0 ? [] : args[0];
      if (args.length > 1 || !Array.isArray(items)) throw fail(`builtins.${n} expects one list`);
      return n === 'set' ? [...items] : Object.freeze([...items]);
    }),
  ]),
  [
    '_codecs.encode',
    new Fn('_codecs.encode', (args, fail) => {
      const [text, encoding] = args;
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw fail(`_codecs.encode is only supported for (str, 'latin1'), found a ${describe(text)} and ${String(encoding)}`);
      return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    }),
  ],
  ['torch._utils._rebuild_tensor_v2', rebuildTensor('torch._utils._rebuild_tensor_v2', 6, 7)],
  ['torch._utils._rebuild_tensor', rebuildTensor('torch._utils._rebuild_tensor', 4, 4)],
  ['torch._utils._rebuild_parameter', firstTensor('torch._utils._rebuild_parameter', 3)],
  ['torch._utils._rebuild_parameter_with_state', firstTensor('torch._utils._rebuild_parameter_with_state', 4)],
  [
    'torch._tensor._rebuild_from_type_v2',
    new Fn('torch._tensor._rebuild_from_type_v2', (args, fail) => {
      const [fn, type, inner] = args;
      if (args.length !== 4 || !(fn instanceof Fn) || !(type instanceof TensorType) || !Array.isArray(inner)) throw fail('torch._tensor._rebuild_from_type_v2: expected (function, tensor type, arguments, state)');
      return fn.call(inner, fail);
    }),
  ],
  ...['torch.Tensor', 'torch._tensor.Tensor', 'torch.nn.parameter.Parameter'].map((n): [string, PyGlobal] => [n, new TensorType(n)]),
  ...Object.entries(STORAGE_DTYPES).map(([n, d]): [string, PyGlobal] => [`torch.${n}`, new StorageType(n, d)]),
]);

/** `findGlobal` for checkpoints: an allowed marker, or a one-line refusal naming the global. */
export function torchGlobal(module: string, name: string, fail: Fail): PyGlobal {
  // Protocol 2 writes Python 2 module names; Python 3 reads them through `fix_imports`.
  const qualified = `${module === '__builtin__' ? 'builtins' : module}.${name}`;
  const allowed = ALLOWED.get(qualified);
  if (allowed !== undefined) return allowed;
  const hint = module.startsWith('__torch__')
    ? ' (a TorchScript archive: export its state_dict() instead)'
    : module.startsWith('torch.nn.modules') || module === '__main__'
      ? ' (a pickled model object, not a state dict: save model.state_dict() instead)'
      : '';
  throw fail(`refusing to load: the pickle names ${qualified}, which is not a tensor, storage or plain-data type${hint}; nothing in the file was executed`);
}

/**
 * Resolves a persistent id: `('storage', type, key, location, numel)` in zip checkpoints, with a
 * sixth `view` item (`None` or `(view_key, offset, numel)`) in the legacy format. `storages`
 * remembers each key, so tensors sharing a storage share one {@link StorageRef}.
 */
export function storageFromPid(pid: PyValue, storages: Map<string, StorageRef>, fail: Fail): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== 5 && pid.length !== 6)) {
    throw fail(`unsupported persistent id ${Array.isArray(pid) ? `('${String(pid[0])}', ...)` : `of type ${describe(pid)}`}: only storages are loaded`);
  }
  const [, type, key, , numel, view] = pid as readonly PyValue[];
  if (!(type instanceof StorageType)) throw fail(`persistent id: the storage type is a ${describe(type)}`);
  if (typeof key !== 'string' || !isCount(numel)) throw fail(`persistent id of storage ${String(key)}: expected a string key and an element count`);
  const base = remember(storages, new StorageRef(key, type.dtype, numel), fail);
  if (view === undefined || view === null) return base;
  const [viewKey, offset, size] = Array.isArray(view) ? (view as readonly PyValue[]) : [];
  if (typeof viewKey !== 'string' || !isCount(offset) || !isCount(size) || offset + size > numel) {
    throw fail(`storage view of ${key}: expected (key, offset, size) within its ${numel} elements`);
  }
  return new StorageRef(key, type.dtype, size, offset);
}

function remember(storages: Map<string, StorageRef>, ref: StorageRef, fail: Fail): StorageRef {
  const known = storages.get(ref.key);
  if (known === undefined) {
    storages.set(ref.key, ref);
    return ref;
  }
  if (known.dtype !== ref.dtype || known.numel !== ref.numel) {
    throw fail(`storage ${ref.key} is declared twice: ${known.numel} x ${known.dtype} and ${ref.numel} x ${ref.dtype}`);
  }
  return known;
}
