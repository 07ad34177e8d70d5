/**
 * The classes of the synthetic data: names, stuff/thing kind and the colour a label map is
 * drawn with. Class ids are stable: class 3 is `car` whatever the number of classes, so a
 * model trained with C classes reads the same ids as one trained with more.
 */
import { vocPalette } from '@pixelwise/core/io';

/** "stuff" fills regions (sky, road); "things" are countable objects (car, person). */
export type ClassKind = 'stuff' | 'thing';

/** A class of a synthetic data set, as written to `manifest.json`. */
export interface SynthClass {
  id: number;
  name: string;
  kind: ClassKind;
  /** Colour for visualising label maps, `[r, g, b]` (Cityscapes colours where one exists). */
  color: [number, number, number];
}

/** Label value of pixels that are not scored (PASCAL VOC and Cityscapes convention). */
export const IGNORE_INDEX = 255;

/** Largest number of classes: ids 0..254 (255 is the ignore label). */
export const MAX_CLASSES = 255;

/**
 * Named classes in id order. Interleaved so that small C still mixes stuff and things:
 * C = 4 is sky, road, grass, car.
 */
const NAMED: ReadonlyArray<Omit<SynthClass, 'id'>> = [
  { name: 'sky', kind: 'stuff', color: [70, 130, 180] },
  { name: 'road', kind: 'stuff', color: [128, 64, 128] },
  { name: 'grass', kind: 'stuff', color: [152, 251, 152] },
  { name: 'car', kind: 'thing', color: [0, 0, 142] },
  { name: 'building', kind: 'stuff', color: [70, 70, 70] },
  { name: 'person', kind: 'thing', color: [220, 20, 60] },
  { name: 'water', kind: 'stuff', color: [0, 160, 220] },
  { name: 'sign', kind: 'thing', color: [220, 220, 0] },
  { name: 'tree', kind: 'stuff', color: [107, 142, 35] },
  { name: 'bicycle', kind: 'thing', color: [119, 11, 32] },
  { name: 'fence', kind: 'stuff', color: [190, 153, 153] },
  { name: 'bus', kind: 'thing', color: [0, 60, 100] },
  { name: 'wall', kind: 'stuff', color: [102, 102, 156] },
  { name: 'truck', kind: 'thing', color: [0, 0, 70] },
  { name: 'pole', kind: 'stuff', color: [153, 153, 153] },
  { name: 'rider', kind: 'thing', color: [255, 0, 0] },
];

/** Class ids of the named classes, for scene recipes. */
export const SYNTH_CLASS = {
  sky: 0,
  road: 1,
  grass: 2,
  car: 3,
  building: 4,
  person: 5,
  water: 6,
  sign: 7,
  tree: 8,
  bicycle: 9,
  fence: 10,
  bus: 11,
  wall: 12,
  truck: 13,
  pole: 14,
  rider: 15,
} as const;

/** Number of classes with a name; ids beyond are `class_<id>`, alternating stuff and thing. */
export const NAMED_CLASS_COUNT = NAMED.length;

/** The class with id `id` (any id in 0..254). */
export function synthClass(id: number): SynthClass {
  checkClassId(id);
  const named = NAMED[id];
  if (named !== undefined) return { id, ...named, color: [...named.color] };
  const [r, g, b] = vocPalette(256)[id] ?? [0, 0, 0];
  return { id, name: `class_${id}`, kind: id % 2 === 0 ? 'stuff' : 'thing', color: [r ?? 0, g ?? 0, b ?? 0] };
}

/** Classes 0..classes-1. */
export function synthClasses(classes: number): SynthClass[] {
  checkClassCount(classes);
  return Array.from({ length: classes }, (_, id) => synthClass(id));
}

/** Throws a RangeError unless `classes` is an integer in 2..255. */
export function checkClassCount(classes: number): void {
  if (!Number.isInteger(classes) || classes < 2 || classes > MAX_CLASSES) {
    throw new RangeError(`classes must be an integer in 2..${MAX_CLASSES}, found ${classes}`);
  }
}

function checkClassId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= MAX_CLASSES) {
    throw new RangeError(`class id must be an integer in 0..${MAX_CLASSES - 1}, found ${id}`);
  }
}

/**
 * Colourises a label map for viewing: class colours from `classes`, the ignore label white,
 * ids without a class black.
 * @returns RGB bytes, `[H, W, 3]`.
 */
export function colorizeLabels(labels: Uint8Array, classes: readonly Pick<SynthClass, 'color'>[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3);
  for (let p = 0; p < labels.length; p++) {
    const id = labels[p] as number;
    const color = id === IGNORE_INDEX ? [255, 255, 255] : (classes[id]?.color ?? [0, 0, 0]);
    out[3 * p] = color[0] ?? 0;
    out[3 * p + 1] = color[1] ?? 0;
    out[3 * p + 2] = color[2] ?? 0;
  }
  return out;
}
