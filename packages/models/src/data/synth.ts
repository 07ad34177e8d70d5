/**
 * Procedural street-like scenes: sky above a horizon, buildings, trees, walls and fences on
 * it, ground of grass/road/water below, and things (cars, people, signs, ...) standing on the
 * ground, larger the nearer they are, painted far to near so that near ones occlude.
 *
 * Multi-scale by construction: object sizes span ~10x, and confusable classes share colours
 * and differ by texture periods of 3..11 pixels, so wider receptive fields and context
 * (things stand on the ground, buildings touch the horizon) pay off.
 */
import type { InstanceStyle } from './appearance.js';
import { checkClassCount, synthClass, SYNTH_CLASS as K } from './classes.js';
import { createRng } from './rng.js';
import type { Rng } from './rng.js';
import { rasterizeScene } from './scene.js';
import type { RasterizedScene, RasterizeOptions, SceneLayer, SceneSpec } from './scene.js';
import type { Point, Shape } from './shapes.js';

export interface SynthOptions {
  width: number;
  height: number;
  /** Number of classes C: labels are 0..C-1 (see `synthClasses`). 2..255. */
  classes: number;
  seed: number;
}

/** Samples a random scene description; {@link rasterizeScene} turns it into pixels. */
export function sampleSceneSpec(options: SynthOptions): SceneSpec {
  const { width: W, height: H, classes, seed } = options;
  checkClassCount(classes);
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 8 || H < 8) {
    throw new RangeError(`scene size must be integers >= 8, found ${W}x${H}`);
  }
  const rng = createRng(seed);
  const has = (id: number) => id < classes;
  const layers: SceneLayer[] = [];
  const stuff = (classId: number, shape: Shape, parallax = 1) => layers.push({ classId, shape, style: sampleStyle(rng), parallax });

  const horizon = H * rng.uniform(0.3, 0.55);
  stuff(K.sky, { type: 'fill' }, 0.2);

  // On the horizon: trees behind buildings behind walls and fences.
  if (has(K.tree)) {
    for (let i = rng.int(0, 4); i > 0; i--) {
      const r = H * rng.uniform(0.06, 0.16);
      stuff(K.tree, blob(rng, W * rng.uniform(0, 1), horizon - r * 0.5, r, rng.uniform(0.9, 1.6)), 0.6);
    }
  }
  if (has(K.building) && rng.chance(0.75)) {
    let x = W * rng.uniform(-0.1, 0.3);
    const end = W * rng.uniform(0.5, 1.1);
    while (x < end) {
      const w = W * rng.uniform(0.1, 0.28);
      const h = H * rng.uniform(0.12, 0.38);
      const bottom = horizon + H * 0.02;
      stuff(K.building, { type: 'rect', cx: x + w / 2, cy: bottom - h / 2, width: w, height: h }, 0.7);
      x += w * rng.uniform(0.7, 1.1);
    }
  }
  if (has(K.wall) && rng.chance(0.4)) stuff(K.wall, horizontalStrip(rng, W, horizon, H * rng.uniform(0.05, 0.1)));
  if (has(K.fence) && rng.chance(0.4)) stuff(K.fence, horizontalStrip(rng, W, horizon, H * rng.uniform(0.05, 0.09)));

  // Ground, then water and road on it.
  const ground = has(K.grass) ? K.grass : K.road;
  stuff(ground, { type: 'band', top: horizon, bottom: Infinity, amplitude: H * rng.uniform(0, 0.02), wavelength: W * rng.uniform(0.3, 1), phase: rng.uniform(0, 6.3) });
  if (has(K.water) && rng.chance(0.55)) {
    if (rng.chance(0.5)) {
      const top = horizon + H * rng.uniform(0, 0.1);
      stuff(K.water, { type: 'band', top, bottom: top + H * rng.uniform(0.08, 0.2), amplitude: H * rng.uniform(0.005, 0.03), wavelength: W * rng.uniform(0.15, 0.5), phase: rng.uniform(0, 6.3) });
    } else {
      const r = H * rng.uniform(0.08, 0.18);
      stuff(K.water, blob(rng, W * rng.uniform(0.1, 0.9), horizon + r + H * rng.uniform(0.02, 0.3), r, rng.uniform(1.5, 2.5)));
    }
  }
  if (ground !== K.road && rng.chance(0.85)) {
    const vx = W * rng.uniform(0.25, 0.75);
    const topHalf = W * rng.uniform(0.01, 0.06);
    const y0 = horizon + H * 0.01;
    stuff(K.road, { type: 'polygon', points: [[vx - topHalf, y0], [vx + topHalf, y0], [W * rng.uniform(0.6, 1.3), H + 1], [W * rng.uniform(-0.3, 0.4), H + 1]] });
  }
  for (let id = 16; id < classes; id += 2) {
    if (!rng.chance(0.6)) continue;
    const r = H * rng.uniform(0.05, 0.14);
    stuff(id, blob(rng, W * rng.uniform(0, 1), rng.uniform(horizon, H), r, rng.uniform(0.7, 1.8)));
  }

  // Things, far to near.
  const thingIds = Array.from({ length: classes }, (_, id) => id).filter((id) => synthClass(id).kind === 'thing');
  if (thingIds.length > 0) {
    const count = rng.int(2, 7);
    const placed = Array.from({ length: count }, () => ({ classId: rng.pick(thingIds), depth: rng.uniform(0, 1) }));
    placed.sort((a, b) => a.depth - b.depth);
    const clusterX = W * rng.uniform(0.2, 0.8);
    placed.forEach(({ classId, depth }, i) => {
      const base = horizon + (H - horizon) * (0.05 + 0.95 * depth); // where it stands
      const size = H * (0.05 + 0.3 * depth) * rng.uniform(0.8, 1.25);
      const cx = rng.chance(0.5) ? clusterX + W * rng.uniform(-0.2, 0.2) : W * rng.uniform(0.05, 0.95);
      const style = sampleStyle(rng);
      for (const part of thingParts(rng, classId, cx, base, size, has)) {
        const partStyle = part.style?.brightness === undefined ? style : { ...style, brightness: style.brightness * part.style.brightness };
        const id = part.classId ?? classId;
        const instance = synthClass(id).kind === 'thing' ? i + 1 : 0; // a sign's pole is stuff
        layers.push({ classId: id, shape: part.shape, style: partStyle, texture: 'object', instance });
      }
    });
  }
  const lighting = { gain: rng.uniform(0.85, 1.15), gradient: [rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)] as [number, number] };
  return { width: W, height: H, layers, lighting };
}

/** {@link sampleSceneSpec} then {@link rasterizeScene}: one image, its labels and instances. */
export function generateScene(options: SynthOptions & RasterizeOptions): RasterizedScene {
  return rasterizeScene(sampleSceneSpec(options), options);
}

/** Random per-instance appearance variation. */
export function sampleStyle(rng: Rng): InstanceStyle {
  const t = () => rng.uniform(-12, 12);
  return { brightness: rng.uniform(0.8, 1.2), tint: [t(), t(), t()], angle: rng.uniform(-0.2, 0.2), scale: rng.uniform(0.85, 1.15), seed: rng.int(0, 0x7fffffff) };
}

interface Part {
  shape: Shape;
  classId?: number;
  /** Multiplies the instance's brightness (dark wheels). */
  style?: { brightness: number };
}

const dark = { brightness: 0.35 };

/** The shapes of one thing standing at (cx, base), `size` pixels tall-ish. */
function thingParts(rng: Rng, classId: number, cx: number, base: number, s: number, has: (id: number) => boolean): Part[] {
  const rect = (x: number, y: number, w: number, h: number, angle = 0): Shape => ({ type: 'rect', cx: x, cy: y, width: w, height: h, angle });
  const ellipse = (x: number, y: number, rx: number, ry: number): Shape => ({ type: 'ellipse', cx: x, cy: y, rx, ry });
  const dir = rng.chance(0.5) ? 1 : -1;
  switch (classId) {
    case K.car:
    case K.bus:
    case K.truck: {
      const len = s * (classId === K.car ? 1.8 : 2.6);
      const h = s * (classId === K.car ? 0.5 : 1.0);
      const wheel = s * 0.17;
      const body = rect(cx, base - wheel - h / 2, len, h);
      const top =
        classId === K.car
          ? rect(cx - dir * len * 0.05, base - wheel - h - s * 0.18, len * 0.55, s * 0.36)
          : rect(cx + dir * len * 0.38, base - wheel - h - s * 0.1, len * 0.24, s * 0.2);
      const wheels = [-0.3, 0.3].map((f) => ({ shape: ellipse(cx + f * len, base - wheel, wheel, wheel), style: dark }));
      return [{ shape: top }, { shape: body }, ...wheels];
    }
    case K.person:
    case K.rider: {
      const h = s * 1.2;
      const parts: Part[] = [
        { shape: rect(cx, base - h * 0.2, h * 0.2, h * 0.4) },
        { shape: ellipse(cx, base - h * 0.58, h * 0.14, h * 0.22) },
        { shape: ellipse(cx, base - h * 0.88, h * 0.09, h * 0.1) },
      ];
      if (classId === K.rider && has(K.bicycle)) {
        return [...parts.map((p) => ({ ...p, shape: shiftUp(p.shape, h * 0.3) })), ...bicycle(cx, base, s * 0.9, K.bicycle)];
      }
      return parts;
    }
    case K.sign: {
      const plateY = base - s * 1.2;
      const pole = { shape: rect(cx, (base + plateY) / 2, Math.max(1.5, s * 0.06), base - plateY), classId: has(K.pole) ? K.pole : K.sign, style: { brightness: 0.9 } };
      const r = s * 0.3;
      const plate: Shape = rng.chance(0.5)
        ? { type: 'polygon', points: [[cx, plateY - r], [cx + r, plateY + r * 0.7], [cx - r, plateY + r * 0.7]] }
        : rng.chance(0.5)
          ? ellipse(cx, plateY, r, r)
          : rect(cx, plateY, 1.6 * r, 1.2 * r);
      return [pole, { shape: plate }];
    }
    case K.bicycle:
      return bicycle(cx, base, s, K.bicycle);
    default: {
      const w = s * rng.uniform(0.6, 1.6);
      const h = s * rng.uniform(0.6, 1.6);
      const kind = rng.int(0, 2);
      if (kind === 0) return [{ shape: ellipse(cx, base - h / 2, w / 2, h / 2) }];
      if (kind === 1) return [{ shape: rect(cx, base - h / 2, w, h, rng.uniform(-0.4, 0.4)) }];
      const points: Point[] = [[cx - w / 2, base], [cx + w / 2, base], [cx + w * rng.uniform(-0.5, 0.5), base - h]];
      return [{ shape: { type: 'polygon', points } }];
    }
  }
}

function bicycle(cx: number, base: number, s: number, classId: number): Part[] {
  const r = s * 0.28;
  const frame: Point[] = [[cx - r * 1.3, base - r], [cx + r * 1.3, base - r], [cx, base - r * 2.4]];
  return [
    { classId, shape: { type: 'ellipse', cx: cx - r * 1.3, cy: base - r, rx: r, ry: r } },
    { classId, shape: { type: 'ellipse', cx: cx + r * 1.3, cy: base - r, rx: r, ry: r } },
    { classId, shape: { type: 'polygon', points: frame } },
  ];
}

function shiftUp(shape: Shape, dy: number): Shape {
  return shape.type === 'rect' || shape.type === 'ellipse' ? { ...shape, cy: shape.cy - dy } : shape;
}

function blob(rng: Rng, cx: number, cy: number, radius: number, aspect: number): Shape {
  return { type: 'blob', cx, cy, radius, wobble: rng.uniform(0.08, 0.25), lobes: rng.int(3, 7), phase: rng.uniform(0, 6.3), aspect };
}

/** A strip standing on the horizon over part of the width. */
function horizontalStrip(rng: Rng, W: number, horizon: number, h: number): Shape {
  const x0 = W * rng.uniform(-0.2, 0.5);
  const x1 = x0 + W * rng.uniform(0.3, 0.9);
  return { type: 'rect', cx: (x0 + x1) / 2, cy: horizon - h / 2 + 1, width: x1 - x0, height: h };
}
