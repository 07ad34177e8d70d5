/**
 * Label conventions of the data sets people evaluate on: class names, the ignore index, and the
 * Cityscapes labelId -> trainId table.
 */
import { LabelError } from './label-error.js';
import { CITYSCAPES_TRAIN_CLASSES } from './cityscapes-labels.js';

export type DatasetName = 'voc' | 'cityscapes' | 'camvid';

export interface DatasetPreset {
  name: DatasetName;
  numClasses: number;
  ignoreIndex: number;
  classNames: readonly string[];
  /** Thing classes (countable objects), for panoptic/VPQ splits. */
  things: readonly number[];
}

/** PASCAL VOC 2012: 21 classes, palette PNGs, 255 = void (the object borders). */
export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;

/** Cityscapes: the 19 evaluated classes in trainId order. */
export const CITYSCAPES_CLASSES: readonly string[] = CITYSCAPES_TRAIN_CLASSES.map((c) => c.name);

/**
 * CamVid as used by SegNet (Brostow et al. 2008; Badrinarayanan et al. 2017): 11 classes, and
 * 11 = "void"/unlabelled, which is the ignore index of this preset.
 */
export const CAMVID_CLASSES = [
  'sky', 'building', 'pole', 'road', 'sidewalk', 'tree', 'sign symbol', 'fence', 'car', 'pedestrian', 'bicyclist',
] as const;

export const DATASETS: Readonly<Record<DatasetName, DatasetPreset>> = {
  voc: { name: 'voc', numClasses: 21, ignoreIndex: 255, classNames: VOC_CLASSES, things: [] },
  cityscapes: {
    name: 'cityscapes',
    numClasses: 19,
    ignoreIndex: 255,
    classNames: CITYSCAPES_CLASSES,
    things: [11, 12, 13, 14, 15, 16, 17, 18],
  },
  camvid: { name: 'camvid', numClasses: 11, ignoreIndex: 11, classNames: CAMVID_CLASSES, things: [] },
};

/**
 * The official Cityscapes table (cityscapesscripts/helpers/labels.py): labelId -> trainId,
 * 255 for labels not evaluated. Index = labelId 0..33. (License plate, labelId -1, is not
 * stored in PNGs.)
 */
/**
 * Class names from a text file: one per line, blank lines at the end ignored.
 * @throws Error when the count differs from `numClasses` or a name is empty.
 */
export function parseClassNames(text: string, numClasses: number, source = 'names file'): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n').map((l) => l.trim());
  const empty = lines.findIndex((l) => l === '');
  if (empty >= 0) throw new LabelError(`line ${empty + 1} is empty; expected one class name per line`, source);
  if (lines.length !== numClasses) {
    throw new LabelError(`has ${lines.length} class names, expected ${numClasses} (--num-classes)`, source);
  }
  return lines;
}
