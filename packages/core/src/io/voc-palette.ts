/**
 * The PASCAL VOC colour map, as built by `VOClabelcolormap.m` in the VOC development kit:
 * bits 0, 1, 2 of the class id go to the most significant free bit of red, green, blue;
 * the next three bits to the next lower bit, and so on.
 *
 * Class 0 (background) is black, 1 (aeroplane) is `[128, 0, 0]`, 255 (the "void"/ignore
 * label) is `[224, 224, 192]`.
 *
 * @param n - number of entries, 0..256 (default 256, a full 8-bit palette).
 * @returns `n` entries `[r, g, b]`, 0..255.
 */
export function vocPalette(n = 256): number[][] {
  if (!Number.isInteger(n) || n < 0 || n > 256) {
    throw new RangeError(`vocPalette: n must be an integer in 0..256, found ${n}`);
  }
  const bitget = (value: number, bit: number): number => (value >> bit) & 1;
  const palette: number[][] = [];
  for (let i = 0; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= bitget(c, 0) << (7 - j);
      g |= bitget(c, 1) << (7 - j);
      b |= bitget(c, 2) << (7 - j);
      c >>= 3;
    }
    palette.push([r, g, b]);
  }
  return palette;
}
