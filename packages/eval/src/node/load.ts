/**
 * Reading one prediction/ground-truth pair of label PNGs, with the checks the CLI promises:
 * unreadable PNG, RGB instead of labels, size mismatch, each naming the file.
 */
import { readFileSync } from 'node:fs';
import type { LabelMap } from '@pixelwise/core/io';
import { notUtf8Hint } from './file-names.js';
import { decodeLabelPngFast } from './label-png-zlib.js';
import { cityscapesToTrainIds } from '../cityscapes-labels.js';
import { LabelError } from '../label-error.js';
import type { LabelArray } from '../confusion-matrix.js';

export interface LoadOptions {
  /** Map Cityscapes labelIds to trainIds in both maps. */
  cityscapesLabelIds?: boolean;
}

export interface LabelPair {
  width: number;
  height: number;
  gt: LabelArray;
  pred: LabelArray;
}

/** Reads and decodes a label PNG; errors are one line naming the file. */
export function readLabelPng(path: string): LabelMap {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LabelError(code === 'ENOENT' ? `no such file${notUtf8Hint(path)}` : `cannot read file (${code ?? String(e)})`, path);
  }
  return decodeLabelPngFast(bytes, path);
}

export function loadLabelPair(gtPath: string, predPath: string, options: LoadOptions = {}): LabelPair {
  const gt = readLabelPng(gtPath);
  const pred = readLabelPng(predPath);
  if (gt.width !== pred.width || gt.height !== pred.height) {
    throw new LabelError(`size mismatch: prediction is ${pred.width}x${pred.height}, ground truth ${gtPath} is ${gt.width}x${gt.height}`, predPath);
  }
  if (!options.cityscapesLabelIds) return { width: gt.width, height: gt.height, gt: gt.data, pred: pred.data };
  return {
    width: gt.width,
    height: gt.height,
    gt: cityscapesToTrainIds(gt.data),
    pred: cityscapesToTrainIds(pred.data),
  };
}
