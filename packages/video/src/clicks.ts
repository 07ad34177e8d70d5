/**
 * Click annotations (Liu et al., "WeClick: Weakly-Supervised Video Semantic Segmentation with
 * Click Annotations", ACM MM 2021, §3.1): one click segments one instance of a semantic class. From
 * a frame's full labels we place one click per thing instance (its track id in the instance map)
 * and one per 4-connected region of each stuff class (or of every class, for labels without
 * instances, PASCAL VOC style), at a random interior pixel, so a click never sits on a region's
 * boundary; optionally grown to a small disc. The result is a label map in the usual format:
 * the class id on clicked pixels, the ignore index elsewhere, which partial cross-entropy reads.
 * Plain typed arrays, no TensorFlow.js.
 */
import type { Rng } from '@pixelwise/models';

/** One frame's full labels: class ids (`ignoreIndex` = void) and optional track ids (0 = stuff), `[H, W]` row-major. */
export interface FullLabels {
  width: number;
  height: number;
  semantic: Uint8Array;
  /** Thing instances: one click per non-zero id. Without it every class is split into connected regions. */
  instance?: Uint16Array;
}

export interface ClickOptions {
  /** Disc radius in pixels around each click (0: one pixel, the default); disc pixels outside the clicked region stay unlabelled. */
  radius?: number;
  /** Void value of the input and of the output. Default 255. */
  ignoreIndex?: number;
}

/** One click: where, on which class, and whether it sits on an interior pixel (false only for regions that have none). */
export interface Click {
  x: number;
  y: number;
  classId: number;
  interior: boolean;
}

/** The clicks of one frame and the label map that holds them. */
export interface FrameClicks {
  clicks: Click[];
  /** `[H, W]` class id on clicked pixels, `ignoreIndex` elsewhere. */
  labels: Uint8Array;
  /** Pixels that carry a label. */
  labelled: number;
}

/**
 * Regions of a frame, `[H, W]` region index (-1 for void): each thing instance is one region (even
 * when occlusion splits it), each 4-connected component of a stuff class (instance id 0, or no
 * instance map) another.
 */
export function clickRegions(l: FullLabels, ignoreIndex = 255): { region: Int32Array; classOf: number[] } {
  const { width: w, height: h, semantic, instance } = l;
  const n = w * h;
  if (semantic.length !== n || (instance && instance.length !== n)) throw new Error(`clickRegions: label planes must hold ${w}x${h} = ${n} values`);
  const region = new Int32Array(n).fill(-1);
  const classOf: number[] = [];
  const things = new Map<string, number>();
  for (let p = 0; p < n; p++) {
    const c = semantic[p] as number;
    const id = instance?.[p] ?? 0;
    if (c === ignoreIndex || id === 0) continue;
    const key = `${c}/${id}`;
    let r = things.get(key);
    if (r === undefined) {
      r = classOf.push(c) - 1;
      things.set(key, r);
    }
    region[p] = r;
  }
  // Stuff: flood fill over 4-neighbours of the same class and no instance.
  const stack: number[] = [];
  for (let p = 0; p < n; p++) {
    const c = semantic[p] as number;
    if (region[p] !== -1 || c === ignoreIndex) continue;
    const r = classOf.push(c) - 1;
    region[p] = r;
    stack.push(p);
    while (stack.length > 0) {
      const q = stack.pop() as number;
      const x = q % w;
      for (const s of [x > 0 ? q - 1 : -1, x < w - 1 ? q + 1 : -1, q - w, q + w]) {
        if (s < 0 || s >= n || region[s] !== -1 || semantic[s] !== c || (instance?.[s] ?? 0) !== 0) continue;
        region[s] = r;
        stack.push(s);
      }
    }
  }
  return { region, classOf };
}

/**
 * Pixels of each region at depth >= 1: the region's pixels whose 8 neighbours inside the frame
 * all belong to it (one 3x3 erosion; the frame's edge is not a region boundary), with each pixel's
 * depth: how many erosions it survives (Chebyshev distance to the nearest other region).
 */
function depthOf(region: Int32Array, w: number, h: number): Int32Array {
  const depth = new Int32Array(region.length);
  for (let p = 0; p < region.length; p++) depth[p] = region[p] === -1 ? 0 : 1;
  // Iterated erosion: depth d+1 where every in-frame 8-neighbour of the same region has depth >= d.
  for (let d = 1; ; d++) {
    let changed = false;
    const next = depth.slice();
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (depth[p] !== d) continue;
        let inside = true;
        for (let dy = -1; dy <= 1 && inside; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            const q = ny * w + nx;
            if (region[q] !== region[p] || (depth[q] as number) < d) {
              inside = false;
              break;
            }
          }
        }
        if (inside) {
          next[p] = d + 1;
          changed = true;
        }
      }
    }
    depth.set(next);
    if (!changed) return depth;
  }
}

/**
 * One click per region ({@link clickRegions}) at a uniformly random pixel among those at least
 * `radius + 1` erosions deep, so the click and its disc stay off the region's boundary; a region
 * too thin for that takes its deepest pixels (a region one pixel wide has only boundary pixels:
 * its click is marked `interior: false`). Random draws: one per region, in region order.
 */
export function sampleClicks(l: FullLabels, rng: Rng, options: ClickOptions = {}): FrameClicks {
  const ignoreIndex = options.ignoreIndex ?? 255;
  const radius = options.radius ?? 0;
  if (!Number.isInteger(radius) || radius < 0) throw new Error(`sampleClicks: radius must be a non-negative integer, got ${radius}`);
  const { width: w, height: h } = l;
  const { region, classOf } = clickRegions(l, ignoreIndex);
  const depth = depthOf(region, w, h);
  // Per region: the deepest level reached, then the candidates at min(radius + 2, that level).
  const deepest = new Int32Array(classOf.length);
  for (let p = 0; p < region.length; p++) {
    const r = region[p] as number;
    if (r >= 0 && (depth[p] as number) > (deepest[r] as number)) deepest[r] = depth[p] as number;
  }
  const want = (r: number) => Math.min(radius + 2, deepest[r] as number);
  const candidates: number[][] = classOf.map(() => []);
  for (let p = 0; p < region.length; p++) {
    const r = region[p] as number;
    if (r >= 0 && (depth[p] as number) >= want(r)) candidates[r]?.push(p);
  }
  const labels = new Uint8Array(w * h).fill(ignoreIndex);
  const clicks: Click[] = [];
  let labelled = 0;
  candidates.forEach((pixels, r) => {
    const p = rng.pick(pixels);
    const x = p % w;
    const y = Math.floor(p / w);
    const classId = classOf[r] as number;
    clicks.push({ x, y, classId, interior: (depth[p] as number) >= 2 });
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const q = (y + dy) * w + (x + dx);
        if (dx * dx + dy * dy > radius * radius || x + dx < 0 || x + dx >= w || y + dy < 0 || y + dy >= h || region[q] !== r || labels[q] !== ignoreIndex) continue;
        labels[q] = classId;
        labelled++;
      }
    }
  });
  return { clicks, labels, labelled };
}
