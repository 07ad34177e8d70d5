/**
 * Video models that are not image segmentors of the `@pixelwise/models` registry: the TDNet
 * students. One explicit map from name to builder; an unknown name lists the valid ones.
 */
import { TDNet } from './tdnet.js';

export interface VideoModelEntry {
  description: string;
  /** Registry name of the teacher whose backbone the sub-networks split (grouped distillation). */
  teacher: string;
  build: (numClasses: number) => TDNet;
}

export const VIDEO_MODELS: Readonly<Record<string, VideoModelEntry>> = {
  'tdnet2-lite': {
    description: 'TDNet TD2: 2 dilated ResNet-18 sub-networks at width x0.125 + attention propagation + PSP head 64 (students of pspnet-lite)',
    teacher: 'pspnet-lite',
    build: (numClasses) => new TDNet({ numClasses, paths: 2, width: 0.25, channels: 64 }),
  },
  'tdnet4-lite': {
    description: 'TDNet TD4: 4 dilated ResNet-18 sub-networks at width x0.0625 + attention propagation + PSP head 64 (students of pspnet-lite)',
    teacher: 'pspnet-lite',
    build: (numClasses) => new TDNet({ numClasses, paths: 4, width: 0.25, channels: 64 }),
  },
};

export function videoModelNames(): string[] {
  return Object.keys(VIDEO_MODELS);
}

export function isVideoModelName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(VIDEO_MODELS, name);
}

/** Builds a TDNet student by name; an unknown name throws, listing the valid ones. */
export function createVideoModel(name: string, numClasses: number): TDNet {
  const e = VIDEO_MODELS[name];
  if (!e) throw new Error(`unknown video model '${name}'; valid: ${videoModelNames().join(', ')}`);
  return e.build(numClasses);
}
