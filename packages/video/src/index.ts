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
export { createFlowModel, FLOW_MODELS, FLOWNET_STRIDE, FlowNetS, isFlowModelName, stackFrames } from './flownets.js';
export type { FlowModelName, FlowNetOutput, FlowNetSOptions } from './flownets.js';
export { endPointError, isKnownFlow, MULTISCALE_WEIGHTS, multiscaleEpe } from './flow-loss.js';
export type { EpeSum } from './flow-loss.js';
export { augmentPair, EQUAL_SCALE_WEIGHTS, evaluateFlow, predictFlow, trainFlow } from './flow-train.js';
export type { FlowEpochRecord, FlowEvaluation, FlowPair, FlowPairSource, FlowTrainConfig, FlowTrainRun } from './flow-train.js';
export { lucasKanadeFlow } from './flow-lucas-kanade.js';
export type { LucasKanadeOptions } from './flow-lucas-kanade.js';
