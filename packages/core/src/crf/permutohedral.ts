/**
 * The permutohedral lattice (Adams, Baek & Davis, "Fast High-Dimensional Filtering Using the
 * Permutohedral Lattice", Eurographics 2010): Gaussian filtering of N points with d-dimensional
 * features in O(N d^2) time, by splatting each point's value onto the d+1 vertices of the
 * enclosing simplex of a lattice in d+1 dimensions, blurring along each of the d+1 lattice
 * axes with a [1/2, 1, 1/2] kernel, and slicing back with the same barycentric weights.
 *
 * Written after the structure of Kraehenbuehl's densecrf (`permutohedral.cpp`, also in
 * pydensecrf): the same elevation, rounding to the nearest remainder-0 point, rank sort,
 * barycentric weights, hash of the first d coordinates, neighbour table and the final scale
 * `1 / (1 + 2^-d)`. Features are expected pre-scaled (position / theta, colour / theta), so
 * the filter approximates `out_i = sum_j exp(-|f_i - f_j|^2 / 2) in_j`, the self term j = i
 * included, as the reference computes it.
 *
 * Every buffer is allocated in the constructor; {@link PermutohedralLattice.filter} allocates
 * nothing, so mean-field iterations reuse the lattice.
 */
import { LatticeHash } from './lattice-hash.js';

export class PermutohedralLattice {
  /** Points (pixels). */
  readonly n: number;
  /** Feature dimension. */
  readonly d: number;
  /** Lattice vertices the points touch. */
  readonly vertices: number;
  /** Values per point the filter buffers are sized for. */
  readonly valueSize: number;
  /** `[N, d+1]`: vertex index + 1 of each simplex corner (0 is the empty slot). */
  private readonly offset: Int32Array;
  /** `[N, d+1]`: barycentric weight of each corner. */
  private readonly weight: Float32Array;
  /** `[d+1, M, 2]`: vertex index + 1 of the two neighbours along each lattice axis (0: none). */
  private readonly neighbours: Int32Array;
  /** `[(M+1) * valueSize]` twice: blur ping-pong buffers; slot 0 stays zero. Float32 like the
   * input and output, so {@link axpy} sees one array type (a mixed one is 1.7x slower in V8). */
  private values: Float32Array;
  private scratch: Float32Array;

  /**
   * @param features `[N, d]` row-major, already divided by the kernel's standard deviations
   * @param n number of points
   * @param d feature dimension (1..16)
   * @param valueSize largest number of values per point {@link filter} will be called with
   */
  constructor(features: Float32Array, n: number, d: number, valueSize: number) {
    if (!Number.isInteger(d) || d < 1 || d > 16) throw new RangeError(`PermutohedralLattice: feature dimension ${d} is outside 1..16`);
    if (features.length !== n * d) throw new RangeError(`PermutohedralLattice: ${features.length} feature values for ${n} points of dimension ${d}`);
    this.n = n;
    this.d = d;
    this.valueSize = valueSize;
    const d1 = d + 1;
    this.offset = new Int32Array(n * d1);
    this.weight = new Float32Array(n * d1);
    // Sized for one vertex per point, as densecrf's SSE path does; it grows when a fine lattice needs more.
    const hash = new LatticeHash(d, n);

    // Scale of the elevation matrix E (Adams et al. 2010, Sec. 3.1): the lattice blur then has
    // the standard deviation of a unit Gaussian in feature space.
    const invStd = Math.sqrt(2 / 3) * d1;
    const scale = new Float64Array(d);
    for (let i = 0; i < d; i++) scale[i] = invStd / Math.sqrt((i + 1) * (i + 2));
    // canonical[r * d1 + j]: coordinate j of the remainder-r vertex of the canonical simplex.
    const canonical = new Int32Array(d1 * d1);
    for (let r = 0; r <= d; r++) for (let j = 0; j <= d; j++) canonical[r * d1 + j] = j <= d - r ? r : r - d1;

    const elevated = new Float64Array(d1);
    const rem0 = new Int32Array(d1);
    const rank = new Int32Array(d1);
    const bary = new Float64Array(d + 2);
    const key = new Int32Array(d);
    for (let p = 0; p < n; p++) {
      // Elevate onto the hyperplane sum(x) = 0 in d+1 dimensions: y = E f.
      let sm = 0;
      for (let j = d; j > 0; j--) {
        const cf = (features[p * d + j - 1] as number) * (scale[j - 1] as number);
        elevated[j] = sm - j * cf;
        sm += cf;
      }
      elevated[0] = sm;
      // Nearest remainder-0 lattice point (coordinates multiples of d+1).
      let sum = 0;
      for (let i = 0; i <= d; i++) {
        const v = (elevated[i] as number) / d1;
        const up = Math.ceil(v) * d1;
        const down = Math.floor(v) * d1;
        const r = up - (elevated[i] as number) < (elevated[i] as number) - down ? up : down;
        rem0[i] = r;
        sum += r / d1;
      }
      // Rank of each coordinate's remainder, which fixes the simplex the point lies in.
      rank.fill(0);
      for (let i = 0; i < d; i++) {
        const di = (elevated[i] as number) - (rem0[i] as number);
        for (let j = i + 1; j <= d; j++) {
          if (di < (elevated[j] as number) - (rem0[j] as number)) rank[i] = (rank[i] as number) + 1;
          else rank[j] = (rank[j] as number) + 1;
        }
      }
      // Bring the rounded point back onto the hyperplane when its coordinates do not sum to 0.
      for (let i = 0; i <= d; i++) {
        let r = (rank[i] as number) + sum;
        if (r < 0) {
          r += d1;
          rem0[i] = (rem0[i] as number) + d1;
        } else if (r > d) {
          r -= d1;
          rem0[i] = (rem0[i] as number) - d1;
        }
        rank[i] = r;
      }
      // Barycentric coordinates (Adams et al. 2010, Sec. 3.2).
      bary.fill(0);
      for (let i = 0; i <= d; i++) {
        const v = ((elevated[i] as number) - (rem0[i] as number)) / d1;
        const at = d - (rank[i] as number);
        bary[at] = (bary[at] as number) + v;
        bary[at + 1] = (bary[at + 1] as number) - v;
      }
      bary[0] = (bary[0] as number) + 1 + (bary[d + 1] as number);
      for (let r = 0; r <= d; r++) {
        for (let i = 0; i < d; i++) key[i] = (rem0[i] as number) + (canonical[r * d1 + (rank[i] as number)] as number);
        this.offset[p * d1 + r] = hash.insert(key) + 1;
        this.weight[p * d1 + r] = bary[r] as number;
      }
    }

    const m = hash.size;
    this.vertices = m;
    // Neighbours along lattice axis j: +-1 on every coordinate, -+d on coordinate j. Axis d is
    // the implicit last coordinate (not stored in the key), so only the +-1 moves show.
    this.neighbours = new Int32Array(d1 * m * 2);
    const up = new Int32Array(d);
    const down = new Int32Array(d);
    for (let j = 0; j <= d; j++) {
      for (let v = 0; v < m; v++) {
        const base = v * d;
        for (let k = 0; k < d; k++) {
          const c = hash.keyAt(base + k);
          up[k] = c - 1;
          down[k] = c + 1;
        }
        if (j < d) {
          const c = hash.keyAt(base + j);
          up[j] = c + d;
          down[j] = c - d;
        }
        this.neighbours[(j * m + v) * 2] = hash.find(up) + 1;
        this.neighbours[(j * m + v) * 2 + 1] = hash.find(down) + 1;
      }
    }
    this.values = new Float32Array((m + 1) * valueSize);
    this.scratch = new Float32Array((m + 1) * valueSize);
  }

  /**
   * `out = K in` (or `out += K in` with `accumulate`), with K the lattice's approximation of the
   * unit Gaussian kernel on the features, self term included. `input` and `out` are
   * `[N, valueSize]` row-major and may be the same array unless accumulating. `pre` and `post`
   * (`[N]`) scale each point's input and output, `diag(post) K diag(pre)`, at no extra pass:
   * they fold into the splat and slice weights.
   */
  filter(input: Float32Array, out: Float32Array, options: LatticeFilterOptions = {}): void {
    const { n, d } = this;
    const d1 = d + 1;
    const vs = options.valueSize ?? this.valueSize;
    const { pre, post } = options;
    const accumulate = options.accumulate ?? false;
    if (vs > this.valueSize || vs < 1) throw new RangeError(`PermutohedralLattice.filter: ${vs} values per point; the lattice was built for 1..${this.valueSize}`);
    if (input.length < n * vs || out.length < n * vs) throw new RangeError(`PermutohedralLattice.filter: buffers of ${input.length} and ${out.length} values for ${n} points x ${vs}`);
    if ((pre && pre.length < n) || (post && post.length < n)) throw new RangeError(`PermutohedralLattice.filter: scales shorter than the ${n} points`);
    if (accumulate && input === out) throw new RangeError('PermutohedralLattice.filter: cannot accumulate into the input');
    const offset = this.offset;
    const weight = this.weight;
    let values = this.values;
    let next = this.scratch;
    const used = (this.vertices + 1) * vs;
    values.fill(0, 0, used);
    next.fill(0, 0, used);
    // Splat.
    for (let p = 0; p < n; p++) {
      const src = p * vs;
      const scale = pre ? (pre[p] as number) : 1;
      for (let r = 0; r < d1; r++) {
        const o = (offset[p * d1 + r] as number) * vs;
        const w = (weight[p * d1 + r] as number) * scale;
        axpy(values, o, input, src, w, vs);
      }
    }
    // Blur along each lattice axis with [1/2, 1, 1/2]; missing neighbours read the zero slot 0.
    const m = this.vertices;
    const nb = this.neighbours;
    for (let j = 0; j < d1; j++) {
      for (let v = 0; v < m; v++) {
        const self = (v + 1) * vs;
        const a = (nb[(j * m + v) * 2] as number) * vs;
        const b = (nb[(j * m + v) * 2 + 1] as number) * vs;
        for (let k = 0; k < vs; k++) next[self + k] = (values[self + k] as number) + 0.5 * ((values[a + k] as number) + (values[b + k] as number));
      }
      const t = values;
      values = next;
      next = t;
    }
    // Slice, with the reference's normalising constant 1 / (1 + 2^-d).
    const alpha = 1 / (1 + 2 ** -d);
    for (let p = 0; p < n; p++) {
      const dst = p * vs;
      const scale = post ? alpha * (post[p] as number) : alpha;
      if (!accumulate) for (let k = 0; k < vs; k++) out[dst + k] = 0;
      for (let r = 0; r < d1; r++) {
        const o = (offset[p * d1 + r] as number) * vs;
        const w = (weight[p * d1 + r] as number) * scale;
        axpy(out, dst, values, o, w, vs);
      }
    }
    this.values = values;
    this.scratch = next;
  }
}

/**
 * `y[yo .. yo+len) += w * x[xo .. xo+len)`, the inner loop of splat and slice, unrolled by 4:
 * V8 then keeps more in registers (about 1.5x faster splat and slice than the plain loop on 21
 * classes, measured on the 2-core AMD EPYC).
 */
function axpy(y: Float32Array, yo: number, x: Float32Array, xo: number, w: number, len: number): void {
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    y[yo + k] = (y[yo + k] as number) + w * (x[xo + k] as number);
    y[yo + k + 1] = (y[yo + k + 1] as number) + w * (x[xo + k + 1] as number);
    y[yo + k + 2] = (y[yo + k + 2] as number) + w * (x[xo + k + 2] as number);
    y[yo + k + 3] = (y[yo + k + 3] as number) + w * (x[xo + k + 3] as number);
  }
  for (; k < len; k++) y[yo + k] = (y[yo + k] as number) + w * (x[xo + k] as number);
}

export interface LatticeFilterOptions {
  /** Values per point, up to the lattice's `valueSize` (the default). */
  valueSize?: number;
  /** `[N]` scale of each point's input. */
  pre?: Float32Array;
  /** `[N]` scale of each point's output. */
  post?: Float32Array;
  /** Add to `out` instead of overwriting it. Default false. */
  accumulate?: boolean;
}
