/**
 * A single-precision matrix product on the wasm backend's heap, `C (+)= A . B`, A `[m, k]`, B
 * `[k, n]`, C `[m, n]`, row-major, each with its own row stride, for factors that are new on every
 * call. TensorFlow.js's wasm Conv2D and BatchMatMul hand the right factor (the filter) to XNNPACK,
 * which transposes it (a strided loop) and packs it whenever it sees a new tensor: in training
 * every filter is new every step, and for ResNet-50's 16x16 layers that cost about as much as the
 * product itself (docs/BENCHMARKS.md, "Training step"). Here A is read where it lies and B copied,
 * one block of k at a time, into contiguous column panels (a sequential copy, no transposition).
 *
 * The module is emitted here as WebAssembly bytes (SIMD128) and imports the backend's own memory,
 * so it works on tensors in place. Register tile 4 rows x 8 columns (8 `f32x4` accumulators, the
 * shape of XNNPACK's `4x8-wasmsimd-splat` kernels) over blocks of `KC` steps of k, so that a
 * `KC x 8` panel of B stays in the L1 cache while a block of `MC` rows of A passes it; 1-row
 * tiles for the last rows, 4-column tiles for a last `n mod 8 = 4` columns. `n` must be a
 * multiple of 4.
 */

/** Steps of k per block: a packed `KC x 8` panel of B (8 KB) is reused by every row tile. */
const KC = 256;
/** Rows per block: an `MC x KC` block of A (64 KB) stays in L2 while B's column panels pass it. */
const MC = 64;
/** Rows per register tile (6 measured no faster). */
const MR = 4;

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 constants). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...[...text].map((ch) => ch.charCodeAt(0))];

/** i32 opcodes the kernel uses. */
const I32_EQZ = 0x45;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_OR = 0x72;
/** SIMD opcodes (after the 0xfd prefix). */
const V128_LOAD = 0x00;
const V128_LOAD32_SPLAT = 0x09;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;

/** A function body under construction: a stack-machine instruction stream over numbered locals. */
class Body {
  readonly code: number[] = [];
  private readonly extra: number[] = [];
  constructor(private readonly params: number) {}
  /** A new local of `type`. */
  local(type: number): number {
    this.extra.push(type);
    return this.params + this.extra.length - 1;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  get(l: number): this {
    return this.op(0x20, ...uleb(l));
  }
  set(l: number): this {
    return this.op(0x21, ...uleb(l));
  }
  i32(n: number): this {
    return this.op(0x41, ...sleb(n));
  }
  /** A SIMD instruction (prefix 0xfd) with its immediates. */
  simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  /** `v128.load` / `v128.load32_splat` / `v128.store` with a constant byte offset. */
  load(offset: number): this {
    return this.simd(V128_LOAD, 4, ...uleb(offset));
  }
  splat(offset: number): this {
    return this.simd(V128_LOAD32_SPLAT, 2, ...uleb(offset));
  }
  store(offset: number): this {
    return this.simd(V128_STORE, 4, ...uleb(offset));
  }
  zero(): this {
    return this.simd(V128_CONST, ...new Array<number>(16).fill(0));
  }
  /** Pushes the byte address `base + row * rowBytes + col * 4` (all i32 locals). */
  address(base: number, row: number, rowBytes: number, col: number): this {
    return this.get(base).get(row).get(rowBytes).op(I32_MUL, I32_ADD).get(col).i32(4).op(I32_MUL, I32_ADD);
  }
  /** `l += n` (a constant or an emitted i32). */
  addTo(l: number, n: number | (() => void)): this {
    this.get(l);
    if (typeof n === 'number') this.i32(n);
    else n();
    return this.op(I32_ADD).set(l);
  }
  /** `l = min(l, bound)` (signed), `bound` emitted twice. */
  minInto(l: number, bound: () => void): this {
    return this.ifThen(
      () => {
        bound();
        this.get(l).op(I32_LT_S);
      },
      () => {
        bound();
        this.set(l);
      },
    );
  }
  /** `for (;;) { if (!cond) break; body }`: `cond` leaves an i32 on the stack. */
  loopWhile(cond: () => void, body: () => void): this {
    this.op(0x02, 0x40, 0x03, 0x40); // block; loop
    cond();
    this.op(I32_EQZ, 0x0d, 1); // br_if to the block's end
    body();
    return this.op(0x0c, 0, 0x0b, 0x0b); // br to the loop; end loop; end block
  }
  /** `while (a < b)` with `a` a local and `b` emitted. */
  whileLess(a: number, b: () => void, body: () => void): this {
    return this.loopWhile(() => {
      this.get(a);
      b();
      this.op(I32_LT_S);
    }, body);
  }
  ifThen(cond: () => void, then: () => void, otherwise?: () => void): this {
    cond();
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.op(0x0b);
  }
  encode(): number[] {
    const groups = this.extra.map((t) => [1, t]);
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * The whole product as one exported function
 * `gemm(a, b, c, m, n, k, lda, ldb, ldc, accumulate, scratch)`: pointers are byte addresses,
 * strides counts of floats; `accumulate` 1 adds to C; `scratch` holds {@link gemmScratchFloats}.
 */
function gemmModule(): Uint8Array {
  const [A, B, C, M, N, K, LDA, LDB, LDC, ACC, SCR] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const f = new Body(11);
  const int = (): number => f.local(I32);
  const [k0, kc, load, j0, i0, i1, iEnd, ap, bp, cp, pb, t, lda4, ldb4, ldc4] = [int(), int(), int(), int(), int(), int(), int(), int(), int(), int(), int(), int(), int(), int(), int()];
  const rowA = Array.from({ length: MR }, () => f.local(I32));
  const acc = Array.from({ length: MR }, () => [f.local(V128), f.local(V128)]);
  const bv = [f.local(V128), f.local(V128)];
  const s = f.local(V128);
  /** Pushes `p + r * rowBytes` (r a constant row index). */
  const row = (p: number, r: number, rowBytes: number): void => {
    f.get(p);
    if (r > 0) f.get(rowBytes).i32(r).op(I32_MUL, I32_ADD);
  };

  /** One tile of `mr` rows x `nv` vectors: A at ap, packed B at bp, C at cp, over kc steps of k. */
  const micro = (mr: number, nv: number): void => {
    for (let r = 0; r < mr; r++)
      for (let v = 0; v < nv; v++) {
        const a = acc[r]![v]!;
        f.ifThen(
          () => f.get(load),
          () => {
            row(cp, r, ldc4);
            f.load(v * 16).set(a);
          },
          () => f.zero().set(a),
        );
      }
    for (let r = 0; r < mr; r++) {
      row(ap, r, lda4);
      f.set(rowA[r]!);
    }
    f.get(bp).set(pb);
    /** Step `u` of k: A at byte offset `4u` from the row pointers, B's packed row `u` from `pb`. */
    const step = (u: number): void => {
      for (let v = 0; v < nv; v++) f.get(pb).load((u * nv + v) * 16).set(bv[v]!);
      for (let r = 0; r < mr; r++) {
        f.get(rowA[r]!).splat(u * 4).set(s);
        for (let v = 0; v < nv; v++) {
          const a = acc[r]![v]!;
          f.get(a).get(s).get(bv[v]!).simd(F32X4_MUL).simd(F32X4_ADD).set(a);
        }
      }
    };
    /** `unroll` steps of k per iteration while at least `unroll` are left. */
    const steps = (unroll: number): void => {
      f.loopWhile(
        () => f.get(t).i32(unroll - 1).op(I32_GT_S), // t >= unroll
        () => {
          for (let u = 0; u < unroll; u++) step(u);
          for (let r = 0; r < mr; r++) f.addTo(rowA[r]!, 4 * unroll);
          f.addTo(pb, unroll * nv * 16);
          f.addTo(t, -unroll);
        },
      );
    };
    f.get(kc).set(t);
    steps(4);
    steps(1);
    for (let r = 0; r < mr; r++)
      for (let v = 0; v < nv; v++) {
        row(cp, r, ldc4);
        f.get(acc[r]![v]!).store(v * 16);
      }
  };

  /** Rows i1 .. iEnd of the column panel at j0 (`nv` vectors wide): MR-row tiles, then single rows. */
  const rows = (nv: number): void => {
    f.get(i1).set(i0);
    for (const mr of [MR, 1])
      f.whileLess(
        i0,
        () => f.get(iEnd).i32(mr - 1).op(I32_SUB),
        () => {
          f.address(A, i0, lda4, k0).set(ap);
          f.address(C, i0, ldc4, j0).set(cp);
          micro(mr, nv);
          f.addTo(i0, mr);
        },
      );
  };

  /**
   * Packs panel j0 of B's block (rows k0 .. k0 + kc) into the scratch: `kc` rows of 8 (4)
   * contiguous floats, so that the tiles read B sequentially whatever its row stride (a strided
   * panel of a wide B walks a page per row).
   */
  const pack = (nv: number): void => {
    f.address(B, k0, ldb4, j0).set(ap);
    f.get(bp).set(pb);
    f.get(kc).set(t);
    f.loopWhile(
      () => f.get(t).i32(0).op(I32_GT_S),
      () => {
        for (let v = 0; v < nv; v++) f.get(pb).get(ap).load(v * 16).store(v * 16);
        f.addTo(ap, () => f.get(ldb4));
        f.addTo(pb, nv * 16);
        f.addTo(t, -1);
      },
    );
  };

  /** `body(nv)` for every column panel: 8 wide, then a last 4-wide one; bp = its packed start. */
  const panels = (body: (nv: number) => void): void => {
    const start = (): void => {
      f.get(SCR).get(j0).get(kc).op(I32_MUL).i32(4).op(I32_MUL, I32_ADD).set(bp); // scratch + j0 * kc floats
    };
    f.i32(0).set(j0);
    f.whileLess(
      j0,
      () => f.get(N).i32(7).op(I32_SUB),
      () => {
        start();
        body(2);
        f.addTo(j0, 8);
      },
    );
    f.ifThen(
      () => f.get(j0).get(N).op(I32_LT_S),
      () => {
        start();
        body(1);
      },
    );
  };

  f.get(LDA).i32(4).op(I32_MUL).set(lda4);
  f.get(LDB).i32(4).op(I32_MUL).set(ldb4);
  f.get(LDC).i32(4).op(I32_MUL).set(ldc4);
  f.i32(0).set(k0);
  f.whileLess(
    k0,
    () => f.get(K),
    () => {
      f.get(K).get(k0).op(I32_SUB).set(kc);
      f.minInto(kc, () => f.i32(KC));
      // Load C unless this is the first block of a fresh product.
      f.get(ACC).get(k0).op(I32_OR).set(load);
      panels(pack);
      // Blocks of MC rows: A's block stays in L2 while the column panels pass it.
      f.i32(0).set(i1);
      f.whileLess(
        i1,
        () => f.get(M),
        () => {
          f.get(i1).i32(MC).op(I32_ADD).set(iEnd);
          f.minInto(iEnd, () => f.get(M));
          panels(rows);
          f.get(iEnd).set(i1);
        },
      );
      f.addTo(k0, KC);
    },
  );

  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(new Array<number[]>(11).fill([I32])), 0]])),
    // import env.memory: a memory of at least one page, no maximum (any memory matches)
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('gemm'), 0x00, 0]])),
    ...section(10, vec([f.encode()])),
  ];
  return new Uint8Array(bytes);
}

export type GemmFn = (a: number, b: number, c: number, m: number, n: number, k: number, lda: number, ldb: number, ldc: number, accumulate: number, scratch: number) => void;

/** Floats of scratch the product of a `k`-deep, `n`-wide B needs (one packed block of B). */
export const gemmScratchFloats = (k: number, n: number): number => Math.min(k, KC) * n;

/** The WebAssembly JS API (not in this project's TypeScript libs, which omit the DOM). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A `WebAssembly.Memory`. */
export type WasmMemory = object;

const instances = new WeakMap<WasmMemory, GemmFn>();

/** The product bound to `memory` (compiled once per process, instantiated once per memory). */
export function gemmFor(memory: WasmMemory): GemmFn {
  let fn = instances.get(memory);
  if (!fn) {
    const instance = new wasmApi.Instance(compiled(), { env: { memory } });
    fn = instance.exports.gemm as GemmFn;
    instances.set(memory, fn);
  }
  return fn;
}

let module: object | undefined;
function compiled(): object {
  module ??= new wasmApi.Module(gemmModule());
  return module;
}

let simd: boolean | undefined;
/** Whether this runtime compiles the module (WebAssembly SIMD: Node 16.4+, current browsers). */
export function gemmAvailable(): boolean {
  if (simd === undefined) {
    try {
      compiled();
      simd = true;
    } catch {
      simd = false;
    }
  }
  return simd;
}
