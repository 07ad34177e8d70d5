/**
 * The .npy header: a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
 * (NEP 1, "A Simple File Format for NumPy Arrays"). NumPy reads it with `ast.literal_eval`;
 * this parses the subset of Python literals that can appear in it.
 *
 * @internal Not part of the public `@pixelwise/core/io` surface.
 */
import { isShape } from './typed-arrays.js';

/** A parsed Python literal: str, bool, None, int, or a tuple/list of them. */
export type PyLiteral = string | boolean | null | number | PyLiteral[];

/** The three keys NumPy writes and requires. */
export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * Parses the header text. Throws a plain `Error` with a message describing the problem;
 * the caller adds the file name.
 */
export function parseNpyHeader(text: string): NpyHeader {
  const parser = new LiteralParser(text);
  const dict = parser.parseDict();
  parser.expectEnd();
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw new Error(`header keys are {${keys}}, expected {descr, fortran_order, shape}`);
  }
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') {
    throw new Error(`unsupported descr ${pyRepr(descr ?? null)} (structured dtypes are not supported)`);
  }
  if (typeof fortranOrder !== 'boolean') throw new Error(`fortran_order is ${pyRepr(fortranOrder ?? null)}, expected True/False`);
  if (!isShape(shape)) {
    throw new Error(`shape is ${pyRepr(shape ?? null)}, expected a tuple of non-negative integers`);
  }
  return { descr, fortranOrder, shape };
}

/** Python `repr` of a shape: `()`, `(5,)`, `(2, 3)`. */
export function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function pyRepr(value: PyLiteral): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  return `[${value.map(pyRepr).join(', ')}]`;
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']' };

class LiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDict(): Map<string, PyLiteral> {
    const dict = new Map<string, PyLiteral>();
    this.expect('{');
    while (!this.accept('}')) {
      const key = this.parseValue();
      if (typeof key !== 'string') throw this.error('expected a string key');
      this.expect(':');
      dict.set(key, this.parseValue());
      if (!this.accept(',')) {
        this.expect('}');
        break;
      }
    }
    return dict;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.text.length) throw this.error('unexpected text after the dict');
  }

  private parseValue(): PyLiteral {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "'" || c === '"') return this.parseString(c);
    if (c === '(' || c === '[') return this.parseSequence(c);
    const word = /^(-?\d+)L?|^[A-Za-z_]\w*/.exec(this.text.slice(this.pos));
    if (word === null) throw this.error('expected a value');
    this.pos += word[0].length;
    if (word[1] !== undefined) return Number(word[1]);
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    throw this.error(`unexpected name ${word[0]}`);
  }

  private parseString(quote: string): string {
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) throw this.error('unterminated string');
    const value = this.text.slice(this.pos + 1, end);
    if (value.includes('\\')) throw this.error('escapes in strings are not supported');
    this.pos = end + 1;
    return value;
  }

  private parseSequence(open: string): PyLiteral[] {
    const close = CLOSERS[open] as string;
    this.pos++;
    const items: PyLiteral[] = [];
    while (!this.accept(close)) {
      items.push(this.parseValue());
      if (!this.accept(',')) {
        this.expect(close);
        break;
      }
    }
    return items;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  private accept(token: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== token) return false;
    this.pos++;
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) throw this.error(`expected '${token}'`);
  }

  private error(problem: string): Error {
    return new Error(`invalid header ${JSON.stringify(this.text.trim())}: ${problem} at character ${this.pos}`);
  }
}
