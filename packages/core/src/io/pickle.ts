/**
 * A restricted unpickler for Python's pickle protocols 2-5 (the opcodes of CPython's
 * `Lib/pickletools.py`; PEP 307 for protocol 2, PEP 3154 for 4, PEP 574 for 5). It builds plain
 * values (None, bool, int, float, str, bytes, tuple, list, dict, set) and never runs anything:
 * every `GLOBAL` is handed to the caller's `findGlobal`, which returns an inert {@link PyGlobal}
 * or throws, and `REDUCE`/`NEWOBJ` only ever call those. Protocol 0/1 text opcodes, extension
 * codes, `INST`/`OBJ` and out-of-band buffers are refused. A pickle is untrusted input: every
 * length is checked against the bytes, and every failure is a one-line {@link FormatError}.
 * @internal Used by the PyTorch checkpoint reader; not part of the public surface.
 */
import { errorMessage, FormatError } from './errors.js';
import { build, PyDict, PyGlobal, describe, type Fail, type PyKey, type PyValue, type UnpickleOptions } from './pickle-values.js';

export type { UnpickleOptions };

const utf8 = new TextDecoder('utf-8');

/**
 * Unpickles the pickle that starts at `offset`. Returns its value and the offset just past its
 * `STOP`, so streams of pickles (torch's legacy format) can be read one after another.
 */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions, fail: Fail): { value: PyValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = offset;
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  const at = (): string => `at byte ${pos - 1}`;
  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) throw fail(`truncated pickle: ${n} more bytes needed ${at()}, the data ends at ${bytes.length}`);
    const start = pos;
    pos += n;
    return start;
  };
  const u8 = (): number => view.getUint8(need(1));
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(bytes.length)) throw fail(`truncated pickle: length ${v} ${at()} exceeds the data`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => bytes.subarray(need(n), pos);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail(`truncated pickle: unterminated line ${at()}`);
    const text = utf8.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) throw fail(`malformed pickle: stack underflow ${at()}`);
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw fail(`malformed pickle: stack underflow ${at()}`);
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) throw fail(`malformed pickle: no MARK before ${at()}`);
    stack = previous;
    return items;
  };
  const list = (target: PyValue): PyValue[] => {
    if (!Array.isArray(target) || Object.isFrozen(target)) throw fail(`malformed pickle: APPEND needs a list, found ${describe(target)} ${at()}`);
    return target as PyValue[];
  };
  const dict = (target: PyValue): PyDict => {
    if (!(target instanceof PyDict)) throw fail(`malformed pickle: SETITEM needs a dict, found ${describe(target)} ${at()}`);
    return target;
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    const d = dict(target);
    if (items.length % 2 !== 0) throw fail(`malformed pickle: odd number of SETITEMS values ${at()}`);
    for (let i = 0; i < items.length; i += 2) d.items.set(key(items[i] as PyValue), items[i + 1] as PyValue);
  };
  const key = (k: PyValue): PyKey => {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return k;
    throw fail(`unsupported dict key of type ${describe(k)} ${at()}`);
  };
  const callable = (v: PyValue, op: string): PyGlobal => {
    if (v instanceof PyGlobal) return v;
    throw fail(`malformed pickle: ${op} needs an allowed global, found ${describe(v)} ${at()}`);
  };
  const args = (v: PyValue, op: string): readonly PyValue[] => {
    if (Array.isArray(v)) return v;
    throw fail(`malformed pickle: ${op} needs a tuple of arguments, found ${describe(v)} ${at()}`);
  };
  const int = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const long = (n: number): number | bigint => {
    const b = take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if (n > 0 && ((b[n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
    return int(v);
  };

  try {
    return run();
  } catch (error) {
    if (error instanceof FormatError) throw error;
    // A bug-free unpickler never gets here; if it does, the caller still gets one clear line.
    throw fail(`malformed pickle ${at()}: ${errorMessage(error)}`);
  }

  function run(): { value: PyValue; end: number } {
    for (;;) {
      const op = u8();
      switch (op) {
        case 0x80: // PROTO
          if (u8() > 5) throw fail(`unsupported pickle protocol ${bytes[pos - 1]} (2-5 are supported)`);
          break;
        case 0x95: // FRAME: a length hint only
          u64();
          break;
        case 0x2e: // STOP
          return { value: pop(), end: pos };
        case 0x28: // MARK
          marks.push(stack);
          stack = [];
          break;
        case 0x30: // POP
          if (stack.length > 0) pop();
          else popMark();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          stack.push(top());
          break;
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          stack.push(op === 0x88);
          break;
        case 0x4a: // BININT
          stack.push(view.getInt32(need(4), true));
          break;
        case 0x4b: // BININT1
          stack.push(u8());
          break;
        case 0x4d: // BININT2
          stack.push(view.getUint16(need(2), true));
          break;
        case 0x8a: // LONG1
          stack.push(long(u8()));
          break;
        case 0x8b: // LONG4
          stack.push(long(view.getInt32(need(4), true)));
          break;
        case 0x47: // BINFLOAT (big-endian)
          stack.push(view.getFloat64(need(8), false));
          break;
        case 0x58: // BINUNICODE
        case 0x8c: // SHORT_BINUNICODE
        case 0x8d: // BINUNICODE8
        case 0x54: // BINSTRING (Python 2 str)
        case 0x55: // SHORT_BINSTRING
          stack.push(utf8.decode(take(op === 0x8c || op === 0x55 ? u8() : op === 0x8d ? u64() : u32())));
          break;
        case 0x42: // BINBYTES
        case 0x43: // SHORT_BINBYTES
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          stack.push(take(op === 0x43 ? u8() : op === 0x42 ? u32() : u64()).slice());
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push(Object.freeze([]));
          break;
        case 0x74: {
          // TUPLE (popMark first: it swaps `stack`)
          const items = popMark();
          stack.push(Object.freeze(items));
          break;
        }
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          if (stack.length < n) throw fail(`malformed pickle: stack underflow ${at()}`);
          stack.push(Object.freeze(stack.splice(stack.length - n, n)));
          break;
        }
        case 0x5d: // EMPTY_LIST
        case 0x8f: // EMPTY_SET
          stack.push([]);
          break;
        case 0x6c: // LIST
        case 0x91: {
          // FROZENSET
          const items = popMark();
          stack.push(op === 0x91 ? Object.freeze(items) : items);
          break;
        }
        case 0x61: {
          // APPEND
          const v = pop();
          list(top()).push(v);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          list(top()).push(...items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          stack.push(new PyDict());
          break;
        case 0x64: {
          // DICT
          const d = new PyDict();
          setItems(d, popMark());
          stack.push(d);
          break;
        }
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          setItems(top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = popMark();
          setItems(top(), items);
          break;
        }
        case 0x63: {
          // GLOBAL "module\nname\n"
          const module = line();
          stack.push(options.findGlobal(module, line(), fail));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw fail(`malformed pickle: STACK_GLOBAL needs two strings ${at()}`);
          stack.push(options.findGlobal(module, name, fail));
          break;
        }
        case 0x52: {
          // REDUCE
          const a = args(pop(), 'REDUCE');
          stack.push(callable(pop(), 'REDUCE').call(a, fail));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const a = args(pop(), 'NEWOBJ');
          stack.push(callable(pop(), 'NEWOBJ').construct(a, fail));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = pop();
          const a = args(pop(), 'NEWOBJ_EX');
          if (!(kwargs instanceof PyDict) || kwargs.items.size > 0) throw fail(`unsupported NEWOBJ_EX with keyword arguments ${at()}`);
          stack.push(callable(pop(), 'NEWOBJ_EX').construct(a, fail));
          break;
        }
        case 0x62: {
          // BUILD
          const state = pop();
          build(top(), state, fail, at());
          break;
        }
        case 0x51: // BINPERSID
          if (!options.persistentLoad) throw fail(`unexpected persistent id ${at()}`);
          stack.push(options.persistentLoad(pop(), fail));
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const i = op === 0x68 ? u8() : u32();
          if (!memo.has(i)) throw fail(`malformed pickle: memo entry ${i} was never stored ${at()}`);
          stack.push(memo.get(i) as PyValue);
          break;
        }
        case 0x71: // BINPUT
        case 0x72: // LONG_BINPUT
          memo.set(op === 0x71 ? u8() : u32(), top());
          break;
        case 0x94: // MEMOIZE
          memo.set(memo.size, top());
          break;
        default:
          throw fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ${at()} (only protocol 2-5 data opcodes are understood)`);
      }
    }
  }
}
