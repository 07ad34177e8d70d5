/**
 * `@pixelwise/eval/node`: the filesystem and worker-thread side of evaluation (Node only).
 */
export { listFiles, matchKey, pairFiles } from './files.js';
export { escapeBytes, notUtf8Hint, readdirUtf8 } from './file-names.js';
export type { Utf8Entry } from './file-names.js';
export type { FilePair } from './files.js';
export { loadLabelPair, readLabelPng } from './load.js';
export { decodeLabelPngFast } from './label-png-zlib.js';
export type { LabelPair, LoadOptions } from './load.js';
export { evaluateImagePairs } from './evaluate-images.js';
export type { EvaluateImagesOptions } from './evaluate-images.js';
export { evaluateVideos, listVideos, pairVideos, readPanopticFrame } from './video.js';
export type { EvaluateVideosOptions, VideoEvaluation, VideoFrames } from './video.js';
export { importCityscapesVps } from './cityscapes-vps.js';
export type { ImportVpsOptions, ImportVpsResult } from './cityscapes-vps.js';
