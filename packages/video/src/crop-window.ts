/**
 * One random crop window (and horizontal mirror) applied alike to every plane of a training
 * sample — frames, labels and the flow between them — so that pixels stay in correspondence.
 * A mirrored flow field changes the sign of u.
 */
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import type { Rng } from '@pixelwise/models';
import { isKnownFlow } from './flow-loss.js';

/** Where a crop starts in the source (`x0`, `y0`), its size, the source width, and whether it is mirrored. */
export interface CropWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
  sourceWidth: number;
  mirror: boolean;
}

/**
 * A uniform random window of `[height, width]` = `crop` inside a `size` = `[width, height]`
 * source, mirrored with probability `flip` (random draws in the order x0, y0, mirror).
 * @throws Error naming `name` when the source is smaller than the crop.
 */
export function randomWindow([sw, sh]: [number, number], [ch, cw]: [number, number], flip: number, rng: Rng, name: string): CropWindow {
  if (sw < cw || sh < ch) throw new Error(`${name}: frame ${sw}x${sh} is smaller than the training crop ${cw}x${ch}`);
  const x0 = rng.int(0, sw - cw);
  const y0 = rng.int(0, sh - ch);
  return { x0, y0, width: cw, height: ch, sourceWidth: sw, mirror: rng.chance(flip) };
}

/**
 * The window of an interleaved `channels`-plane array; `negateFirst` negates channel 0 of known
 * flow vectors in a mirrored window (u of a flow field).
 */
export function cropPlanes<T extends Uint8Array | Float32Array>(src: T, channels: number, win: CropWindow, make: (n: number) => T, negateFirst = false): T {
  const { x0, y0, width: cw, height: ch, sourceWidth: width, mirror } = win;
  const out = make(cw * ch * channels);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = x0 + (mirror ? cw - 1 - x : x);
      const from = ((y0 + y) * width + sx) * channels;
      const to = (y * cw + x) * channels;
      for (let k = 0; k < channels; k++) out[to + k] = src[from + k] as number;
      if (negateFirst && mirror && isKnownFlow(out[to] as number, out[to + 1] as number)) out[to] = -(out[to] as number);
    }
  }
  return out;
}

/** An RGB image cropped (and mirrored) by `win`. */
export function cropRgb(img: RgbImage, win: CropWindow): RgbImage {
  return { width: win.width, height: win.height, data: cropPlanes(img.data, 3, win, (n) => new Uint8Array(n)) };
}

/** A flow field cropped (and mirrored, u negated) by `win`; vectors keep their length (they are relative). */
export function cropFlow(flow: FlowField, win: CropWindow): FlowField {
  return { width: win.width, height: win.height, data: cropPlanes(flow.data, 2, win, (n) => new Float32Array(n), true) };
}
