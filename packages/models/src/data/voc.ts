/** PASCAL VOC 2012 segmentation classes (20 objects + background; 255 = void boundary). */
import { vocPalette } from '@pixelwise/core/io';
import { VOC_CLASSES as NAMES } from '@pixelwise/eval';

/** The 21 classes, by label value, with the devkit's palette colours. */
export const VOC_CLASSES: ReadonlyArray<{ id: number; name: string; color: [number, number, number] }> = (() => {
  const palette = vocPalette(NAMES.length);
  return NAMES.map((name, id) => {
    const [r = 0, g = 0, b = 0] = palette[id] ?? [];
    return { id, name, color: [r, g, b] as [number, number, number] };
  });
})();
