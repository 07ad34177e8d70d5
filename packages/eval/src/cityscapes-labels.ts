/**
 * The Cityscapes label table (cityscapesScripts `helpers/labels.py`): the 34 annotated ids
 * (plus license plate, -1) and the 19 trainIds that benchmarks score. Every id without a
 * trainId maps to 255 (ignore), as in `createTrainIdLabelImgs.py`.
 */

export interface CityscapesLabel {
  name: string;
  /** Value in `*_gtFine_labelIds.png`. */
  id: number;
  /** Training id 0..18, or 255 for ignored labels. */
  trainId: number;
  category: string;
  hasInstances: boolean;
  color: [number, number, number];
}

const L = (name: string, id: number, trainId: number, category: string, hasInstances: boolean, color: [number, number, number]): CityscapesLabel => ({ name, id, trainId, category, hasInstances, color });

/** The official table, in id order. */
export const CITYSCAPES_LABELS: readonly CityscapesLabel[] = [
  L('unlabeled', 0, 255, 'void', false, [0, 0, 0]),
  L('ego vehicle', 1, 255, 'void', false, [0, 0, 0]),
  L('rectification border', 2, 255, 'void', false, [0, 0, 0]),
  L('out of roi', 3, 255, 'void', false, [0, 0, 0]),
  L('static', 4, 255, 'void', false, [0, 0, 0]),
  L('dynamic', 5, 255, 'void', false, [111, 74, 0]),
  L('ground', 6, 255, 'void', false, [81, 0, 81]),
  L('road', 7, 0, 'flat', false, [128, 64, 128]),
  L('sidewalk', 8, 1, 'flat', false, [244, 35, 232]),
  L('parking', 9, 255, 'flat', false, [250, 170, 160]),
  L('rail track', 10, 255, 'flat', false, [230, 150, 140]),
  L('building', 11, 2, 'construction', false, [70, 70, 70]),
  L('wall', 12, 3, 'construction', false, [102, 102, 156]),
  L('fence', 13, 4, 'construction', false, [190, 153, 153]),
  L('guard rail', 14, 255, 'construction', false, [180, 165, 180]),
  L('bridge', 15, 255, 'construction', false, [150, 100, 100]),
  L('tunnel', 16, 255, 'construction', false, [150, 120, 90]),
  L('pole', 17, 5, 'object', false, [153, 153, 153]),
  L('polegroup', 18, 255, 'object', false, [153, 153, 153]),
  L('traffic light', 19, 6, 'object', false, [250, 170, 30]),
  L('traffic sign', 20, 7, 'object', false, [220, 220, 0]),
  L('vegetation', 21, 8, 'nature', false, [107, 142, 35]),
  L('terrain', 22, 9, 'nature', false, [152, 251, 152]),
  L('sky', 23, 10, 'sky', false, [70, 130, 180]),
  L('person', 24, 11, 'human', true, [220, 20, 60]),
  L('rider', 25, 12, 'human', true, [255, 0, 0]),
  L('car', 26, 13, 'vehicle', true, [0, 0, 142]),
  L('truck', 27, 14, 'vehicle', true, [0, 0, 70]),
  L('bus', 28, 15, 'vehicle', true, [0, 60, 100]),
  L('caravan', 29, 255, 'vehicle', true, [0, 0, 90]),
  L('trailer', 30, 255, 'vehicle', true, [0, 0, 110]),
  L('train', 31, 16, 'vehicle', true, [0, 80, 100]),
  L('motorcycle', 32, 17, 'vehicle', true, [0, 0, 230]),
  L('bicycle', 33, 18, 'vehicle', true, [119, 11, 32]),
  L('license plate', -1, 255, 'vehicle', false, [0, 0, 142]),
];

/** The 19 evaluated classes, by trainId: `{ id: trainId, name, color }`. */
export const CITYSCAPES_TRAIN_CLASSES: ReadonlyArray<{ id: number; name: string; color: [number, number, number] }> = CITYSCAPES_LABELS.filter(
  (l) => l.trainId !== 255,
)
  .sort((a, b) => a.trainId - b.trainId)
  .map((l) => ({ id: l.trainId, name: l.name, color: l.color }));

/** 256-entry lookup table labelId -> trainId (255 for ignored and unknown ids). */
export const CITYSCAPES_ID_TO_TRAIN_ID: Uint8Array = (() => {
  const lut = new Uint8Array(256).fill(255);
  for (const l of CITYSCAPES_LABELS) if (l.id >= 0) lut[l.id] = l.trainId;
  return lut;
})();

/**
 * Maps a `*_labelIds.png` map (labelIds 0..33) to trainIds (0..18, 255 = not evaluated), in a new
 * array: the one converter that evaluation and the data loaders share. Values that are no labelId
 * (34..255, e.g. a void 255 written by other tools) become 255, as `createTrainIdLabelImgs.py`
 * leaves every label without a trainId.
 */
export function cityscapesToTrainIds(labelIds: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(labelIds.length);
  for (let i = 0; i < labelIds.length; i++) out[i] = CITYSCAPES_ID_TO_TRAIN_ID[labelIds[i] as number] ?? 255;
  return out;
}
