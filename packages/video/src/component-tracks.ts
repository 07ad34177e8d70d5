/**
 * Instances for a semantic model's video predictions, so that VPQ can score its thing classes:
 * each 4-connected component of a thing class in a frame's predicted class map is one instance,
 * and instances are linked from frame to frame by overlap. The previous frame's track ids are
 * first moved into the current frame along the optical flow between them when one is given
 * (each pixel to its nearest pixel at p + flow; pixels of unknown flow or leaving the frame are
 * dropped). A component then takes the track id of the previous frame's instance of the same
 * class when their IoU (pixels of both in the same place over pixels of either) is at least
 * `minIoU`; pairs are taken greedily in order of falling IoU, each track and each component at
 * most once; every other component starts a new track. Stuff classes and void get track id 0.
 *
 * The choice is ours (a semantic model has no instance head, and VPSNet's tracking head needs
 * one): connected components with IoU association after flow warping, as in flow-guided
 * trackers, with no re-identification after a gap; `minIoU` is the `--track-iou` flag, the flow
 * `--track-flow`. Plain typed arrays, no TensorFlow.js.
 */
import type { FlowField } from '@pixelwise/core/io';
import { clickRegions } from './clicks.js';
import { isKnownFlow } from './flow-loss.js';

export interface ComponentTrackOptions {
  /** Thing class ids; every other class is stuff (track id 0). */
  things: readonly number[];
  /** Least IoU with the previous frame's (moved) instance for a component to keep its track id. Default 0.1. */
  minIoU?: number;
  /** Void value of the class maps (track id 0). Default 255. */
  ignoreIndex?: number;
}

/**
 * Default `minIoU`. On the ground-truth class maps of 23 synthetic test videos (docs/BENCHMARKS.md,
 * "VPQ of a semantic model") thing VPQ over 4-frame windows was 74.8 % at 0.1, 68.4 at 0.3, 59.0
 * at 0.5 with Lucas-Kanade flow: the synthetic objects move several pixels a frame, and a low
 * bar with one-to-one matching within a class loses fewer tracks than it confuses.
 */
export const TRACK_MIN_IOU = 0.1;

/** Largest track id: the instance PNGs are 16-bit. */
const MAX_TRACK = 0xffff;

/** Tracks thing components through one video's frames, in order; `reset()` before the next video. */
export class ComponentTracker {
  private readonly things: Set<number>;
  private readonly minIoU: number;
  private readonly ignoreIndex: number;
  /** The previous frame's track ids, and the class of each. */
  private previous: Uint16Array | undefined;
  private readonly prevClasses = new Map<number, number>();
  private nextId = 1;

  constructor(
    readonly width: number,
    readonly height: number,
    options: ComponentTrackOptions,
  ) {
    const minIoU = options.minIoU ?? TRACK_MIN_IOU;
    if (!(minIoU > 0 && minIoU <= 1)) throw new RangeError(`ComponentTracker: minIoU must be in (0, 1], got ${minIoU}`);
    this.things = new Set(options.things);
    this.minIoU = minIoU;
    this.ignoreIndex = options.ignoreIndex ?? 255;
  }

  /** Forgets the previous frame and restarts track ids at 1 (a new video). */
  reset(): void {
    this.previous = undefined;
    this.prevClasses.clear();
    this.nextId = 1;
  }

  /**
   * Track ids `[H * W]` for the next frame's class ids `[H * W]`; `flowFromPrevious` is the
   * forward flow from the previous frame to this one (a pixel p of the previous frame is at
   * p + flow(p) here).
   */
  next(semantic: ArrayLike<number>, flowFromPrevious?: FlowField): Uint16Array {
    const n = this.width * this.height;
    if (semantic.length !== n) throw new Error(`ComponentTracker: ${semantic.length} labels for a ${this.width}x${this.height} frame`);
    if (flowFromPrevious && (flowFromPrevious.width !== this.width || flowFromPrevious.height !== this.height)) {
      throw new Error(`ComponentTracker: a ${flowFromPrevious.width}x${flowFromPrevious.height} flow for a ${this.width}x${this.height} frame`);
    }
    const { region, classOf } = clickRegions({ width: this.width, height: this.height, semantic: Uint8Array.from(semantic) }, this.ignoreIndex);
    const isThing = classOf.map((c) => this.things.has(c));
    const size = new Array<number>(classOf.length).fill(0);
    for (let p = 0; p < n; p++) {
      const r = region[p] as number;
      if (r >= 0) size[r] = (size[r] as number) + 1;
    }
    // Overlap of each thing component with each previous track (a track is one component of the
    // previous frame, so all its pixels are of one class).
    const prevSize = new Map<number, number>();
    const overlap = new Map<number, Map<number, number>>();
    const prev = this.previous && flowFromPrevious ? this.moved(this.previous, flowFromPrevious) : this.previous;
    if (prev) {
      for (let p = 0; p < n; p++) {
        const id = prev[p] as number;
        if (id !== 0) prevSize.set(id, (prevSize.get(id) ?? 0) + 1);
      }
      for (let p = 0; p < n; p++) {
        const r = region[p] as number;
        const id = prev[p] as number;
        if (r < 0 || id === 0 || !isThing[r]) continue;
        let m = overlap.get(r);
        if (!m) overlap.set(r, (m = new Map()));
        m.set(id, (m.get(id) ?? 0) + 1);
      }
    }
    const pairs: Array<{ r: number; id: number; iou: number }> = [];
    for (const [r, m] of overlap) {
      for (const [id, inter] of m) {
        if (this.prevClasses.get(id) !== classOf[r]) continue;
        const iou = inter / ((size[r] as number) + (prevSize.get(id) as number) - inter);
        if (iou >= this.minIoU) pairs.push({ r, id, iou });
      }
    }
    // Greedy one-to-one: highest IoU first; ties by component then track, so the result is deterministic.
    pairs.sort((a, b) => b.iou - a.iou || a.r - b.r || a.id - b.id);
    const trackOf = new Array<number>(classOf.length).fill(0);
    const taken = new Set<number>();
    for (const { r, id } of pairs) {
      if (trackOf[r] !== 0 || taken.has(id)) continue;
      trackOf[r] = id;
      taken.add(id);
    }
    this.prevClasses.clear();
    for (let r = 0; r < classOf.length; r++) {
      if (!isThing[r]) continue;
      if (trackOf[r] === 0) {
        if (this.nextId > MAX_TRACK) throw new RangeError(`ComponentTracker: more than ${MAX_TRACK} tracks in one video (16-bit instance ids)`);
        trackOf[r] = this.nextId++;
      }
      this.prevClasses.set(trackOf[r] as number, classOf[r] as number);
    }
    const out = new Uint16Array(n);
    for (let p = 0; p < n; p++) {
      const r = region[p] as number;
      if (r >= 0) out[p] = trackOf[r] as number;
    }
    this.previous = out;
    return out;
  }

  /** `ids` moved along `flow`: each pixel to its nearest pixel at p + flow(p), later pixels over earlier ones. */
  private moved(ids: Uint16Array, flow: FlowField): Uint16Array {
    const { width: w, height: h } = this;
    const out = new Uint16Array(ids.length);
    for (let p = 0; p < ids.length; p++) {
      const id = ids[p] as number;
      const u = flow.data[2 * p] as number;
      const v = flow.data[2 * p + 1] as number;
      if (id === 0 || !isKnownFlow(u, v)) continue;
      const x = Math.round((p % w) + u);
      const y = Math.round(Math.floor(p / w) + v);
      if (x >= 0 && y >= 0 && x < w && y < h) out[y * w + x] = id;
    }
    return out;
  }
}
