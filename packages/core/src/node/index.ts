export { describeEnvironment, detectGpus, packageVersion } from './environment.js';
export type { BackendAvailability, EnvironmentReport } from './environment.js';
export { cpuDevice, deviceOf } from './device.js';
export { CrfWorkerPool } from './crf-pool.js';
export type { CrfJob, CrfLogitsJob, CrfWorkerPoolOptions, ScoredProposals } from './crf-pool.js';
