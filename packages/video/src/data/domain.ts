/**
 * Two synthetic video domains for unsupervised domain adaptation: the same classes and the same
 * scene generator (layouts, shapes, motion model) seen with different appearance, the way VIPER
 * (a game engine) and Cityscapes (a camera) show the same street classes. The target domain
 * changes what a segmenter trained on the source relies on and nothing a label depends on:
 *
 * - textures: every texture period x1.35 and turned by 0.35 rad (other stripe spacings, grids,
 *   checkers);
 * - palette: hue rotated by 55 degrees and saturation x0.7 (a colour matrix on the rendered RGB);
 * - lighting: darker (gain x0.72) with a stronger left-right gradient (+0.25);
 * - optics: Gaussian blur (sigma 0.8 px) and sensor noise (sigma 7 levels per channel, a fresh
 *   draw every frame);
 * - camera motion: pans 1.8x faster (capped so the view stays in the world), things 1.4x faster.
 *
 * These numbers are ours (no paper prescribes a synthetic gap); they were chosen so that a
 * source-trained model loses a clear share of its mIoU on the target (docs/BENCHMARKS.md says
 * how much). Geometry stays exact: textures, lighting and motion change the {@link VideoSpec},
 * so the flow of `videoFlow` is still exact; palette, blur and noise act on pixels only.
 */
import { createRng, hashInts } from '@pixelwise/models/data';
import type { VideoSpec } from './synth-video.js';

export const VIDEO_DOMAIN_NAMES = ['source', 'target'] as const;
export type VideoDomainName = (typeof VIDEO_DOMAIN_NAMES)[number];

/** How a domain renders the shared scene model; the identity is the source domain. */
export interface VideoDomain {
  /** Multiplies every layer's texture period. */
  textureScale: number;
  /** Added to every layer's texture orientation, radians. */
  textureRotation: number;
  /** Multiplies the scene's lighting gain; added to its horizontal gradient. */
  lighting: { gain: number; gradient: number };
  /** Hue rotation in degrees (about the grey axis) and a saturation factor. */
  palette: { hue: number; saturation: number };
  /** Gaussian blur sigma in pixels (0: none). */
  blur: number;
  /** Standard deviation of per-pixel, per-channel sensor noise in 8-bit levels (0: none). */
  noise: number;
  /** Multiplies the camera's pan velocity and every thing's velocity. */
  motion: { pan: number; things: number };
}

export const VIDEO_DOMAINS: Readonly<Record<VideoDomainName, VideoDomain>> = {
  source: { textureScale: 1, textureRotation: 0, lighting: { gain: 1, gradient: 0 }, palette: { hue: 0, saturation: 1 }, blur: 0, noise: 0, motion: { pan: 1, things: 1 } },
  target: { textureScale: 1.35, textureRotation: 0.35, lighting: { gain: 0.72, gradient: 0.25 }, palette: { hue: 55, saturation: 0.7 }, blur: 0.8, noise: 7, motion: { pan: 1.8, things: 1.4 } },
};

/** The largest total pan (world pixels, as a fraction of the viewport width) that keeps the view inside the world. */
const MAX_TOTAL_PAN = 0.6;

/** The scene and motion of `spec` as `domain` renders them (textures, lighting, camera and thing speeds). */
export function domainSpec(spec: VideoSpec, domain: VideoDomain): VideoSpec {
  const { scene, camera, frames } = spec;
  const span = Math.max(1, frames - 1);
  let [vx, vy] = camera.velocity.map((v) => v * domain.motion.pan) as [number, number];
  const cap = (MAX_TOTAL_PAN * scene.width) / span;
  if (Math.abs(vx) > cap) vx = Math.sign(vx) * cap;
  vy = Math.max(-cap, Math.min(cap, vy));
  // The path stays centred where the source's was: start = centre - v * span / 2.
  const centre: [number, number] = [camera.start[0] + (camera.velocity[0] * span) / 2, camera.start[1] + (camera.velocity[1] * span) / 2];
  const motion = Object.fromEntries(Object.entries(spec.motion).map(([id, [mx, my]]) => [id, [mx * domain.motion.things, my * domain.motion.things] as [number, number]]));
  return {
    ...spec,
    scene: {
      ...scene,
      layers: scene.layers.map((l) => ({ ...l, style: { ...l.style, scale: l.style.scale * domain.textureScale, angle: l.style.angle + domain.textureRotation } })),
      lighting: { gain: scene.lighting.gain * domain.lighting.gain, gradient: [scene.lighting.gradient[0] + domain.lighting.gradient, scene.lighting.gradient[1]] },
    },
    camera: { ...camera, start: [centre[0] - (vx * span) / 2, centre[1] - (vy * span) / 2], velocity: [vx, vy] },
    motion,
  };
}

/**
 * The 3x3 RGB matrix of a hue rotation by `hue` degrees about the grey axis followed by scaling
 * the saturation by `saturation` (the luminance-preserving form of the SVG/CSS `hue-rotate` and
 * `saturate` filters, Rec. 709 weights). Row-major: `out[r] = m[r*3+0] R + m[r*3+1] G + m[r*3+2] B`.
 */
export function paletteMatrix(hue: number, saturation: number): number[] {
  const a = (hue * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const rot = [
    0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715, 0.072 - c * 0.072 + s * 0.928,
    0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.14, 0.072 - c * 0.072 - s * 0.283,
    0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715, 0.072 + c * 0.928 + s * 0.072,
  ];
  const k = saturation;
  const sat = [
    0.213 + 0.787 * k, 0.715 - 0.715 * k, 0.072 - 0.072 * k,
    0.213 - 0.213 * k, 0.715 + 0.285 * k, 0.072 - 0.072 * k,
    0.213 - 0.213 * k, 0.715 - 0.715 * k, 0.072 + 0.928 * k,
  ];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let col = 0; col < 3; col++) out.push([0, 1, 2].reduce((acc, j) => acc + (sat[r * 3 + j] as number) * (rot[j * 3 + col] as number), 0));
  return out;
}

/** Separable Gaussian blur of an RGB image (edges clamped), radius ceil(2.5 sigma). */
function blurRgb(data: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const r = Math.ceil(2.5 * sigma);
  const taps = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  const w = taps.map((t) => t / total);
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < 3; ch++) {
          let acc = 0;
          for (let i = -r; i <= r; i++) {
            const xx = horizontal ? Math.min(width - 1, Math.max(0, x + i)) : x;
            const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + i));
            acc += (w[i + r] as number) * (src[(yy * width + xx) * 3 + ch] as number);
          }
          out[(y * width + x) * 3 + ch] = acc;
        }
      }
    }
    return out;
  };
  return pass(pass(data, true), false);
}

/**
 * The pixels of a rendered frame as `domain` sees them: palette, then blur, then noise seeded by
 * `seed` (one seed per frame: the noise changes from frame to frame like a sensor's). The source
 * domain returns `image` unchanged.
 */
export function domainImage(image: Uint8Array, width: number, height: number, domain: VideoDomain, seed: number): Uint8Array {
  const { palette, blur, noise } = domain;
  if (palette.hue === 0 && palette.saturation === 1 && blur === 0 && noise === 0) return image;
  const m = paletteMatrix(palette.hue, palette.saturation);
  let f: Float32Array = new Float32Array(image.length);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [image[3 * p] as number, image[3 * p + 1] as number, image[3 * p + 2] as number];
    for (let ch = 0; ch < 3; ch++) f[3 * p + ch] = (m[ch * 3] as number) * r + (m[ch * 3 + 1] as number) * g + (m[ch * 3 + 2] as number) * b;
  }
  if (blur > 0) f = blurRgb(f, width, height, blur);
  const out = new Uint8Array(image.length);
  const rng = createRng(hashInts(seed, 0xd0a1));
  for (let i = 0; i < out.length; i++) {
    // Box-Muller from two uniforms: a Gaussian per channel value.
    const n = noise > 0 ? noise * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()) : 0;
    out[i] = Math.max(0, Math.min(255, Math.round((f[i] as number) + n)));
  }
  return out;
}
