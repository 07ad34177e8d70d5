/**
 * Checkpoints and `--resume` for the one training loop, written once: after every epoch the
 * weights, optimizer slots (every objective's), further trained models and the sidecar with the
 * model's name, options and training state; resuming checks that the checkpoint is the same model
 * with the same options and restores weights and optimizer state exactly.
 */
import { existsSync } from 'node:fs';
import type { tf } from '@pixelwise/core';
import type { Module } from '../module.js';
import type { EpochRecord, FitHooks, TrainState } from '../train/fit.js';
import { CheckpointError, loadOptimizerState, loadRoleWeights, readCheckpointInfo, saveCheckpoint, type CheckpointInfo } from './checkpoint.js';
import { loadWeights } from '../weights/state-dict.js';
import { readBytes } from './files.js';

type Optimizers = ReadonlyArray<readonly [string, tf.Optimizer, Module]>;

export interface CheckpointTarget {
  /** Weights path (`.safetensors`); the sidecar and optimizer files go beside it. */
  path: string;
  model: Module;
  /** What the sidecar records besides the training state. */
  info: Omit<CheckpointInfo, 'format' | 'version' | 'state'>;
}

/** `onEpoch`: writes the checkpoint after every epoch, then calls `after` (e.g. to print). */
export function checkpointEachEpoch(t: CheckpointTarget, after?: (record: EpochRecord) => void): NonNullable<FitHooks['onEpoch']> {
  return async (record, state, optimizers) => {
    const history = state.history.map((h) => ({ ...h }));
    await saveCheckpoint(t.path, { model: t.model, optimizers, info: { ...t.info, state: { epoch: state.epoch, iteration: state.iteration, history } } });
    after?.(record);
  };
}

/**
 * Hooks to resume from `t.path`: the state to start from and `onOptimizers`, which restores the
 * model's weights, the further models' weights and every optimizer's slots. Throws a
 * CheckpointError when the checkpoint is another model or was built with other options.
 */
export async function resumeHooks(t: CheckpointTarget): Promise<Pick<FitHooks, 'state' | 'onOptimizers'> | undefined> {
  if (!existsSync(t.path)) return undefined;
  const info = await readCheckpointInfo(t.path);
  if (!info?.state) throw new CheckpointError(`${t.path}: no training state in its sidecar; cannot resume from plain weights`);
  const same = info.model === t.info.model && JSON.stringify(info.options ?? { numClasses: info.numClasses }) === JSON.stringify(t.info.options ?? { numClasses: t.info.numClasses });
  if (!same) throw new CheckpointError(`${t.path}: a ${info.model} checkpoint with options ${JSON.stringify(info.options ?? { numClasses: info.numClasses })}, not ${t.info.model} with ${JSON.stringify(t.info.options)}`);
  // Resuming with another pixel loss would silently train a different objective.
  const lossOf = (config: Record<string, unknown> | undefined) => (typeof config?.loss === 'string' ? config.loss : 'ce');
  if (lossOf(info.config) !== lossOf(t.info.config)) throw new CheckpointError(`${t.path}: trained with --loss ${lossOf(info.config)}, not ${lossOf(t.info.config)}; resume with the same loss`);
  loadWeights(t.model, await readBytes(t.path), t.path);
  const state = info.state as unknown as TrainState;
  return {
    state,
    onOptimizers: async (optimizers: Optimizers) => {
      await loadRoleWeights(t.path, optimizers.map(([role, , model]) => [role, model] as const));
      await loadOptimizerState(t.path, optimizers);
    },
  };
}
