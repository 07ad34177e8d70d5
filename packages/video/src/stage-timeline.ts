/**
 * A picture of a frame record: one row per unit, one column per frame, a cell in the unit's
 * colour where it ran and black where it did not. Colours follow the dashboard legend of
 * docs/ARTIFACTS.md (stage 1 green, stage 2 orange, stage 3 red; a fourth unit blue).
 */
import type { FrameRecord } from './run-video.js';

export const UNIT_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [0x2c, 0xa0, 0x2c],
  [0xff, 0x7f, 0x0e],
  [0xd6, 0x27, 0x28],
  [0x1f, 0x77, 0xb4],
];

/** RGB image of `frames` (one video) with `cell`-pixel cells and a 1-pixel gap between rows. */
export function stageTimeline(units: readonly string[], frames: readonly Pick<FrameRecord, 'ran'>[], cell = 6): { width: number; height: number; data: Uint8Array } {
  const width = Math.max(1, frames.length * cell);
  const height = units.length * (cell + 1);
  const data = new Uint8Array(width * height * 3);
  units.forEach((unit, row) => {
    const colour = UNIT_COLOURS[row % UNIT_COLOURS.length] as readonly [number, number, number];
    frames.forEach((f, col) => {
      if (!f.ran.includes(unit)) return;
      for (let y = row * (cell + 1); y < row * (cell + 1) + cell; y++) {
        for (let x = col * cell; x < col * cell + cell - 1; x++) data.set(colour, (y * width + x) * 3);
      }
    });
  });
  return { width, height, data };
}
