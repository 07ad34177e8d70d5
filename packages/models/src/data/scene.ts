/**
 * A synthetic scene as data (`SceneSpec`: layers of class-labelled shapes, painted in order)
 * and its rasterisation to an RGB image, a class-id label map and an instance map. A video
 * generator moves the shapes (`translateShape`) and the camera and rasterises each frame.
 */
import { renderClassTexture } from './appearance.js';
import type { InstanceStyle } from './appearance.js';
import { IGNORE_INDEX } from './classes.js';
import { shapeAnchor, shapeAngle, shapeBounds, shapeContains, toLocal } from './shapes.js';
import type { Shape } from './shapes.js';

/** One painted region. Later layers occlude earlier ones. */
export interface SceneLayer {
  classId: number;
  shape: Shape;
  style: InstanceStyle;
  /**
   * Where the texture is anchored: `world` (stuff: the texture stays put while the camera
   * pans) or `object` (things: relative to the shape's centre and rotation, so it moves with
   * the object). Default `world`.
   */
  texture?: 'world' | 'object';
  /** How much the camera motion moves this layer on screen: 0 = at infinity (sky), 1 = default. */
  parallax?: number;
  /** Instance (track) id of a thing, > 0; 0 or absent for stuff. Parts of one object share it. */
  instance?: number;
}

/** Scene-wide lighting: gain * (1 + gradient[0] * (x/W - 1/2) + gradient[1] * (y/H - 1/2)). */
export interface Lighting {
  gain: number;
  gradient: [number, number];
}

/** A scene: the viewport size, layers in painting order, lighting. */
export interface SceneSpec {
  width: number;
  height: number;
  layers: SceneLayer[];
  lighting: Lighting;
}

/**
 * A camera over the scene. A layer with parallax p sees the world through offset
 * (x p, y p) and magnification zoom^p: screen point s shows world point s / zoom^p + (x p, y p).
 */
export interface Camera {
  /** World position of the viewport's top-left corner (at parallax 1). */
  x: number;
  y: number;
  /** Magnification (default 1): 2 shows half the world width, twice as large. */
  zoom?: number;
}

/** How one layer sees the world: world = screen / zoom + (ox, oy). */
export interface LayerView {
  ox: number;
  oy: number;
  zoom: number;
}

/** The view of a layer with `parallax` through `camera` (see {@link Camera}). */
export function layerView(camera: Camera, parallax = 1): LayerView {
  return { ox: camera.x * parallax, oy: camera.y * parallax, zoom: (camera.zoom ?? 1) ** parallax };
}

export interface RasterizeOptions {
  /** The camera (default: top-left corner at (0, 0), zoom 1). */
  camera?: Camera;
  /**
   * Width in pixels of a void band (label {@link IGNORE_INDEX}) drawn where a thing meets
   * anything else, like PASCAL VOC's object boundaries. Default 0 (none).
   */
  voidBorder?: number;
}

/** A rasterised scene: `image` `[H, W, 3]` RGB, `labels` and `instances` `[H, W]`. */
export interface RasterizedScene {
  width: number;
  height: number;
  image: Uint8Array;
  labels: Uint8Array;
  /** Instance id of the topmost layer at each pixel (0: stuff). */
  instances: Uint16Array;
  /** Index in `spec.layers` of the topmost layer at each pixel, -1 where none covers it. */
  top: Int16Array;
}

/** Paints `spec` at pixel centres: every pixel gets the class, texture and instance of its topmost layer. */
export function rasterizeScene(spec: SceneSpec, options: RasterizeOptions = {}): RasterizedScene {
  const { width, height, layers, lighting } = spec;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`scene size must be positive integers, found ${width}x${height}`);
  }
  if (layers.length > 32767) throw new RangeError(`a scene has at most 32767 layers, found ${layers.length}`);
  const camera = options.camera ?? { x: 0, y: 0 };
  const n = width * height;
  const top = new Int16Array(n).fill(-1);

  const views = layers.map((layer) => layerView(camera, layer.parallax));
  layers.forEach((layer, index) => {
    const { ox, oy, zoom } = views[index] as LayerView;
    const [bx0, by0, bx1, by1] = shapeBounds(layer.shape);
    const x0 = Math.max(0, Math.floor((bx0 - ox) * zoom));
    const y0 = Math.max(0, Math.floor((by0 - oy) * zoom));
    const x1 = Math.min(width - 1, Math.ceil((bx1 - ox) * zoom));
    const y1 = Math.min(height - 1, Math.ceil((by1 - oy) * zoom));
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        if (shapeContains(layer.shape, (px + 0.5) / zoom + ox, (py + 0.5) / zoom + oy)) top[py * width + px] = index;
      }
    }
  });

  const image = new Uint8Array(n * 3);
  const labels = new Uint8Array(n).fill(IGNORE_INDEX);
  const instances = new Uint16Array(n);
  const frames = layers.map((layer, index) => {
    const [ax, ay] = layer.texture === 'object' ? shapeAnchor(layer.shape) : [0, 0];
    const angle = layer.texture === 'object' ? shapeAngle(layer.shape) : 0;
    return { ax, ay, angle, ...(views[index] as LayerView) };
  });
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const p = py * width + px;
      const index = top[p] as number;
      const layer = layers[index];
      const frame = frames[index];
      if (layer === undefined || frame === undefined) continue; // uncovered: black, void
      labels[p] = layer.classId;
      instances[p] = layer.instance ?? 0;
      const wx = (px + 0.5) / frame.zoom + frame.ox - frame.ax;
      const wy = (py + 0.5) / frame.zoom + frame.oy - frame.ay;
      const [tx, ty] = toLocal(wx, wy, frame.angle);
      const gain = lighting.gain * (1 + lighting.gradient[0] * ((px + 0.5) / width - 0.5) + lighting.gradient[1] * ((py + 0.5) / height - 0.5));
      renderClassTexture(layer.classId, tx, ty, layer.style, image, 3 * p, gain, px, py);
    }
  }
  const border = options.voidBorder ?? 0;
  if (border > 0) markVoidBorders(labels, instances, width, height, Math.round(border));
  return { width, height, image, labels, instances, top };
}

/**
 * Index of the topmost layer of `spec` at the screen point (sx, sy) (continuous, pixel
 * centres at +0.5; the point may lie outside the viewport), or -1 where none covers it.
 */
export function topLayerAt(spec: SceneSpec, sx: number, sy: number, camera: Camera = { x: 0, y: 0 }): number {
  for (let index = spec.layers.length - 1; index >= 0; index--) {
    const layer = spec.layers[index] as SceneLayer;
    const { ox, oy, zoom } = layerView(camera, layer.parallax);
    const wx = sx / zoom + ox;
    const wy = sy / zoom + oy;
    const [bx0, by0, bx1, by1] = shapeBounds(layer.shape);
    if (wx < bx0 || wx > bx1 || wy < by0 || wy > by1) continue;
    if (shapeContains(layer.shape, wx, wy)) return index;
  }
  return -1;
}

/**
 * Sets to void every pixel within `radius` (Chebyshev) of a pixel of another instance,
 * where at least one of the two is a thing: boundaries between stuff regions stay labelled.
 */
function markVoidBorders(labels: Uint8Array, instances: Uint16Array, width: number, height: number, radius: number): void {
  const original = instances.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const here = original[y * width + x] as number;
      let boundary = false;
      for (let dy = -radius; dy <= radius && !boundary; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const there = original[yy * width + xx] as number;
          if (there !== here && (there > 0 || here > 0)) {
            boundary = true;
            break;
          }
        }
      }
      if (boundary) labels[y * width + x] = IGNORE_INDEX;
    }
  }
}
