/**
 * `@pixelwise/video`: synthetic video, optical flow and warping (browser-safe; the file
 * system side is `@pixelwise/video/node`).
 */
export { cameraAt, renderVideoFrame, sampleVideoSpec, sceneAt, UNKNOWN_FLOW, videoFlow } from './data/synth-video.js';
export type { CameraPath, SynthVideoOptions, VideoSpec } from './data/synth-video.js';
export { frameName, parseVideoManifest, videoManifestSchema } from './data/manifest.js';
export type { VideoManifest } from './data/manifest.js';
export { forwardBackwardMask, inFrameMask, warpBilinear, warpNearest } from './warp.js';
export type { ForwardBackwardOptions } from './warp.js';
