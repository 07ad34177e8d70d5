/**
 * @pixelwise/video — video semantic segmentation: synthetic video, optical flow and warping
 * (browser-safe; the file system side is `@pixelwise/video/node`), and methods that trade
 * computation for temporal reuse: Clockwork convnets (schedules over FCN-8s stages) and TDNet
 * (temporally distributed sub-networks, whose architecture is in @pixelwise/models' registry, run
 * on a stream, and grouped distillation).
 */
export { cameraAt, renderVideoFrame, sampleVideoSpec, sceneAt, UNKNOWN_FLOW, videoFlow } from './data/synth-video.js';
export type { CameraPath, SynthVideoOptions, VideoSpec } from './data/synth-video.js';
export { domainImage, domainSpec, paletteMatrix, VIDEO_DOMAIN_NAMES, VIDEO_DOMAINS } from './data/domain.js';
export type { VideoDomain, VideoDomainName } from './data/domain.js';
export { frameName, parseVideoManifest, videoManifestSchema } from './data/manifest.js';
export type { VideoManifest } from './data/manifest.js';
export { forwardBackwardMask, inFrameMask, warpBilinear, warpNearest } from './warp.js';
export type { ForwardBackwardOptions } from './warp.js';
export { endPointError, EpeAccumulator, isKnownFlow, MULTISCALE_WEIGHTS, multiscaleEpe } from './flow-loss.js';
export type { EpeSum } from './flow-loss.js';
export { asFlowRecord, augmentPair, EQUAL_SCALE_WEIGHTS, evaluateFlow, FLOW_OPTIMIZER, flowFitConfig, flowTask, predictFlow, trainFlow } from './flow-train.js';
export type { FlowBatch, FlowEpochRecord, FlowEvaluation, FlowPair, FlowPairSource, FlowTrainConfig, FlowTrainRun } from './flow-train.js';
export { lucasKanadeFlow } from './flow-lucas-kanade.js';
export type { LucasKanadeOptions } from './flow-lucas-kanade.js';
export { CLOCKWORK_SCHEDULES, DEFAULT_PERIODS, DEFAULT_THRESHOLD, changedFraction, checkSchedule, readsPreviousFrame, scheduledStages } from './clockwork-schedule.js';
export type { ClockworkSchedule, ClockworkScheduleOptions } from './clockwork-schedule.js';
export { Clockwork, CLOCKWORK_UNITS, clockworkStageMacs, tfjsClockworkStages } from './clockwork.js';
export type { ClockworkStages, StageMacs } from './clockwork.js';
export { clockworkGraphs, onnxClockworkStages } from './onnx-clockwork.js';
export { PerFrame, frameBytes, frameMacs, ranUnits } from './video-segmenter.js';
export type { FrameOutput, VideoSegmenter } from './video-segmenter.js';
export { TDNetStream, tdnetMacs, tfjsTdnetParts } from './tdnet-video.js';
export type { TDNetParts } from './tdnet-video.js';
export { onnxTdnetParts, tdnetGraphs } from './onnx-tdnet.js';
export type { OnnxTdnetEncoding } from './onnx-tdnet.js';
export { distillLoss, distillTask, distillTdnet, evaluateClips, pixelKl, teacherBackbone } from './tdnet-distill.js';
export type { ClipSource, DistillBatch, DistillConfig, DistillEpoch, DistillLossConfig, DistillRun } from './tdnet-distill.js';
export { imageClips, videoClips } from './clips.js';
export type { ClipVideo } from './clips.js';
export { runVideos } from './run-video.js';
export type { BaselineResult, FrameRecord, RunVideosOptions, VideoFrameInput, VideoInput, VideoRunResult } from './run-video.js';
export { stageTimeline, UNIT_COLOURS } from './stage-timeline.js';
export { checkMethodModel, frameRecordOf, VIDEO_METHODS, videoMethod } from './methods.js';
export type { VideoMethod, VideoMethodSetup } from './methods.js';
export { composeFlow, composeFlows } from './flow-compose.js';
export { cropFlow, cropPlanes, cropRgb, randomWindow } from './crop-window.js';
export type { CropWindow } from './crop-window.js';
export { occlusionWeight, temporalConsistencyLoss, temporalWeight } from './temporal-consistency-loss.js';
export { cosineAffinity, pairwiseDistillLoss, temporalDistillLoss } from './affinity-distillation.js';
export { augmentFramePair, framePairs, groundTruthFlow, NEIGHBOUR_OFFSETS, stackFramePairs } from './frame-pairs.js';
export type { FlowEstimator, FramePair, FramePairOptions, FramePairSource, PairVideo, StackedPairs } from './frame-pairs.js';
export { DISTILL_TERMS, DISTILL_WEIGHTS, NEIGHBOUR_PAIR_WEIGHT, TEMPORAL_LOSS_WEIGHT, temporalConsistencyTask, temporalObjective, validateVideos } from './temporal-consistency-train.js';
export type { DistillTerm, TemporalBatch, TemporalConsistencyLossConfig, TemporalConsistencyRun } from './temporal-consistency-train.js';
export { parseDistillList, temporalConsistencyMethodSchema, trainingLabel, trainingMethodOf, trainingMethodSchema, weclickMethodSchema } from './training-method.js';
export type { TrainingMethod } from './training-method.js';
export { clickRegions, sampleClicks } from './clicks.js';
export { ComponentTracker, TRACK_MIN_IOU } from './component-tracks.js';
export type { ComponentTrackOptions } from './component-tracks.js';
export type { Click, ClickOptions, FrameClicks, FullLabels } from './clicks.js';
export { flowMemory, memoryFlowLoss } from './memory-flow.js';
export type { FlowMemory } from './memory-flow.js';
export { augmentMemory, memoryFrames } from './memory-frames.js';
export type { MemorySource } from './memory-frames.js';
export { MEMORY_FRAMES, MFD_WEIGHT, weclickObjective, weclickTask } from './weclick-train.js';
export type { WeClickBatch, WeClickLossConfig, WeClickRun } from './weclick-train.js';
export { discriminatorInput, FCDiscriminator } from './uda/discriminator.js';
export type { DiscriminatorOptions, DiscriminatorSoftmax } from './uda/discriminator.js';
export { GAN_LOSSES, ganLoss, SOURCE_DOMAIN, TARGET_DOMAIN } from './uda/gan-loss.js';
export type { GanLoss } from './uda/gan-loss.js';
export { domainPairs } from './uda/domain-pairs.js';
export type { DomainPair, DomainPairSource, DomainVideo } from './uda/domain-pairs.js';
export { ADAPTATION_METHODS, adaptationTask, DISCRIMINATOR_OPTIMIZER } from './uda/adaptation-task.js';
export type { AdaptationBatch, AdaptationConfig, AdaptationMethod, StepScores } from './uda/adaptation-task.js';
export { consistencyFilter, predictFrame, pseudoLabel, selectPseudoLabel } from './uda/pseudo-labels.js';
export type { FramePrediction, PseudoLabel, PseudoLabelOptions } from './uda/pseudo-labels.js';
export { classBalancedThresholds } from './uda/class-balance.js';
