/**
 * The hash table of the permutohedral lattice: integer keys of length d (the first d of the
 * d+1 lattice coordinates; the last is minus their sum) to dense vertex indices 0..size-1, by
 * open addressing with linear probing, as in densecrf's `HashTable` (same multiplier). Grows by
 * doubling; nothing is allocated per lookup.
 */
export class LatticeHash {
  private readonly d: number;
  private keys: Int32Array;
  private table: Int32Array;
  private mask: number;
  private filled = 0;

  /** @param expected expected number of keys (sizes the first allocation) */
  constructor(d: number, expected: number) {
    this.d = d;
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.table = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.keys = new Int32Array(Math.max(16, expected) * d);
  }

  /** Keys stored. */
  get size(): number {
    return this.filled;
  }

  /** Coordinate `i` of the flat key store: key `v` is `keyAt(v * d) .. keyAt(v * d + d - 1)`. */
  keyAt(i: number): number {
    return this.keys[i] as number;
  }

  /** Index of `key`, or -1. */
  find(key: Int32Array): number {
    let h = this.hash(key);
    for (;;) {
      const e = this.table[h] as number;
      if (e < 0) return -1;
      if (this.equals(e, key)) return e;
      h = (h + 1) & this.mask;
    }
  }

  /** Index of `key`, inserting it when new. */
  insert(key: Int32Array): number {
    if (2 * (this.filled + 1) > this.table.length) this.grow();
    let h = this.hash(key);
    for (;;) {
      const e = this.table[h] as number;
      if (e < 0) break;
      if (this.equals(e, key)) return e;
      h = (h + 1) & this.mask;
    }
    const d = this.d;
    if ((this.filled + 1) * d > this.keys.length) {
      const more = new Int32Array(this.keys.length * 2);
      more.set(this.keys);
      this.keys = more;
    }
    this.keys.set(key, this.filled * d);
    this.table[h] = this.filled;
    return this.filled++;
  }

  private hash(key: Int32Array): number {
    let r = 0;
    for (let i = 0; i < this.d; i++) r = Math.imul(r + (key[i] as number), 1664525);
    // Mix the high bits down: the multiplier leaves the low bits of small keys poorly spread.
    r ^= r >>> 15;
    return r & this.mask;
  }

  private equals(e: number, key: Int32Array): boolean {
    const base = e * this.d;
    for (let i = 0; i < this.d; i++) if (this.keys[base + i] !== key[i]) return false;
    return true;
  }

  private grow(): void {
    const capacity = this.table.length * 2;
    this.table = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    const key = new Int32Array(this.d);
    for (let e = 0; e < this.filled; e++) {
      for (let i = 0; i < this.d; i++) key[i] = this.keys[e * this.d + i] as number;
      let h = this.hash(key);
      while ((this.table[h] as number) >= 0) h = (h + 1) & this.mask;
      this.table[h] = e;
    }
  }
}
