/**
 * Shapes of a synthetic scene, in world coordinates (pixels, y down): point-in-shape tests,
 * bounding boxes and translation, so a video generator can move them frame by frame.
 */

export type Point = [number, number];

/** A region of the plane. `angle` rotates about the centre, in radians. */
export type Shape =
  /** Everything: the backdrop of a scene. */
  | { type: 'fill' }
  /** Full-width band from a wavy top edge down to `bottom`: top(x) = top + amplitude * sin(2 pi x / wavelength + phase). */
  | { type: 'band'; top: number; bottom: number; amplitude: number; wavelength: number; phase: number }
  | { type: 'rect'; cx: number; cy: number; width: number; height: number; angle?: number }
  | { type: 'ellipse'; cx: number; cy: number; rx: number; ry: number; angle?: number }
  /** Closed polygon, even-odd rule (triangles, road trapezoids, skylines). */
  | { type: 'polygon'; points: Point[] }
  /** Star-shaped blob: radius(theta) = radius * (1 + wobble * sin(lobes * theta + phase)), stretched by `aspect` in x. */
  | { type: 'blob'; cx: number; cy: number; radius: number; wobble: number; lobes: number; phase: number; aspect?: number };

/** Axis-aligned bounds `[x0, y0, x1, y1]`; may be infinite. */
export type Bounds = [number, number, number, number];

/** Whether the point (x, y) lies inside `shape`. */
export function shapeContains(shape: Shape, x: number, y: number): boolean {
  switch (shape.type) {
    case 'fill':
      return true;
    case 'band':
      return y < shape.bottom && y >= shape.top + shape.amplitude * Math.sin((2 * Math.PI * x) / shape.wavelength + shape.phase);
    case 'rect': {
      const [u, v] = toLocal(x - shape.cx, y - shape.cy, shape.angle ?? 0);
      return Math.abs(u) <= shape.width / 2 && Math.abs(v) <= shape.height / 2;
    }
    case 'ellipse': {
      const [u, v] = toLocal(x - shape.cx, y - shape.cy, shape.angle ?? 0);
      return (u * u) / (shape.rx * shape.rx) + (v * v) / (shape.ry * shape.ry) <= 1;
    }
    case 'polygon':
      return polygonContains(shape.points, x, y);
    case 'blob': {
      const dx = (x - shape.cx) / (shape.aspect ?? 1);
      const dy = y - shape.cy;
      const r = shape.radius * (1 + shape.wobble * Math.sin(shape.lobes * Math.atan2(dy, dx) + shape.phase));
      return dx * dx + dy * dy <= r * r;
    }
  }
}

/** Bounds of `shape` (conservative). */
export function shapeBounds(shape: Shape): Bounds {
  switch (shape.type) {
    case 'fill':
      return [-Infinity, -Infinity, Infinity, Infinity];
    case 'band':
      return [-Infinity, shape.top - Math.abs(shape.amplitude), Infinity, shape.bottom];
    case 'rect': {
      const r = shape.angle ? Math.hypot(shape.width, shape.height) / 2 : 0;
      const hw = r || shape.width / 2;
      const hh = r || shape.height / 2;
      return [shape.cx - hw, shape.cy - hh, shape.cx + hw, shape.cy + hh];
    }
    case 'ellipse': {
      const r = shape.angle ? Math.max(shape.rx, shape.ry) : 0;
      const hw = r || shape.rx;
      const hh = r || shape.ry;
      return [shape.cx - hw, shape.cy - hh, shape.cx + hw, shape.cy + hh];
    }
    case 'polygon': {
      const xs = shape.points.map((p) => p[0]);
      const ys = shape.points.map((p) => p[1]);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    }
    case 'blob': {
      const r = shape.radius * (1 + Math.abs(shape.wobble));
      const a = shape.aspect ?? 1;
      return [shape.cx - r * a, shape.cy - r, shape.cx + r * a, shape.cy + r];
    }
  }
}

/** The point textures of an object are anchored at (its centre, or the polygon's vertex mean). */
export function shapeAnchor(shape: Shape): Point {
  switch (shape.type) {
    case 'fill':
      return [0, 0];
    case 'band':
      return [0, shape.top];
    case 'polygon': {
      const n = shape.points.length || 1;
      return [shape.points.reduce((s, p) => s + p[0], 0) / n, shape.points.reduce((s, p) => s + p[1], 0) / n];
    }
    default:
      return [shape.cx, shape.cy];
  }
}

/** Rotation of the shape (textures of objects turn with it). */
export function shapeAngle(shape: Shape): number {
  return shape.type === 'rect' || shape.type === 'ellipse' ? (shape.angle ?? 0) : 0;
}

/** `shape` moved by (dx, dy). */
export function translateShape(shape: Shape, dx: number, dy: number): Shape {
  switch (shape.type) {
    case 'fill':
      return shape;
    case 'band':
      // A band spans the width; moving it sideways shifts the phase of its wavy edge.
      return { ...shape, top: shape.top + dy, bottom: shape.bottom + dy, phase: shape.phase - (2 * Math.PI * dx) / shape.wavelength };
    case 'polygon':
      return { type: 'polygon', points: shape.points.map(([x, y]) => [x + dx, y + dy] as Point) };
    default:
      return { ...shape, cx: shape.cx + dx, cy: shape.cy + dy };
  }
}

/** Rotates (x, y) by -angle: world offset to the shape's own frame. */
export function toLocal(x: number, y: number, angle: number): Point {
  if (angle === 0) return [x, y];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [x * c + y * s, -x * s + y * c];
}

function polygonContains(points: readonly Point[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] as Point;
    const [xj, yj] = points[j] as Point;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
