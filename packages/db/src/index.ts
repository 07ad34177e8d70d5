/**
 * @pixelwise/db: the results database. Runs (eval, bench, train, video, eval-video) with their
 * model, dataset, per-class metrics, latency, stages, artifacts and confusion matrix; SQLite by
 * default (`~/.pixelwise/pixelwise.db`), PostgreSQL when DATABASE_URL is a postgres URL.
 */
export { openDatabase, withDatabase, type Database, type OpenOptions, type PrismaDb } from './client.js';
export { DbError, firstLine as errorCause, queryError } from './errors.js';
export { resolveDatabaseUrl, defaultSqlitePath, artifactRootFor, type DatabaseLocation, type Provider } from './url.js';
export { artifactType, artifactFile, readArtifact, storeArtifact, MAX_ARTIFACT_BYTES, type ArtifactRead, type StoredArtifact } from './artifacts.js';
export { migrate, loadMigrations, migrationsDir, type MigrateResult, type Migration } from './migrate.js';
export { saveRun, validateRunInput, canonicalJson, type SaveOptions } from './save.js';
export {
  RUN_KINDS,
  LIMITS,
  runInputSchema,
  classMetricInputSchema,
  latencyInputSchema,
  stageInputSchema,
  extraMetricsSchema,
  modelInputSchema,
  datasetInputSchema,
  artifactKind,
  fraction,
  nonNegative,
  type RunInput,
  type RunKind,
  type ValidRunInput,
} from './input.js';
export { listRuns, countRuns, getRun, latestRunAtCommit, similarSpeedRuns, exportRuns, type RunSummary, type RunDetail, type ListOptions } from './query.js';
export { leaderboard, modelLabel, leaderboardFacets, LEADERBOARD_SORTS, type LeaderboardFacets, type LeaderboardOptions, type LeaderboardRow, type LeaderboardSort } from './leaderboard.js';
export { compareRuns, classDeltas, runLikeFromRun, speedNoise, signed, METRICS, type Comparison, type MetricChange, type MetricName, type RunLike, type SpeedChange } from './compare.js';
export { detectGit, resolveGitRef, type GitInfo } from './git.js';
export { encodeConfusion, decodeConfusion, CONFUSION_ENCODING } from './confusion.js';
export { SWEEP_COMMANDS, WORKER_DEVICES, SWEEP_LIMITS, sweepSpecSchema, expandSweep, jobKey, jobCommandLine, type SweepCommand, type SweepCommit, type SweepJobSpec, type SweepSpec, type SweepSpecInput, type WorkerDevice } from './sweep/spec.js';
export { readSweepFile, parseSweepSpec } from './sweep/file.js';
export { createSweep, getSweep, listSweeps, JOB_STATES, type JobState, type SweepDetail, type SweepJobStatus, type SweepSummary, type SweepMode, type StateCounts } from './sweep/store.js';
export { type WorkerIdentity } from './sweep/job-state.js';
// The queue loads pg-boss only when a sweep is enqueued or served (queue/boss.ts).
export { submitSweep, type SubmitResult } from './queue/submit.js';
export { runLocalSweep, type LocalRunOptions } from './queue/local.js';
export { runWorker, type WorkerOptions, type WorkerSummary } from './queue/worker.js';
export { cancelSweep, waitForSweep, sweepRun, type WaitOptions } from './queue/control.js';
export { SWEEP_JOB_ENV, HOST_ENV } from './queue/attempt.js';
