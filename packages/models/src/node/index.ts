/**
 * `@pixelwise/models/node`: the Node-only side of the models package (file system).
 * The browser-safe data API is `@pixelwise/models/data`.
 */
export { writeSynthDataset } from './synth-dataset.js';
export type { WriteSynthDatasetOptions } from './synth-dataset.js';
export { detectLayout, openCityscapesDataset, openDataset, openSynthDataset, openVocDataset } from './datasets.js';
export type { DatasetLayout, DatasetSample, SegmentationDataset } from './datasets.js';
export { checkSynthWriterOptions, DatasetError, prepareOutputDir, readBytes, readJsonFile, reason, writeFileAtomic } from './files.js';
export type { SynthWriterOptions } from './files.js';
export { checkpointSchema, loadCheckpoint, readCheckpointInfo, saveCheckpoint, sidecarPaths } from './checkpoint.js';
export type { CheckpointInfo, SaveCheckpointOptions } from './checkpoint.js';
