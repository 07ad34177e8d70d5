/**
 * The restricted unpickler, opcode by opcode, on hand-assembled pickles whose values were checked
 * with CPython's `pickle.loads` (noted per case), and its refusals: anything that is not plain data
 * or an allowed global fails with one FormatError line.
 */
import { describe, expect, it } from 'vitest';
import { catchFormatError } from '../test-utils/format-error.js';
import { FormatError } from './errors.js';
import { PyDict, type PyValue } from './pickle-values.js';
import { unpickle } from './pickle.js';
import { torchGlobal } from './torch-globals.js';

const fail = (problem: string): FormatError => new FormatError(problem, 'x.pkl');
const bytes = (...parts: Array<string | number[]>): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u64 = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];
const load = (b: Uint8Array): PyValue => unpickle(b, 0, { findGlobal: torchGlobal }, fail).value;

describe('unpickle: data opcodes (values as CPython loads them)', () => {
  it('LONG4 beyond 2^53 (CPython: -1180591620717411303424)', () => {
    const minus2pow70 = [0, 0, 0, 0, 0, 0, 0, 0, 0xc0]; // -(2**70), 9 bytes little-endian two's complement
    expect(load(bytes('\x80\x02\x8b', [9, 0, 0, 0], minus2pow70, '.'))).toBe(-(2n ** 70n));
  });

  it('BINUNICODE8, BINBYTES8, BYTEARRAY8, BINFLOAT, BININT, BININT2', () => {
    expect(load(bytes('\x80\x04\x8d', u64(3), [0x68, 0xc3, 0xa9], '.'))).toBe('hé');
    expect(load(bytes('\x80\x04\x8e', u64(2), [1, 2], '.'))).toEqual(Uint8Array.from([1, 2]));
    expect(load(bytes('\x80\x05\x96', u64(1), [7], '.'))).toEqual(Uint8Array.from([7]));
    expect(load(bytes('\x80\x02G', [0xc0, 0x04, 0, 0, 0, 0, 0, 0], '.'))).toBe(-2.5);
    expect(load(bytes('\x80\x02J', [0xfb, 0xff, 0xff, 0xff], 'M', [0xff, 0xff], '\x86.'))).toEqual([-5, 65535]);
  });

  it('MARK-based LIST and DICT, DUP, POP, POP_MARK (CPython: ([1, 2], {"a": 3}), (1, 1), 9)', () => {
    const listDict = load(bytes('\x80\x02(K\x01K\x02l(X', [1, 0, 0, 0], 'aK\x03d\x86.')) as PyValue[];
    expect(listDict[0]).toEqual([1, 2]);
    expect([...(listDict[1] as PyDict).items]).toEqual([['a', 3]]);
    expect(load(bytes('\x80\x02K\x012K\x020\x86.'))).toEqual([1, 1]);
    expect(load(bytes('\x80\x02K\x09(K\x01K\x021.'))).toBe(9);
  });

  it('EMPTY_SET + ADDITEMS, FROZENSET (as arrays; a frozenset is frozen)', () => {
    expect(load(bytes('\x80\x04\x8f(K\x01K\x02\x90.'))).toEqual([1, 2]);
    expect(Object.isFrozen(load(bytes('\x80\x04(K\x05\x91.')))).toBe(true);
  });

  it('STACK_GLOBAL + NEWOBJ_EX with no keywords builds an OrderedDict', () => {
    const d = load(bytes('\x80\x04\x8c\x0bcollections\x8c\x0bOrderedDict\x93)}\x92.'));
    expect(d).toBeInstanceOf(PyDict);
    expect((d as PyDict).className).toBe('OrderedDict');
  });

  it('returns where the pickle ends, for streams of pickles', () => {
    const two = bytes('\x80\x02K\x01.\x80\x02K\x02.');
    const first = unpickle(two, 0, { findGlobal: torchGlobal }, fail);
    expect(first).toEqual({ value: 1, end: 5 });
    expect(unpickle(two, first.end, { findGlobal: torchGlobal }, fail).value).toBe(2);
  });
});

describe('unpickle: refusals', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['INST (calls a class by name)', bytes('\x80\x02(i__main__\nX\n.'), /unsupported pickle opcode 0x69 at byte 3/],
    ['EXT1 (extension registry)', bytes('\x80\x02\x82\x01.'), /unsupported pickle opcode 0x82/],
    ['PERSID (protocol 0)', bytes('\x80\x02P1\n.'), /unsupported pickle opcode 0x50/],
    ['protocol 6', bytes('\x80\x06N.'), /unsupported pickle protocol 6/],
    ['GLOBAL outside the allowlist', bytes('\x80\x02cbuiltins\neval\n.'), /refusing to load: the pickle names builtins\.eval/],
    ['a persistent id without a loader', bytes('\x80\x02N\x51.'), /unexpected persistent id/],
    ['stack underflow', bytes('\x80\x02\x86.'), /stack underflow/],
    ['STOP on an empty stack', bytes('\x80\x02.'), /stack underflow/],
    ['a memo entry never stored', bytes('\x80\x02h\x05.'), /memo entry 5 was never stored/],
    ['an unterminated GLOBAL line', bytes('\x80\x02cos'), /unterminated line/],
    ['a string longer than the data', bytes('\x80\x02X', [0xff, 0, 0, 0], 'ab.'), /truncated pickle: 255 more bytes needed/],
    ['no STOP', bytes('\x80\x02K\x01'), /truncated pickle/],
    ['APPEND to a tuple', bytes('\x80\x02)K\x01a.'), /APPEND needs a list, found tuple/],
    ['REDUCE of an int', bytes('\x80\x02K\x01)R.'), /REDUCE needs an allowed global, found int/],
    ['SETITEM on a list', bytes('\x80\x02]K\x01K\x02s.'), /SETITEM needs a dict, found list/],
    ['a tuple as a dict key', bytes('\x80\x02})K\x01s.'), /unsupported dict key of type tuple/],
    ['BUILD on an int', bytes('\x80\x02K\x01}b.'), /unsupported BUILD: needs a dict or object, found int/],
    ['_codecs.encode with another codec', bytes('\x80\x02c_codecs\nencode\nX', [1, 0, 0, 0], 'aX', [5, 0, 0, 0], 'utf-8\x86R.'), /_codecs\.encode is only supported for \(str, 'latin1'\)/],
  ];
  for (const [what, b, problem] of cases) {
    it(what, () => {
      const e = catchFormatError(() => load(b));
      expect(e.source).toBe('x.pkl');
      expect(e.problem).toMatch(problem);
    });
  }
});
