/**
 * How each synthetic class looks: two colours mixed by a procedural texture with a
 * class-specific kind, period and orientation. Confusable pairs share colours (sky/water,
 * road/building/pole, grass/tree, car/sign, person/rider) and differ in texture, so a model
 * must look beyond one pixel: most periods are 3..10 pixels, wider than a 3x3 kernel.
 *
 * Textures are functions of (x, y), so a renderer may pass world coordinates (stuff seen by
 * a panning camera) or object coordinates (a moving car keeps its texture).
 */
import { hashInts, hashSigned, valueNoise } from './rng.js';
import { NAMED_CLASS_COUNT } from './classes.js';

/** Texture families; each maps (x, y) to a mix weight in [0, 1]. */
export type TextureKind = 'clouds' | 'noise' | 'stripes' | 'checker' | 'waves' | 'bricks' | 'grid' | 'dots';

/** A class's texture. */
export interface TextureParams {
  kind: TextureKind;
  /** Spatial period in pixels (stripe spacing, checker cell, brick height, noise cell). */
  period: number;
  /** Orientation in radians (0: stripes run vertically, varying along x). */
  angle: number;
}

/** A class's appearance: texture weight 0 gives `dark`, 1 gives `light`. */
export interface ClassAppearance {
  classId: number;
  dark: [number, number, number];
  light: [number, number, number];
  texture: TextureParams;
}

/** Per-instance variation, so that colour alone is not a perfect cue. */
export interface InstanceStyle {
  /** Multiplies the colour; 1 = as designed. */
  brightness: number;
  /** Added to each channel after brightness, `[r, g, b]`. */
  tint: [number, number, number];
  /** Extra rotation of the texture in radians. */
  angle: number;
  /** Multiplies the texture period. */
  scale: number;
  /** Seeds the noise textures and the pixel grain. */
  seed: number;
}

/** The neutral style: the class as designed. */
export const DEFAULT_STYLE: InstanceStyle = { brightness: 1, tint: [0, 0, 0], angle: 0, scale: 1, seed: 0 };

const deg = Math.PI / 180;
type Rgb = [number, number, number];
const A = (classId: number, dark: Rgb, light: Rgb, kind: TextureKind, period: number, angleDeg = 0): ClassAppearance => ({
  classId,
  dark,
  light,
  texture: { kind, period, angle: angleDeg * deg },
});

/** Named classes, in the id order of `classes.ts`. */
const NAMED_APPEARANCE: readonly ClassAppearance[] = [
  A(0, [105, 155, 220], [215, 228, 245], 'clouds', 40), // sky
  A(1, [82, 82, 88], [132, 132, 138], 'noise', 1.6), // road: fine asphalt grain
  A(2, [50, 115, 40], [100, 170, 70], 'stripes', 3, 8), // grass: near-vertical blades
  A(3, [140, 30, 35], [210, 75, 65], 'stripes', 6, 90), // car: horizontal panels
  A(4, [90, 86, 92], [150, 146, 140], 'grid', 8), // building: windows
  A(5, [160, 105, 80], [225, 175, 140], 'checker', 3.5, 45), // person: patterned clothing
  A(6, [40, 90, 170], [110, 160, 220], 'waves', 5, 90), // water: horizontal ripples
  A(7, [150, 35, 40], [220, 85, 70], 'stripes', 4, 45), // sign: diagonal hatching
  A(8, [38, 88, 32], [85, 145, 55], 'noise', 5), // tree: blotchy foliage
  A(9, [38, 38, 44], [95, 95, 105], 'stripes', 3, 135), // bicycle
  A(10, [115, 90, 65], [180, 145, 105], 'stripes', 7), // fence: vertical bars
  A(11, [195, 155, 40], [240, 215, 115], 'grid', 11), // bus: big windows
  A(12, [145, 135, 115], [190, 180, 160], 'bricks', 6), // wall
  A(13, [75, 75, 135], [135, 135, 190], 'checker', 7), // truck
  A(14, [105, 105, 112], [155, 155, 160], 'stripes', 3, 90), // pole: horizontal bands
  A(15, [160, 105, 80], [225, 175, 140], 'stripes', 4, 30), // rider: person colours, other texture
];

const KINDS: readonly TextureKind[] = ['stripes', 'checker', 'waves', 'bricks', 'grid', 'dots', 'noise'];

/** The appearance of class `classId`; ids beyond the named classes get a hashed one. */
export function classAppearance(classId: number): ClassAppearance {
  const named = NAMED_APPEARANCE[classId];
  if (named !== undefined) return named;
  const h = (k: number) => hashInts(classId, k, 0xc1a55);
  const dark: Rgb = [30 + (h(1) % 150), 30 + (h(2) % 150), 30 + (h(3) % 150)];
  const light: Rgb = [Math.min(255, dark[0] + 70), Math.min(255, dark[1] + 70), Math.min(255, dark[2] + 70)];
  const kind = KINDS[(classId - NAMED_CLASS_COUNT) % KINDS.length] ?? 'stripes';
  return A(classId, dark, light, kind, 3 + (h(4) % 8), h(5) % 180);
}

const cache = new Map<number, ClassAppearance>();
function cachedAppearance(classId: number): ClassAppearance {
  let a = cache.get(classId);
  if (a === undefined) {
    a = classAppearance(classId);
    cache.set(classId, a);
  }
  return a;
}

/**
 * Texture weight in [0, 1] of `texture` at (x, y).
 * @param seed - varies the noise-based kinds between instances.
 */
export function textureWeight(texture: TextureParams, x: number, y: number, seed = 0): number {
  const { kind, period, angle } = texture;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const u = x * c + y * s;
  const v = -x * s + y * c;
  switch (kind) {
    case 'clouds': {
      const n = valueNoise(x, y, period, seed) + 0.5 * valueNoise(x, y, period / 2.5, seed + 1);
      return clamp01(0.5 + 0.6 * n);
    }
    case 'noise':
      return clamp01(0.5 + 0.5 * valueNoise(u, v, period, seed) + 0.25 * valueNoise(u, v, period / 2, seed + 7));
    case 'stripes':
      return 0.5 + 0.5 * Math.sin((2 * Math.PI * u) / period);
    case 'checker':
      return (Math.floor(u / period) + Math.floor(v / period)) & 1;
    case 'waves':
      return 0.5 + 0.5 * Math.sin((2 * Math.PI * (u + 0.35 * period * Math.sin((2 * Math.PI * v) / (5 * period)))) / period);
    case 'bricks': {
      const row = Math.floor(v / period);
      const uu = u + (row & 1 ? period : 0);
      const mortar = mod(v, period) < 0.25 * period || mod(uu, 2 * period) < 0.25 * period;
      return mortar ? 0 : 1;
    }
    case 'grid':
      return mod(u, period) > 0.4 * period && mod(v, period) > 0.4 * period ? 0 : 1;
    case 'dots': {
      const du = mod(u, period) / period - 0.5;
      const dv = mod(v, period) / period - 0.5;
      return du * du + dv * dv < 0.09 ? 1 : 0;
    }
  }
}

/** Amplitude of the per-pixel grain, in 8-bit levels. */
const GRAIN = 7;

/**
 * Colour of class `classId` at texture coordinates (x, y), written to `out[offset..offset+2]`.
 * `gain` multiplies the result (scene lighting). Grain is hashed from the integer pixel
 * position `(px, py)` so that it stays with the sensor, not the object.
 */
export function renderClassTexture(
  classId: number,
  x: number,
  y: number,
  style: InstanceStyle,
  out: Uint8Array | number[],
  offset = 0,
  gain = 1,
  px = Math.floor(x),
  py = Math.floor(y),
): void {
  const a = cachedAppearance(classId);
  const texture =
    style.angle === 0 && style.scale === 1
      ? a.texture
      : { kind: a.texture.kind, period: a.texture.period * style.scale, angle: a.texture.angle + style.angle };
  const w = textureWeight(texture, x, y, style.seed);
  const grain = GRAIN * hashSigned(px, py, style.seed ^ 0x6a09e667);
  const k = style.brightness * gain;
  for (let ch = 0; ch < 3; ch++) {
    const base = (a.dark[ch] as number) + w * ((a.light[ch] as number) - (a.dark[ch] as number));
    out[offset + ch] = clamp255(base * k + (style.tint[ch] as number) + grain);
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}
function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
