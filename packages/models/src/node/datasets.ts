/**
 * Segmentation data sets on disk, behind one interface: pixelwise synth (manifest.json),
 * PASCAL VOC 2012 (JPEG photos, palette PNG labels, ImageSets lists) and Cityscapes
 * (leftImg8bit + gtFine `*_labelIds.png`, mapped to the 19 trainIds).
 */
import { decodeLabelPng, decodeRgbPng, FormatError } from '@pixelwise/core/io';
import type { RgbImage } from '@pixelwise/core/io';
import { decode as decodeJpeg } from 'jpeg-js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelImage } from '../data/augment.js';
import { CITYSCAPES_CLASSES, cityscapesToTrainIds } from '../data/cityscapes.js';
import { IGNORE_INDEX } from '../data/classes.js';
import { parseSynthManifest } from '../data/manifest.js';
import { VOC_CLASSES } from '../data/voc.js';
import { DatasetError, isDirectory, isFile, readBytes, readJsonFile, reason } from './files.js';

export type DatasetLayout = 'synth' | 'voc' | 'cityscapes';

/** One sample: its name, the RGB image and its class-id labels (same size). */
export interface DatasetSample {
  name: string;
  image: RgbImage;
  labels: LabelImage;
}

/** A split of a segmentation data set: sample names and a reader. */
export interface SegmentationDataset {
  layout: DatasetLayout;
  /** The directory holding the data (e.g. `.../VOCdevkit/VOC2012`). */
  root: string;
  split: string;
  names: string[];
  /** Classes by label value: `classes[i].id === i`. */
  classes: Array<{ id: number; name: string; color?: [number, number, number] }>;
  ignoreIndex: number;
  /**
   * Reads sample `i`. Labels are checked: same size as the image, every value a class id
   * or `ignoreIndex` (errors name the file).
   */
  read(i: number): Promise<DatasetSample>;
}

interface Paths {
  name: string;
  image: string;
  labels: string;
}

/**
 * Opens `dir` as whichever layout it holds (see {@link detectLayout}).
 * @param split - `train` or `val` (any list VOC has, any folder Cityscapes has).
 * @throws DatasetError naming `dir` when it holds no known layout.
 */
export async function openDataset(dir: string, split = 'train'): Promise<SegmentationDataset> {
  const layout = await detectLayout(dir);
  if (layout === 'synth') return openSynthDataset(dir, split);
  if (layout === 'voc') return openVocDataset(dir, split);
  if (layout === 'cityscapes') return openCityscapesDataset(dir, split);
  if (!(await isDirectory(dir))) throw new DatasetError(`${dir}: not a directory`);
  throw new DatasetError(
    `${dir}: not a segmentation data set: expected manifest.json (pixelwise synth), JPEGImages + SegmentationClass + ImageSets/Segmentation (PASCAL VOC, also under VOC2012/ or VOCdevkit/VOC2012/) or leftImg8bit + gtFine (Cityscapes)`,
  );
}

/** Which layout `dir` holds, or `undefined`. */
export async function detectLayout(dir: string): Promise<DatasetLayout | undefined> {
  if (await isFile(join(dir, 'manifest.json'))) return 'synth';
  if ((await vocRoot(dir)) !== undefined) return 'voc';
  if ((await isDirectory(join(dir, 'leftImg8bit'))) && (await isDirectory(join(dir, 'gtFine')))) return 'cityscapes';
  return undefined;
}

/** A data set written by `writeSynthDataset` / `pixelwise data synth`. */
export async function openSynthDataset(dir: string, split = 'train'): Promise<SegmentationDataset> {
  const source = join(dir, 'manifest.json');
  const manifest = parseSynthManifest(await readJsonFile(source), source);
  if (manifest.kind !== 'images') {
    throw new DatasetError(`${source}: a ${manifest.kind} data set, expected images (read video data sets with @pixelwise/video)`);
  }
  if (split !== 'train' && split !== 'val') throw new DatasetError(`${dir}: no split '${split}' (synthetic data sets have train and val)`);
  const classes = manifest.classes.map(({ id, name, color }) => ({ id, name, color }));
  const entries = manifest.splits[split].map((name) => ({
    name,
    image: join(dir, split, 'images', `${name}.png`),
    labels: join(dir, split, 'labels', `${name}.png`),
  }));
  return makeDataset('synth', dir, split, entries, classes, manifest.ignoreIndex, readPng);
}

/** PASCAL VOC 2012: `dir` is VOC2012, or holds VOC2012/ or VOCdevkit/VOC2012/. */
export async function openVocDataset(dir: string, split = 'train'): Promise<SegmentationDataset> {
  const root = await vocRoot(dir);
  if (root === undefined) throw new DatasetError(`${dir}: not a PASCAL VOC directory (expected JPEGImages, SegmentationClass and ImageSets/Segmentation)`);
  const listDir = join(root, 'ImageSets', 'Segmentation');
  const list = join(listDir, `${split}.txt`);
  if (!(await isFile(list))) {
    const available = (await readdir(listDir)).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4));
    throw new DatasetError(`${list}: no such split list (available: ${available.join(', ') || 'none'})`);
  }
  const names = new TextDecoder()
    .decode(await readBytes(list))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const entries = names.map((name) => ({
    name,
    image: join(root, 'JPEGImages', `${name}.jpg`),
    labels: join(root, 'SegmentationClass', `${name}.png`),
  }));
  return makeDataset('voc', root, split, entries, [...VOC_CLASSES], IGNORE_INDEX, readJpeg);
}

/** Cityscapes: `dir` holds leftImg8bit/ and gtFine/; labels become trainIds (255 = ignore). */
export async function openCityscapesDataset(dir: string, split = 'train'): Promise<SegmentationDataset> {
  const imageDir = join(dir, 'leftImg8bit', split);
  if (!(await isDirectory(imageDir))) throw new DatasetError(`${imageDir}: no such split directory (Cityscapes has train, val, test)`);
  const entries: Paths[] = [];
  const cities = (await readdir(imageDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const city of cities) {
    const files = (await readdir(join(imageDir, city))).filter((f) => f.endsWith('_leftImg8bit.png')).sort();
    for (const file of files) {
      const stem = file.slice(0, -'_leftImg8bit.png'.length);
      const labels = join(dir, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`);
      if (!(await isFile(labels))) throw new DatasetError(`${labels}: missing label file for ${join(imageDir, city, file)}`);
      entries.push({ name: `${city}/${stem}`, image: join(imageDir, city, file), labels });
    }
  }
  const read = async (p: Paths) => {
    const { image, labels } = await readPng(p);
    return { image, labels: { ...labels, data: cityscapesToTrainIds(labels.data) } };
  };
  return makeDataset('cityscapes', dir, split, entries, [...CITYSCAPES_CLASSES], IGNORE_INDEX, read);
}

async function vocRoot(dir: string): Promise<string | undefined> {
  for (const root of [dir, join(dir, 'VOC2012'), join(dir, 'VOCdevkit', 'VOC2012')]) {
    const ok = await Promise.all([join(root, 'JPEGImages'), join(root, 'SegmentationClass'), join(root, 'ImageSets', 'Segmentation')].map(isDirectory));
    if (ok.every(Boolean)) return root;
  }
  return undefined;
}

type Reader = (p: Paths) => Promise<{ image: RgbImage; labels: LabelImage }>;

function makeDataset(
  layout: DatasetLayout,
  root: string,
  split: string,
  entries: Paths[],
  classes: SegmentationDataset['classes'],
  ignoreIndex: number,
  read: Reader,
): SegmentationDataset {
  return {
    layout,
    root,
    split,
    names: entries.map((e) => e.name),
    classes,
    ignoreIndex,
    async read(i: number): Promise<DatasetSample> {
      const entry = entries[i];
      if (!Number.isInteger(i) || entry === undefined) {
        throw new RangeError(`${root}: sample index ${i} out of range (${split} has ${entries.length} samples)`);
      }
      const { image, labels } = await read(entry);
      if (image.width !== labels.width || image.height !== labels.height) {
        throw new FormatError(`labels are ${labels.width}x${labels.height} but the image ${entry.image} is ${image.width}x${image.height}`, entry.labels);
      }
      checkLabelValues(labels, classes.length, ignoreIndex, entry.labels);
      return { name: entry.name, image, labels };
    },
  };
}

async function readPng(p: Paths): Promise<{ image: RgbImage; labels: LabelImage }> {
  const image = decodeRgbPng(await readBytes(p.image), p.image);
  return { image, labels: await readLabels(p.labels) };
}

async function readJpeg(p: Paths): Promise<{ image: RgbImage; labels: LabelImage }> {
  const bytes = await readBytes(p.image);
  let image: RgbImage;
  try {
    const d = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
    image = { width: d.width, height: d.height, data: d.data };
  } catch (e) {
    throw new FormatError(`not a readable JPEG: ${reason(e)}`, p.image, { cause: e });
  }
  return { image, labels: await readLabels(p.labels) };
}

async function readLabels(path: string): Promise<LabelImage> {
  const map = decodeLabelPng(await readBytes(path), path);
  if (!(map.data instanceof Uint8Array)) throw new FormatError('expected 8-bit labels, found 16-bit gray', path);
  return { width: map.width, height: map.height, data: map.data };
}

function checkLabelValues(labels: LabelImage, numClasses: number, ignoreIndex: number, source: string): void {
  const { data, width } = labels;
  for (let p = 0; p < data.length; p++) {
    const v = data[p] as number;
    if (v >= numClasses && v !== ignoreIndex) {
      throw new FormatError(`label ${v} at (${p % width}, ${Math.floor(p / width)}) is neither a class id (0..${numClasses - 1}) nor the ignore index ${ignoreIndex}`, source);
    }
  }
}
