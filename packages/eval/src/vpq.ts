/**
 * Video Panoptic Quality (Kim et al., "Video Panoptic Segmentation", CVPR 2020, section 4, and
 * its evaluation code eval_vpq.py), as defined in DESIGN.md:
 *
 * For n = 1..4 consecutive annotated frames, a window slides over each video. In a window a
 * segment is a tube: the pixels of one (class, track id) in all n frames (stuff: track id 0).
 * A predicted tube matches a ground-truth tube of the same class when
 *   IoU = |P∩G| / (|P| + |G| - |P∩G| - |P∩void|) > 0.5.
 * Unmatched ground truth is a false negative; an unmatched prediction is a false positive unless
 * more than half of it lies on void (or on a crowd region of its class). TP, FP, FN and the sum
 * of matched IoUs accumulate per class over all windows of all videos;
 * PQ_c = sumIoU / (TP + FP/2 + FN/2); VPQ_n = mean PQ_c over classes with TP+FP+FN > 0;
 * VPQ = mean of VPQ_n over n.
 *
 * Layout: `semantic` holds class ids (255 = void), `instance` track ids. Track ids of stuff
 * classes are ignored (set to 0). A ground-truth thing pixel with track id 0 is a crowd region
 * (the `iscrowd` of the Cityscapes-VPS JSON): never a false negative, and predictions lying on it
 * are discounted like void, as in the reference code.
 */
import type { LabelArray } from './confusion-matrix.js';
import { LabelError, pixelAt } from './label-error.js';
import { nanMean } from './segmentation-metrics.js';

/** One annotated frame in the video panoptic layout. */
export interface PanopticFrame {
  width: number;
  height: number;
  /** Class id per pixel, `[H, W]`; the void id (255) for unlabelled pixels. */
  semantic: LabelArray;
  /** Track id per pixel, `[H, W]`; the same id on the same object in every frame of the video. */
  instance: LabelArray;
  /** File names for error messages. */
  semanticSource?: string;
  instanceSource?: string;
}

export interface VpqOptions {
  numClasses: number;
  /** Thing class ids (countable objects); all other classes are stuff. */
  things: readonly number[];
  /** Class id of void pixels. Default 255. */
  voidIndex?: number;
  /** Window lengths 1..maxFrames. Default 4 (k = 0, 5, 10, 15 on every-5th-frame annotations). */
  maxFrames?: number;
}

export interface VpqClassResult {
  id: number;
  name: string;
  isThing: boolean;
  /** PQ_c, NaN when TP + FP + FN = 0. */
  pq: number;
  /** Segmentation quality: sumIoU / TP. */
  sq: number;
  /** Recognition quality: TP / (TP + FP/2 + FN/2). */
  rq: number;
  tp: number;
  fp: number;
  fn: number;
  iouSum: number;
}

export interface VpqWindowResult {
  /** n: consecutive annotated frames per window. */
  frames: number;
  /** Windows evaluated (over all videos). */
  windows: number;
  vpq: number;
  things: number;
  stuff: number;
  perClass: VpqClassResult[];
}

/** A plain serialisable result; fractions in [0, 1], NaN (JSON null) when undefined. */
export interface VpqResult {
  vpq: number;
  vpqThings: number;
  vpqStuff: number;
  videos: number;
  frames: number;
  windows: VpqWindowResult[];
}

const TRACKS = 65536;
const PAIR = 2 ** 24;

interface Stats {
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  iou: Float64Array;
  windows: number;
}

export class VpqAccumulator {
  readonly numClasses: number;
  readonly voidIndex: number;
  readonly maxFrames: number;
  private readonly isThing: Uint8Array;
  private readonly voidSeg: number;
  private readonly stats: Stats[];
  private videos = 0;
  private frames = 0;

  constructor(options: VpqOptions) {
    const { numClasses } = options;
    this.voidIndex = options.voidIndex ?? 255;
    this.maxFrames = options.maxFrames ?? 4;
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 255) {
      throw new RangeError(`numClasses must be an integer in 1..255 for panoptic labels, found ${numClasses}`);
    }
    if (this.voidIndex >= 0 && this.voidIndex < numClasses) throw new RangeError(`void index ${this.voidIndex} is a class id`);
    this.numClasses = numClasses;
    this.isThing = new Uint8Array(numClasses);
    for (const t of options.things) {
      if (!Number.isInteger(t) || t < 0 || t >= numClasses) throw new RangeError(`thing class ${t} is not a class id (0..${numClasses - 1})`);
      this.isThing[t] = 1;
    }
    this.voidSeg = numClasses * TRACKS;
    this.stats = Array.from({ length: this.maxFrames }, () => ({
      tp: new Float64Array(numClasses),
      fp: new Float64Array(numClasses),
      fn: new Float64Array(numClasses),
      iou: new Float64Array(numClasses),
      windows: 0,
    }));
  }

  /**
   * Adds one video: ground-truth and predicted frames, the same annotated frames in the same order.
   * @throws LabelError for a size mismatch or an id that is neither a class nor void.
   */
  addVideo(gt: readonly PanopticFrame[], pred: readonly PanopticFrame[]): void {
    if (gt.length !== pred.length) throw new RangeError(`video has ${gt.length} ground-truth frames but ${pred.length} predicted frames`);
    const pairs = gt.map((g, i) => this.framePairs(g, pred[i] as PanopticFrame));
    for (let n = 1; n <= this.maxFrames; n++) {
      for (let start = 0; start + n <= pairs.length; start++) this.addWindow(pairs.slice(start, start + n), this.stats[n - 1] as Stats);
    }
    this.videos++;
    this.frames += gt.length;
  }

  /** Counts of (gt segment, pred segment) pixel pairs in one frame. */
  private framePairs(gt: PanopticFrame, pred: PanopticFrame): Map<number, number> {
    const n = gt.width * gt.height;
    for (const [f, what] of [[gt, 'ground truth'], [pred, 'prediction']] as const) {
      if (f.semantic.length !== n || f.instance.length !== n || f.width !== gt.width || f.height !== gt.height) {
        throw new LabelError(
          `size mismatch: ${what} frame is ${f.width}x${f.height} with ${f.semantic.length} semantic and ${f.instance.length} instance pixels, expected ${gt.width}x${gt.height}`,
          f.instanceSource ?? f.semanticSource,
        );
      }
    }
    const map = new Map<number, number>();
    const gs = this.segments(gt);
    const ps = this.segments(pred);
    let key = -1;
    let run = 0;
    for (let i = 0; i < n; i++) {
      const k = (gs[i] as number) * PAIR + (ps[i] as number);
      if (k === key) {
        run++;
        continue;
      }
      if (run > 0) map.set(key, (map.get(key) ?? 0) + run);
      key = k;
      run = 1;
    }
    if (run > 0) map.set(key, (map.get(key) ?? 0) + run);
    return map;
  }

  /** Segment id per pixel: class * 65536 + track (track 0 for stuff), or the void segment. */
  private segments(f: PanopticFrame): Uint32Array {
    const out = new Uint32Array(f.semantic.length);
    const c = this.numClasses;
    for (let i = 0; i < out.length; i++) {
      const s = f.semantic[i] as number;
      if (s === this.voidIndex) {
        out[i] = this.voidSeg;
        continue;
      }
      if (!(s >= 0 && s < c)) {
        throw new LabelError(
          `class id ${s} at ${pixelAt(i, f.width)} is not a class id (0..${c - 1}) nor the void index ${this.voidIndex}`,
          f.semanticSource,
        );
      }
      const t = this.isThing[s] === 1 ? (f.instance[i] as number) : 0;
      if (!(t >= 0 && t < TRACKS)) throw new LabelError(`track id ${t} at ${pixelAt(i, f.width)} is outside 0..65535`, f.instanceSource);
      out[i] = s * TRACKS + t;
    }
    return out;
  }

  private addWindow(frames: ReadonlyArray<Map<number, number>>, st: Stats): void {
    const inter = new Map<number, number>();
    for (const m of frames) for (const [k, v] of m) inter.set(k, (inter.get(k) ?? 0) + v);
    const gtArea = new Map<number, number>();
    const predArea = new Map<number, number>();
    const onVoid = new Map<number, number>(); // |P ∩ void| per predicted segment
    for (const [k, v] of inter) {
      const g = Math.floor(k / PAIR);
      const p = k % PAIR;
      gtArea.set(g, (gtArea.get(g) ?? 0) + v);
      predArea.set(p, (predArea.get(p) ?? 0) + v);
      if (g === this.voidSeg) onVoid.set(p, (onVoid.get(p) ?? 0) + v);
    }
    const classOf = (seg: number) => Math.floor(seg / TRACKS);
    const isCrowd = (seg: number) => seg % TRACKS === 0 && this.isThing[classOf(seg)] === 1;
    const gtMatched = new Set<number>();
    const predMatched = new Set<number>();
    for (const [k, v] of inter) {
      const g = Math.floor(k / PAIR);
      const p = k % PAIR;
      if (g === this.voidSeg || p === this.voidSeg || isCrowd(g) || classOf(g) !== classOf(p)) continue;
      const union = (predArea.get(p) as number) + (gtArea.get(g) as number) - v - (onVoid.get(p) ?? 0);
      const iou = v / union;
      if (iou > 0.5) {
        const c = classOf(g);
        st.tp[c] = (st.tp[c] as number) + 1;
        st.iou[c] = (st.iou[c] as number) + iou;
        gtMatched.add(g);
        predMatched.add(p);
      }
    }
    for (const g of gtArea.keys()) {
      if (g === this.voidSeg || gtMatched.has(g) || isCrowd(g)) continue;
      const c = classOf(g);
      st.fn[c] = (st.fn[c] as number) + 1;
    }
    for (const [p, area] of predArea) {
      if (p === this.voidSeg || predMatched.has(p)) continue;
      const c = classOf(p);
      let ignored = onVoid.get(p) ?? 0;
      const crowd = c * TRACKS;
      if (this.isThing[c] === 1 && gtArea.has(crowd)) ignored += inter.get(crowd * PAIR + p) ?? 0;
      if (ignored / area > 0.5) continue;
      st.fp[c] = (st.fp[c] as number) + 1;
    }
    st.windows++;
  }

  /** VPQ, VPQ_n and the things/stuff splits so far. */
  result(names: readonly string[] = []): VpqResult {
    const windows = this.stats.map((st, i): VpqWindowResult => {
      const perClass: VpqClassResult[] = [];
      for (let c = 0; c < this.numClasses; c++) {
        const tp = st.tp[c] as number;
        const fp = st.fp[c] as number;
        const fn = st.fn[c] as number;
        const iouSum = st.iou[c] as number;
        const denom = tp + fp / 2 + fn / 2;
        perClass.push({
          id: c,
          name: names[c] ?? String(c),
          isThing: this.isThing[c] === 1,
          pq: denom > 0 ? iouSum / denom : Number.NaN,
          sq: tp > 0 ? iouSum / tp : Number.NaN,
          rq: denom > 0 ? tp / denom : Number.NaN,
          tp,
          fp,
          fn,
          iouSum,
        });
      }
      return {
        frames: i + 1,
        windows: st.windows,
        vpq: nanMean(perClass.map((p) => p.pq)),
        things: nanMean(perClass.filter((p) => p.isThing).map((p) => p.pq)),
        stuff: nanMean(perClass.filter((p) => !p.isThing).map((p) => p.pq)),
        perClass,
      };
    });
    return {
      vpq: nanMean(windows.map((w) => w.vpq)),
      vpqThings: nanMean(windows.map((w) => w.things)),
      vpqStuff: nanMean(windows.map((w) => w.stuff)),
      videos: this.videos,
      frames: this.frames,
      windows,
    };
  }
}
