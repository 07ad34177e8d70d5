/**
 * Temporal consistency (TC) of a video segmentation (Liu et al., "Efficient Semantic Video
 * Segmentation with Per-frame Inference", ECCV 2020, section 4): the prediction of frame t+1 is
 * warped back to frame t with the optical flow from t to t+1 (nearest neighbour: labels cannot be
 * interpolated), and compared with the prediction of frame t. Pixel pairs of all consecutive
 * frames of all videos accumulate in one confusion matrix; TC is its mean IoU over classes.
 *
 * Pixels are left out when their flow is unknown (|u| or |v| >= 1e9, NaN, the Middlebury
 * convention), points outside frame t+1, or either prediction is the ignore index.
 */
import type { FlowField } from '@pixelwise/core/io';
import { ConfusionMatrix, type LabelArray } from './confusion-matrix.js';
import { LabelError } from './label-error.js';
import { segmentationMetrics } from './segmentation-metrics.js';

export interface TemporalConsistencyResult {
  /** Mean over classes of the IoU between each prediction and the next one warped back. */
  temporalConsistency: number;
  /** Frame pairs evaluated. */
  pairs: number;
  /** Pixels compared (valid flow, both predictions not ignored). */
  pixels: number;
  perClass: Array<{ id: number; name: string; iou: number }>;
}

/** Unknown-flow threshold of the Middlebury format. */
const UNKNOWN_FLOW = 1e9;

/**
 * `next` warped back to the grid of frame t: `out(x, y) = next(round(x + u), round(y + v))`,
 * or `fill` where the flow is unknown or points outside. `[H, W]` labels, `[H, W, 2]` flow.
 */
export function warpLabelsBack(next: LabelArray, flow: FlowField, fill: number): Uint32Array {
  const { width, height, data } = flow;
  const out = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const u = data[2 * i] as number;
      const v = data[2 * i + 1] as number;
      let value = fill;
      if (Math.abs(u) < UNKNOWN_FLOW && Math.abs(v) < UNKNOWN_FLOW) {
        const tx = Math.round(x + u);
        const ty = Math.round(y + v);
        if (tx >= 0 && tx < width && ty >= 0 && ty < height) value = next[ty * width + tx] as number;
      }
      out[i] = value;
    }
  }
  return out;
}

export class TemporalConsistency {
  private readonly cm: ConfusionMatrix;
  private pairs = 0;

  constructor(options: { numClasses: number; ignoreIndex?: number }) {
    this.cm = new ConfusionMatrix({ numClasses: options.numClasses, ignoreIndex: options.ignoreIndex ?? 255 });
  }

  /**
   * Adds frames t and t+1 with the flow from t to t+1.
   * @throws LabelError for mismatched sizes or invalid ids (naming `sources`).
   */
  addPair(
    current: LabelArray,
    next: LabelArray,
    flow: FlowField,
    sources: { current?: string; next?: string; flow?: string } = {},
  ): void {
    const n = flow.width * flow.height;
    if (current.length !== n || next.length !== n) {
      throw new LabelError(
        `size mismatch: flow is ${flow.width}x${flow.height} (${n} pixels), predictions have ${current.length} and ${next.length} pixels`,
        sources.flow,
      );
    }
    const ignore = this.cm.ignoreIndex ?? 255;
    const warped = warpLabelsBack(next, flow, ignore);
    // Pixels whose warped label is the ignore index (no valid flow, or next frame void) leave the count.
    const base = Uint32Array.from(current as ArrayLike<number>);
    for (let i = 0; i < n; i++) if (warped[i] === ignore) base[i] = ignore;
    this.cm.add(base, warped, { width: flow.width, gtSource: sources.current, predSource: sources.next });
    this.pairs++;
  }

  result(names: readonly string[] = []): TemporalConsistencyResult {
    const m = segmentationMetrics(this.cm, names);
    return {
      temporalConsistency: m.meanIoU,
      pairs: this.pairs,
      pixels: m.numPixels,
      perClass: m.perClass.map((c) => ({ id: c.id, name: c.name, iou: c.iou })),
    };
  }
}
