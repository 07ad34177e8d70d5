/**
 * `@pixelwise/video/node`: the Node-only side of the video package (file system): writing
 * and reading synthetic video data sets.
 */
export { writeSynthVideo } from './synth-video.js';
export type { WriteSynthVideoOptions } from './synth-video.js';
export { openVideoDataset } from './video-dataset.js';
export type { FrameLabels, VideoDataset, VideoEntry } from './video-dataset.js';
export { openFlowPairs } from './flow-data.js';
export { isVideoDataset, openClips, openVideoSplit } from './video-split.js';
export type { OpenedClips, VideoSplit } from './video-split.js';
export { flowSetup, tdnetSetup } from './training.js';
export type { FlowSetupOptions, TdnetSetupOptions } from './training.js';
export { flowEstimator, openFramePairs, openPairVideos } from './frame-pair-data.js';
export type { FlowSource, OpenedFramePairs } from './frame-pair-data.js';
export { temporalConsistencySetup } from './temporal-consistency-setup.js';
export type { TemporalConsistencySetupOptions } from './temporal-consistency-setup.js';
export { clickManifestSchema, readClickManifest, videoLabelReader, writeClickLabels } from './click-labels.js';
export type { ClickManifest, WriteClicksOptions } from './click-labels.js';
export { weclickSetup } from './weclick-setup.js';
export type { WeClickSetupOptions } from './weclick-setup.js';
export { adaptationSetup, selfTrainingSetup } from './adaptation-setup.js';
export type { AdaptationLabel, AdaptationSetupOptions, SelfTrainingSetupOptions } from './adaptation-setup.js';
export { ADAPTATIONS, LUCAS_KANADE, phaseCheckpoint, runAdaptation, runPhase } from './run-adaptation.js';
export type { Adaptation, AdaptationPhase, AdaptationRunOptions, AdaptationRunResult, PhaseHooks, SetupSummary } from './run-adaptation.js';
export { openPseudoLabelled, readPseudoLabelIndex, writePseudoLabels } from './pseudo-label-set.js';
export type { PseudoLabelIndex, WritePseudoLabelsOptions } from './pseudo-label-set.js';
export { domainVideos, openDomainPairs, openVideoFrames } from './uda-data.js';
export type { DomainPairs } from './uda-data.js';
export { panopticWriter, TRACK_FLOWS } from './panoptic-predictions.js';
export type { PanopticTracks, PanopticWriter, TrackFlow } from './panoptic-predictions.js';
