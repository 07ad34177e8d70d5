/**
 * `@pixelwise/models/data`: synthetic scenes, class tables and augmentation, on typed arrays.
 * No TensorFlow.js and no Node built-ins (browser-safe); file-system readers and writers are
 * in `@pixelwise/models/node`.
 */
export { colorizeLabels, checkClassCount, IGNORE_INDEX, MAX_CLASSES, NAMED_CLASS_COUNT, SYNTH_CLASS, synthClass, synthClasses } from './classes.js';
export type { ClassKind, SynthClass } from './classes.js';

export { classAppearance, DEFAULT_STYLE, renderClassTexture, textureWeight } from './appearance.js';
export type { ClassAppearance, InstanceStyle, TextureKind, TextureParams } from './appearance.js';

export { shapeAnchor, shapeAngle, shapeBounds, shapeContains, translateShape } from './shapes.js';
export type { Bounds, Point, Shape } from './shapes.js';

export { layerView, rasterizeScene, topLayerAt } from './scene.js';
export type { Camera, LayerView, Lighting, RasterizedScene, RasterizeOptions, SceneLayer, SceneSpec } from './scene.js';

export { generateScene, sampleSceneSpec, sampleStyle } from './synth.js';
export type { SynthOptions } from './synth.js';

export { createRng, hashInts, itemSeed, valueNoise } from './rng.js';
export type { Rng } from './rng.js';

export {
  augmentSample,
  cropSample,
  flipHorizontal,
  IMAGENET_MEAN,
  IMAGENET_STD,
  randomCrop,
  randomScale,
  resizeBilinear,
  resizeNearest,
  scaleSample,
  toFloatImage,
} from './augment.js';
export type { AugmentOptions, LabelImage, Normalization, PadFill, Sample } from './augment.js';

export { CITYSCAPES_CLASSES, CITYSCAPES_ID_TO_TRAIN_ID, CITYSCAPES_LABELS, cityscapesToTrainIds } from './cityscapes.js';
export type { CityscapesLabel } from './cityscapes.js';
export { VOC_CLASSES } from './voc.js';

export { previewSheet } from './preview.js';
export type { LabelledImage } from './preview.js';
export { parseSynthManifest, SYNTH_MANIFEST_FORMAT, SYNTH_MANIFEST_VERSION, synthManifestSchema } from './manifest.js';
export type { SynthManifest } from './manifest.js';
export { DatasetError } from './errors.js';
