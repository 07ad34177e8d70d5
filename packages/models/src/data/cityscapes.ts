/** Cityscapes conventions for the loaders: the official table lives in @pixelwise/eval. */
export { CITYSCAPES_ID_TO_TRAIN_ID, CITYSCAPES_LABELS, CITYSCAPES_TRAIN_CLASSES as CITYSCAPES_CLASSES, cityscapesToTrainIds } from '@pixelwise/eval';
export type { CityscapesLabel } from '@pixelwise/eval';
