/**
 * Synthetic video: one scene of `@pixelwise/models/data` (same classes, shapes and appearance
 * model as the synthetic images) seen by a moving camera (pan and zoom, with parallax) while
 * things move independently. Each frame is `rasterizeScene` of the scene with the things
 * translated and the camera moved, so the ground-truth optical flow is exact: a pixel's
 * topmost layer is followed analytically from one frame to the other.
 *
 * Flow convention (Middlebury / Sintel): the flow at pixel (x, y) of frame t is the
 * displacement (u, v) of the scene point seen there, to where it is in frame t+dt. A point
 * that is hidden in the other frame (occluded by a nearer layer) gets the Middlebury
 * unknown value {@link UNKNOWN_FLOW} in both components. A point that leaves the viewport
 * but stays unoccluded keeps its exact flow (pointing outside the frame); validity masks
 * (`outOfFrameMask`) drop those where needed.
 */
import { itemSeed, createRng, layerView, rasterizeScene, sampleSceneSpec, synthClass, translateShape, topLayerAt, SYNTH_CLASS } from '@pixelwise/models/data';
import type { Camera, RasterizedScene, Rng, SceneLayer, SceneSpec } from '@pixelwise/models/data';
import type { FlowField } from '@pixelwise/core/io';

/** Flow value of the Middlebury format for "unknown" (|u| or |v| above 1e9). */
export const UNKNOWN_FLOW = 1e10;

/** Camera path: the viewport centre looks at `start + t * velocity` with a geometric zoom. */
export interface CameraPath {
  /** World point at the viewport centre in frame 0. */
  start: [number, number];
  /** World pixels per frame (parallax 1). */
  velocity: [number, number];
  /** Zoom in the first and the last frame (geometric in between). */
  zoom: [number, number];
}

/** A synthetic video as data: a world scene, a camera path and per-thing velocities. */
export interface VideoSpec {
  /** The scene; `width` x `height` is the viewport, the layers span a wider world. */
  scene: SceneSpec;
  frames: number;
  camera: CameraPath;
  /** World velocity in pixels per frame of each thing, by instance (track) id. */
  motion: Record<number, [number, number]>;
}

export interface SynthVideoOptions {
  width: number;
  height: number;
  /** Number of classes C, 2..255 (as for the images). */
  classes: number;
  /** Number of frames T >= 2. */
  frames: number;
  seed: number;
}

/** How much wider than the viewport the world is: room for the camera to pan. */
const WORLD_WIDTH = 1.6;

/** Samples a video: a scene over a wider world, a camera path and object motion. */
export function sampleVideoSpec(options: SynthVideoOptions): VideoSpec {
  const { width: W, height: H, classes, frames, seed } = options;
  if (!Number.isInteger(frames) || frames < 2) throw new RangeError(`a video needs an integer number of frames >= 2, found ${frames}`);
  const worldWidth = Math.ceil(W * WORLD_WIDTH);
  const world = sampleSceneSpec({ width: worldWidth, height: H, classes, seed });
  const rng = createRng(itemSeed(seed, 0x71de0));
  const span = frames - 1;
  // Total pan at most half the viewport, so the view stays inside the world.
  const maxPan = Math.min(0.05 * W, (0.5 * W) / span);
  const vx = rng.uniform(-maxPan, maxPan);
  const vy = rng.uniform(-0.004, 0.004) * H;
  const z0 = rng.uniform(1, 1.15);
  const z1 = Math.max(1, z0 * (rng.chance(0.5) ? rng.uniform(1, 1 + Math.min(0.2, 0.03 * span)) : rng.uniform(1 - Math.min(0.15, 0.02 * span), 1)));
  const camera: CameraPath = { start: [worldWidth / 2 - (vx * span) / 2, H / 2], velocity: [vx, vy], zoom: [z0, z1] };
  const motion: Record<number, [number, number]> = {};
  for (const layer of world.layers) {
    const id = layer.instance ?? 0;
    if (id > 0 && motion[id] === undefined) motion[id] = thingVelocity(rng, layer.classId, W);
  }
  return { scene: { ...world, width: W, height: H }, frames, camera, motion };
}

/** Signs stand still; vehicles drive; people walk; other things drift. Pixels per frame. */
function thingVelocity(rng: Rng, classId: number, W: number): [number, number] {
  const dir = rng.chance(0.5) ? 1 : -1;
  const K = SYNTH_CLASS;
  if (classId === K.sign) return [0, 0];
  if (classId === K.car || classId === K.bus || classId === K.truck) return [dir * W * rng.uniform(0.01, 0.035), 0];
  if (classId === K.person || classId === K.rider || classId === K.bicycle) return [dir * W * rng.uniform(0.003, 0.015), rng.uniform(-0.1, 0.1)];
  return synthClass(classId).kind === 'thing' ? [dir * W * rng.uniform(0, 0.02), rng.uniform(-0.3, 0.3)] : [0, 0];
}

/** The camera of frame `t` (see `Camera`: world = screen / zoom + (x, y) at parallax 1). */
export function cameraAt(spec: VideoSpec, t: number): Camera {
  const { start, velocity, zoom } = spec.camera;
  const span = Math.max(1, spec.frames - 1);
  const z = zoom[0] * (zoom[1] / zoom[0]) ** (t / span);
  const cx = start[0] + velocity[0] * t;
  const cy = start[1] + velocity[1] * t;
  return { x: cx - spec.scene.width / (2 * z), y: cy - spec.scene.height / (2 * z), zoom: z };
}

/** World displacement of `layer` in frame `t` relative to frame 0 (things only). */
function offsetAt(spec: VideoSpec, layer: SceneLayer, t: number): [number, number] {
  const v = spec.motion[layer.instance ?? 0];
  return v === undefined ? [0, 0] : [v[0] * t, v[1] * t];
}

/** The scene of frame `t`: things translated along their velocities. */
export function sceneAt(spec: VideoSpec, t: number): SceneSpec {
  const layers = spec.scene.layers.map((layer) => {
    const [dx, dy] = offsetAt(spec, layer, t);
    return dx === 0 && dy === 0 ? layer : { ...layer, shape: translateShape(layer.shape, dx, dy) };
  });
  return { ...spec.scene, layers };
}

/** Frame `t`: RGB image, class ids, track ids and the topmost layer per pixel. */
export function renderVideoFrame(spec: VideoSpec, t: number): RasterizedScene {
  checkFrame(spec, t);
  return rasterizeScene(sceneAt(spec, t), { camera: cameraAt(spec, t) });
}

/**
 * Exact optical flow from frame `t` to frame `to` (usually t + 1 or t - 1), `[H, W, 2]`.
 * @param rendered - frame `t` as {@link renderVideoFrame} returned it (its `top` layers).
 */
export function videoFlow(spec: VideoSpec, t: number, to: number, rendered: RasterizedScene = renderVideoFrame(spec, t)): FlowField {
  checkFrame(spec, t);
  checkFrame(spec, to);
  const { width, height, layers } = spec.scene;
  const camA = cameraAt(spec, t);
  const camB = cameraAt(spec, to);
  const sceneB = sceneAt(spec, to);
  // Per layer: screen in frame t -> world -> moved -> screen in frame `to` is affine.
  const maps = layers.map((layer) => {
    const a = layerView(camA, layer.parallax);
    const b = layerView(camB, layer.parallax);
    const [ax, ay] = offsetAt(spec, layer, t);
    const [bx, by] = offsetAt(spec, layer, to);
    return { scale: b.zoom / a.zoom, dx: (a.ox + bx - ax - b.ox) * b.zoom, dy: (a.oy + by - ay - b.oy) * b.zoom };
  });
  const data = new Float32Array(width * height * 2);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const p = py * width + px;
      const index = rendered.top[p] as number;
      const map = maps[index];
      let u = UNKNOWN_FLOW;
      let v = UNKNOWN_FLOW;
      if (map !== undefined) {
        const sx = px + 0.5;
        const sy = py + 0.5;
        const tx = sx * map.scale + map.dx;
        const ty = sy * map.scale + map.dy;
        if (topLayerAt(sceneB, tx, ty, camB) === index) {
          u = tx - sx;
          v = ty - sy;
        }
      }
      data[2 * p] = u;
      data[2 * p + 1] = v;
    }
  }
  return { width, height, data };
}

function checkFrame(spec: VideoSpec, t: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= spec.frames) throw new RangeError(`frame must be an integer in 0..${spec.frames - 1}, found ${t}`);
}
