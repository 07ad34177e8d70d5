/**
 * Flow across several frames from the frame-to-frame flows a data set stores (`.flo` per
 * consecutive pair): `F_{t->t+2}(p) = F_{t->t+1}(p) + F_{t+1->t+2}(p + F_{t->t+1}(p))`, the second
 * flow sampled bilinearly where the first one lands (the chaining used to propagate flow through
 * a sequence, e.g. Sundaram et al., ECCV 2010 §4 "long-term point tracking"). Plain typed arrays,
 * no TensorFlow.js: it runs in a data loader.
 */
import type { FlowField } from '@pixelwise/core/io';
import { isKnownFlow } from './flow-loss.js';
import { UNKNOWN_FLOW } from './data/synth-video.js';

/**
 * `first` (frame a -> b) followed by `second` (b -> c): the flow a -> c, `[H, W, 2]` in pixels.
 * A pixel is unknown (both components {@link UNKNOWN_FLOW}) where `first` is unknown, where it
 * lands outside frame b (`second` is not defined there), or where a bilinear tap of `second` with
 * non-zero weight is unknown (an occlusion in b -> c).
 * @throws Error when the two fields differ in size.
 */
export function composeFlow(first: FlowField, second: FlowField): FlowField {
  const { width: w, height: h } = first;
  if (second.width !== w || second.height !== h) throw new Error(`composeFlow: flows differ in size: ${w}x${h} and ${second.width}x${second.height}`);
  const out = new Float32Array(w * h * 2);
  const a = first.data;
  const b = second.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const u = a[2 * p] as number;
      const v = a[2 * p + 1] as number;
      const sampled = isKnownFlow(u, v) ? sample(b, w, h, x + u, y + v) : undefined;
      out[2 * p] = sampled ? u + sampled[0] : UNKNOWN_FLOW;
      out[2 * p + 1] = sampled ? v + sampled[1] : UNKNOWN_FLOW;
    }
  }
  return { width: w, height: h, data: out };
}

/** Chains `flows` in order (frame t -> t+1 -> ... ); one flow is returned as is. */
export function composeFlows(flows: readonly FlowField[]): FlowField {
  const [head, ...rest] = flows;
  if (!head) throw new Error('composeFlows: no flows to compose');
  return rest.reduce(composeFlow, head);
}

/** Bilinear sample of flow `f` at (sx, sy); undefined outside the frame or next to an unknown vector. */
function sample(f: Float32Array, w: number, h: number, sx: number, sy: number): [number, number] | undefined {
  if (!(sx >= 0 && sx <= w - 1 && sy >= 0 && sy <= h - 1)) return undefined;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  let u = 0;
  let v = 0;
  for (const [dx, dy, wt] of [
    [0, 0, (1 - fx) * (1 - fy)],
    [1, 0, fx * (1 - fy)],
    [0, 1, (1 - fx) * fy],
    [1, 1, fx * fy],
  ] as const) {
    if (wt === 0) continue;
    const q = (y0 + dy) * w + (x0 + dx);
    const cu = f[2 * q] as number;
    const cv = f[2 * q + 1] as number;
    if (!isKnownFlow(cu, cv)) return undefined;
    u += wt * cu;
    v += wt * cv;
  }
  return [u, v];
}
