/** Test helper: an image seen from a frame moved by an integer translation. */

/** `x` `[1, H, W, C]` seen from a frame moved by (dx, dy): `out[y, x] = x[y + dy, x + dx]`, 0 outside. */
export function translate(data: Float32Array, [h, w, c]: [number, number, number], dx: number, dy: number): Float32Array {
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sy = y + dy;
      const sx = x + dx;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = data[(sy * w + sx) * c + k] as number;
    }
  return out;
}
