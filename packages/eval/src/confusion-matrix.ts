/**
 * A streaming confusion matrix over integer label maps: rows are ground truth, columns are
 * predictions. Images are added one at a time (per-sample histograms, reduced once, as in
 * mmsegmentation), and matrices from different workers merge exactly.
 *
 * Pixels whose ground truth is the ignore index are dropped. A prediction equal to the ignore
 * index on a counted pixel ("no prediction", e.g. a Cityscapes labelId that maps to 255) is kept
 * in an extra column: it is a miss for the ground-truth class and a hit for no class, the way the
 * official Cityscapes script counts predictions of ignored labels.
 */
import { accumulate8, accumulateAny, flush, type LabelArray } from './histogram-kernels.js';

export type { LabelArray };
import { LabelError, pixelAt } from './label-error.js';


export interface ConfusionMatrixOptions {
  /** Number of classes C; ids are 0..C-1. 1..65535. */
  numClasses: number;
  /** Ground-truth pixels with this id are dropped; `null` for none. Default 255. */
  ignoreIndex?: number | null;
}

/** Where the labels came from, for error messages. */
export interface AddOptions {
  /** Image width, so errors can say `pixel (x, y)`. */
  width?: number;
  /** Name of the ground-truth source (file path). */
  gtSource?: string;
  /** Name of the prediction source (file path). */
  predSource?: string;
}

/**
 * A plain, JSON-serialisable snapshot: the non-zero cells as `[gt, pred, count]`, where
 * `pred === numClasses` is the "predicted the ignore index" column. Workers send this to merge;
 * it is also what a results store can save.
 */
export interface ConfusionMatrixData {
  numClasses: number;
  ignoreIndex: number | null;
  cells: Array<[gt: number, pred: number, count: number]>;
}

/** Per-class sums every metric derives from. Each array has `numClasses` entries. */
export interface ClassTotals {
  /** C_ii: pixels of class i predicted as i. */
  tp: Float64Array;
  /** sum_j C_ij, including pixels predicted as the ignore index. */
  gtPixels: Float64Array;
  /** sum_j C_ji. */
  predPixels: Float64Array;
  /** Pixels of class i predicted as the ignore index (part of `gtPixels`). */
  unpredicted: Float64Array;
  /** All counted pixels. */
  numPixels: number;
}

/** Above this many classes the matrix is kept sparse (a dense one would need C*(C+1) cells). */
export const MAX_DENSE_CLASSES = 1024;


export class ConfusionMatrix {
  readonly numClasses: number;
  readonly ignoreIndex: number | null;
  /** Row stride: C prediction columns plus the "ignore predicted" column. */
  private readonly stride: number;
  private readonly dense: Float64Array | undefined;
  private readonly sparse: Map<number, number> | undefined;
  /** Bin for `(gt << 8) | pred` when both maps are 8-bit; built on first use. */
  private lut8: Int32Array | undefined;
  private scratch: Float64Array | undefined;
  private pixels = 0;

  constructor(options: ConfusionMatrixOptions) {
    const { numClasses } = options;
    const ignoreIndex = options.ignoreIndex === undefined ? 255 : options.ignoreIndex;
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 65535) {
      throw new RangeError(`numClasses must be an integer in 1..65535, found ${numClasses}`);
    }
    if (ignoreIndex !== null && !Number.isInteger(ignoreIndex)) {
      throw new RangeError(`ignoreIndex must be an integer or null, found ${ignoreIndex}`);
    }
    if (ignoreIndex !== null && ignoreIndex >= 0 && ignoreIndex < numClasses) {
      throw new RangeError(`ignoreIndex ${ignoreIndex} is a class id (numClasses ${numClasses}); pick one outside 0..${numClasses - 1}`);
    }
    this.numClasses = numClasses;
    this.ignoreIndex = ignoreIndex;
    this.stride = numClasses + 1;
    if (numClasses <= MAX_DENSE_CLASSES) this.dense = new Float64Array(numClasses * this.stride);
    else this.sparse = new Map();
  }

  /** Pixels counted so far (ground truth not ignored). */
  get numPixels(): number {
    return this.pixels;
  }

  /**
   * Adds one image. `gt` and `pred` must have the same length; every ground-truth id must be a
   * class id or the ignore index, and so must every prediction on a counted pixel.
   *
   * @returns the number of pixels counted (not ignored).
   * @throws LabelError naming the source, the pixel and the id; nothing is added then.
   */
  add(gt: LabelArray, pred: LabelArray, options: AddOptions = {}): number {
    if (gt.length !== pred.length) {
      throw new LabelError(
        `size mismatch: ground truth has ${gt.length} pixels, prediction has ${pred.length}`,
        options.predSource,
      );
    }
    const is8 = (a: LabelArray) => a instanceof Uint8Array || a instanceof Uint8ClampedArray;
    let counted: number;
    if (this.dense !== undefined) {
      const cells = this.dense.length;
      // Four sub-histograms plus two trash bins each (ignored, invalid): see accumulate8.
      this.scratch ??= new Float64Array(4 * (cells + 2));
      const bins = this.scratch;
      if (is8(gt) && is8(pred)) accumulate8(gt as Uint8Array, pred as Uint8Array, this.lookup8(), bins, cells + 2);
      else accumulateAny(gt, pred, this.numClasses, this.ignoreIndex ?? Number.NaN, bins);
      const invalid = (bins[cells + 1] as number) + (bins[2 * cells + 3] as number) + (bins[3 * cells + 5] as number) + (bins[4 * cells + 7] as number);
      if (invalid > 0) {
        bins.fill(0);
        throw this.invalidAt(gt, pred, this.firstInvalid(gt, pred), options);
      }
      counted = flush(bins, cells, this.dense);
    } else {
      counted = this.addSparse(gt, pred, options);
    }
    this.pixels += counted;
    return counted;
  }

  /** Adds another matrix (same classes and ignore index), e.g. from a worker. */
  merge(other: ConfusionMatrix | ConfusionMatrixData): this {
    const data = other instanceof ConfusionMatrix ? other.toData() : other;
    if (data.numClasses !== this.numClasses || data.ignoreIndex !== this.ignoreIndex) {
      throw new RangeError(
        `cannot merge a confusion matrix for ${data.numClasses} classes (ignore ${data.ignoreIndex}) into one for ${this.numClasses} (ignore ${this.ignoreIndex})`,
      );
    }
    for (const [g, p, n] of data.cells) {
      if (!(g >= 0 && g < this.numClasses && p >= 0 && p <= this.numClasses && n >= 0)) {
        throw new RangeError(`confusion matrix cell [${g}, ${p}, ${n}] is out of range`);
      }
      this.bump(g * this.stride + p, n);
      this.pixels += n;
    }
    return this;
  }

  /** Pixels with ground truth `gt` predicted as `pred` (`pred === numClasses`: predicted the ignore index). */
  count(gt: number, pred: number): number {
    const key = gt * this.stride + pred;
    return this.dense !== undefined ? (this.dense[key] ?? 0) : (this.sparse?.get(key) ?? 0);
  }

  /** Per-class sums (diagonal, row and column totals). */
  totals(): ClassTotals {
    const c = this.numClasses;
    const t: ClassTotals = {
      tp: new Float64Array(c),
      gtPixels: new Float64Array(c),
      predPixels: new Float64Array(c),
      unpredicted: new Float64Array(c),
      numPixels: this.pixels,
    };
    this.forEachCell((g, p, n) => {
      t.gtPixels[g] = (t.gtPixels[g] as number) + n;
      if (p === c) t.unpredicted[g] = (t.unpredicted[g] as number) + n;
      else t.predPixels[p] = (t.predPixels[p] as number) + n;
      if (g === p) t.tp[g] = n;
    });
    return t;
  }

  /** The C x C matrix, row-major (rows ground truth), without the "ignore predicted" column. */
  toDense(): Float64Array {
    const c = this.numClasses;
    if (c * c > 2 ** 28) throw new RangeError(`a dense ${c}x${c} matrix is too large; use totals() or toData()`);
    const out = new Float64Array(c * c);
    this.forEachCell((g, p, n) => {
      if (p < c) out[g * c + p] = n;
    });
    return out;
  }

  /** Plain JSON-serialisable snapshot of the non-zero cells. */
  toData(): ConfusionMatrixData {
    const cells: ConfusionMatrixData['cells'] = [];
    this.forEachCell((g, p, n) => cells.push([g, p, n]));
    return { numClasses: this.numClasses, ignoreIndex: this.ignoreIndex, cells };
  }

  static fromData(data: ConfusionMatrixData): ConfusionMatrix {
    return new ConfusionMatrix({ numClasses: data.numClasses, ignoreIndex: data.ignoreIndex }).merge(data);
  }

  private forEachCell(fn: (gt: number, pred: number, n: number) => void): void {
    const s = this.stride;
    if (this.dense !== undefined) {
      const d = this.dense;
      for (let k = 0; k < d.length; k++) {
        const n = d[k] as number;
        if (n !== 0) fn(Math.floor(k / s), k % s, n);
      }
    } else {
      const keys = [...(this.sparse as Map<number, number>).keys()].sort((a, b) => a - b);
      for (const k of keys) fn(Math.floor(k / s), k % s, this.sparse?.get(k) as number);
    }
  }

  private bump(key: number, n: number): void {
    if (n === 0) return;
    if (this.dense !== undefined) this.dense[key] = (this.dense[key] as number) + n;
    else this.sparse?.set(key, (this.sparse.get(key) ?? 0) + n);
  }

  private lookup8(): Int32Array {
    if (this.lut8 !== undefined) return this.lut8;
    const lut = new Int32Array(65536);
    const c = this.numClasses;
    const skip = c * this.stride;
    const invalid = skip + 1;
    for (let g = 0; g < 256; g++) {
      for (let p = 0; p < 256; p++) {
        let bin: number;
        if (g === this.ignoreIndex) bin = skip;
        else if (g >= c) bin = invalid;
        else if (p < c) bin = g * this.stride + p;
        else if (p === this.ignoreIndex) bin = g * this.stride + c;
        else bin = invalid;
        lut[(g << 8) | p] = bin;
      }
    }
    this.lut8 = lut;
    return lut;
  }

  /** Sparse path (C > MAX_DENSE_CLASSES): runs of equal pairs are counted before touching the map. */
  private addSparse(gt: LabelArray, pred: LabelArray, options: AddOptions): number {
    const c = this.numClasses;
    const ignore = this.ignoreIndex ?? Number.NaN;
    const local = new Map<number, number>();
    let counted = 0;
    let runKey = -1;
    let run = 0;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i] as number;
      if (g === ignore) continue;
      const p = pred[i] as number;
      const col = p >= 0 && p < c ? p : p === ignore ? c : -1;
      if (!(g >= 0 && g < c) || col < 0) throw this.invalidAt(gt, pred, i, options);
      const key = g * this.stride + col;
      if (key !== runKey) {
        if (run > 0) local.set(runKey, (local.get(runKey) ?? 0) + run);
        runKey = key;
        run = 0;
      }
      run++;
      counted++;
    }
    if (run > 0) local.set(runKey, (local.get(runKey) ?? 0) + run);
    for (const [k, n] of local) this.bump(k, n);
    return counted;
  }

  /** Index of the first pixel that is neither ignored nor valid (the slow path of an error). */
  private firstInvalid(gt: LabelArray, pred: LabelArray): number {
    const c = this.numClasses;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i] as number;
      if (g === this.ignoreIndex) continue;
      const p = pred[i] as number;
      if (!(g >= 0 && g < c) || !((p >= 0 && p < c) || p === this.ignoreIndex)) return i;
    }
    return -1;
  }

  private invalidAt(gt: LabelArray, pred: LabelArray, i: number, options: AddOptions): LabelError {
    const g = gt[i] as number;
    const where = pixelAt(i, options.width);
    const valid = `not a class id (0..${this.numClasses - 1})${this.ignoreIndex === null ? '' : ` nor the ignore index ${this.ignoreIndex}`}`;
    if (g !== this.ignoreIndex && !(g >= 0 && g < this.numClasses)) {
      return new LabelError(`ground-truth label ${g} at ${where} is ${valid}`, options.gtSource);
    }
    return new LabelError(`predicted label ${pred[i]} at ${where} is ${valid}`, options.predSource);
  }
}
