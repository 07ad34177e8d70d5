/**
 * `@pixelwise/models/node`: the Node-only side of the models package (file system): data sets,
 * checkpoints, `loadModel` and the training loop's checkpoint hooks. The browser-safe data API is
 * `@pixelwise/models/data`.
 */
export { writeSynthDataset } from './synth-dataset.js';
export type { WriteSynthDatasetOptions } from './synth-dataset.js';
export { detectLayout, openCityscapesDataset, openDataset, openSynthDataset, openVocDataset } from './datasets.js';
export type { DatasetLayout, DatasetSample, SegmentationDataset } from './datasets.js';
export { checkSynthWriterOptions, DatasetError, prepareOutputDir, readBytes, readJsonFile, reason, writeDirAtomic, writeFileAtomic } from './files.js';
export type { SynthWriterOptions } from './files.js';
export { CheckpointError, checkpointSchema, loadCheckpoint, loadOptimizerState, readCheckpointInfo, saveCheckpoint, sidecarPaths } from './checkpoint.js';
export type { CheckpointInfo, SaveCheckpointOptions } from './checkpoint.js';
export { inferModelOptions, loadModel, loadSegmentor } from './load-model.js';
export type { LoadedModel, LoadModelOptions } from './load-model.js';
export { checkpointEachEpoch, resumeHooks } from './fit-checkpoints.js';
export type { CheckpointTarget } from './fit-checkpoints.js';
export { runTraining, segmentationSetup } from './train-run.js';
export type { RunTrainingOptions, SegmentationSetupOptions, TrainingResult, TrainingSetup } from './train-run.js';
export { STAGE_NAMES, writePreviewArtifacts } from './previews.js';
export type { StageArtifact } from './previews.js';
export { chooseEngine, describeEngine, describeOnnxRuntime, engineDevice, EngineError, loadOnnxRuntime, ONNX_RUNTIME_PACKAGE, probeExecutionProvider, segmenterFor } from './onnx-runtime.js';
export type { EngineAvailability, EngineChoice, EngineRequest } from './onnx-runtime.js';
export { DEEPLAB_CRF_GRID, gridPoints, tuneCrf } from './crf-tune.js';
export type { CrfGrid, CrfGridPoint, TuneCrfOptions, TuneCrfResult } from './crf-tune.js';
export { InFlight } from './in-flight.js';
export { generateProposals } from './proposals.js';
export type { ImageProposals, ProposalInput, ProposalsOptions, ProposalsResult } from './proposals.js';
