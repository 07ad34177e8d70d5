/**
 * The values the restricted unpickler builds (see pickle.ts): Python's data types as JavaScript
 * values, plus inert markers for the globals and host objects a caller allows.
 *
 * @internal Used by the PyTorch checkpoint reader; not part of the public surface.
 */
import type { FormatError } from './errors.js';

/** Python dict keys a checkpoint can hold. */
export type PyKey = string | number | bigint | boolean | null;

/** A Python dict (also `collections.OrderedDict`); `attributes` holds what `BUILD` set on it. */
export class PyDict {
  readonly items = new Map<PyKey, PyValue>();
  readonly attributes = new Map<string, PyValue>();
  constructor(readonly className = 'dict') {}
}

/** An instance of an allowed plain-data class (e.g. `argparse.Namespace`): only attributes. */
export class PyObject {
  readonly attributes = new Map<string, PyValue>();
  constructor(readonly className: string) {}
}

/** Something a caller's hook made (a torch storage, a tensor view): opaque to the unpickler. */
export abstract class HostValue {
  abstract readonly kind: string;
}

/** A global the caller allowed. `call` serves `REDUCE`, `construct` serves `NEWOBJ`. */
export abstract class PyGlobal extends HostValue {
  readonly kind = 'global';
  constructor(readonly qualifiedName: string) {
    super();
  }
  call(_args: readonly PyValue[], fail: Fail): PyValue {
    throw fail(`${this.qualifiedName} cannot be called`);
  }
  construct(_args: readonly PyValue[], fail: Fail): PyValue {
    throw fail(`${this.qualifiedName} cannot be instantiated`);
  }
}

/** Tuples are frozen arrays, lists are plain arrays, sets are arrays too (order kept). */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | readonly PyValue[] | PyDict | PyObject | HostValue;

export type Fail = (problem: string) => FormatError;

/** Python-ish type name of a value, for messages. */
export function describe(v: PyValue | undefined): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyDict || v instanceof PyObject) return v.className;
  if (v instanceof PyGlobal) return v.qualifiedName;
  if (v instanceof HostValue) return v.kind;
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return { bigint: 'int', boolean: 'bool', string: 'str' }[typeof v as 'bigint' | 'boolean' | 'string'];
}

/** `BUILD`: sets attributes from a state dict (or a `(state, slotstate)` pair). */
export function build(target: PyValue, state: PyValue, fail: Fail, where: string): void {
  if (!(target instanceof PyDict) && !(target instanceof PyObject)) throw fail(`unsupported BUILD: needs a dict or object, found ${describe(target)} ${where}`);
  const parts = Array.isArray(state) && state.length === 2 ? state : [state];
  for (const part of parts) {
    if (part === null) continue;
    if (!(part instanceof PyDict)) throw fail(`unsupported BUILD state of type ${describe(part)} ${where}`);
    for (const [k, v] of part.items) {
      if (typeof k !== 'string') throw fail(`unsupported BUILD attribute name of type ${describe(k)} ${where}`);
      target.attributes.set(k, v);
    }
  }
}

/** How {@link unpickle} resolves globals and persistent ids. */
export interface UnpickleOptions {
  /** Resolves `module.name`; returns an allowed global or throws (naming it). */
  findGlobal(module: string, name: string, fail: Fail): PyGlobal;
  /** Resolves a persistent id (`BINPERSID`); absent = persistent ids are an error. */
  persistentLoad?(pid: PyValue, fail: Fail): PyValue;
}
