/**
 * Checkpoints: `NAME.safetensors` (weights in PyTorch layouts), `NAME.json` (model, its
 * construction options, classes, training config and state) and `NAME.optim.safetensors`
 * (optimizer slots, so a run resumes exactly). Each file is written to a temporary name and
 * renamed: a crash leaves the previous checkpoint intact.
 */
import { existsSync } from 'node:fs';
import { safetensorsToTensors, tensorsToSafetensors, type tf } from '@pixelwise/core';
import { z } from 'zod';
import type { Module } from '../module.js';
import { loadWeights, saveWeights } from '../weights/state-dict.js';
import { readBytes, readJsonFile, writeFileAtomic } from './files.js';

/** A checkpoint that cannot be used as asked (wrong model, no sidecar to resume from, ...). */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export const checkpointSchema = z.object({
  format: z.literal('pixelwise-checkpoint'),
  version: z.literal(1),
  model: z.string(),
  /** The registry options the model was built with (`resolveModelOptions`); older sidecars lack them. */
  options: z.record(z.string(), z.unknown()).optional(),
  numClasses: z.number().int().positive(),
  classNames: z.array(z.string()).optional(),
  dataset: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  state: z.object({ epoch: z.number().int(), iteration: z.number().int(), history: z.array(z.record(z.string(), z.unknown())) }).optional(),
});
export type CheckpointInfo = z.infer<typeof checkpointSchema>;

/** `model.safetensors` -> `model.json`, `model.optim.safetensors`, and `model.ROLE.safetensors` for further trained models. */
export function sidecarPaths(weightsPath: string): { json: string; optim: string; role: (role: string) => string } {
  const base = weightsPath.replace(/\.(safetensors|pth|pt)$/, '');
  return { json: `${base}.json`, optim: `${base}.optim.safetensors`, role: (role) => `${base}.${role}.safetensors` };
}

export interface SaveCheckpointOptions {
  model: Module;
  info: Omit<CheckpointInfo, 'format' | 'version'>;
  /** Optimizers by role ('' = the model's; others, e.g. a discriminator's, by name). */
  optimizers?: ReadonlyArray<readonly [string, tf.Optimizer, Module]>;
}

/** Optimizer slots keyed by `role/state-dict name/slot`, stable across processes (variable names are not). */
async function namedOptimizerWeights(optimizers: NonNullable<SaveCheckpointOptions['optimizers']>): Promise<Map<string, tf.Tensor>> {
  const named = new Map<string, tf.Tensor>();
  for (const [role, optimizer, owner] of optimizers) {
    const byVar = new Map(owner.namedSlots().map(([name, s]) => [s.variable.name, name]));
    for (const w of await optimizer.getWeights()) {
      const slash = w.name.lastIndexOf('/');
      const key = byVar.get(slash >= 0 ? w.name.slice(0, slash) : w.name);
      const local = key ? `${key}/${w.name.slice(slash + 1)}` : w.name;
      named.set(role ? `${role}:${local}` : local, w.tensor);
    }
  }
  return named;
}

/** Writes weights, sidecar JSON and (optionally) optimizer state; the sidecar last. */
export async function saveCheckpoint(weightsPath: string, o: SaveCheckpointOptions): Promise<void> {
  const info: CheckpointInfo = { format: 'pixelwise-checkpoint', version: 1, ...o.info };
  const { json, optim, role } = sidecarPaths(weightsPath);
  await writeFileAtomic(weightsPath, saveWeights(o.model, { model: info.model, numClasses: String(info.numClasses) }));
  for (const [name, , owner] of o.optimizers ?? []) if (name !== '') await writeFileAtomic(role(name), saveWeights(owner, { role: name }));
  if (o.optimizers?.length) await writeFileAtomic(optim, tensorsToSafetensors(await namedOptimizerWeights(o.optimizers)));
  await writeFileAtomic(json, `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads a checkpoint's sidecar JSON; undefined when there is none (plain weights file). */
export async function readCheckpointInfo(weightsPath: string): Promise<CheckpointInfo | undefined> {
  const { json } = sidecarPaths(weightsPath);
  if (!existsSync(json)) return undefined;
  const parsed = checkpointSchema.safeParse(await readJsonFile(json));
  if (!parsed.success) throw new CheckpointError(`${json}: not a pixelwise checkpoint (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

/**
 * Restores optimizer state saved by {@link saveCheckpoint} into `optimizers` (same roles and
 * owners); does nothing when the checkpoint has no optimizer file.
 */
export async function loadOptimizerState(weightsPath: string, optimizers: ReadonlyArray<readonly [string, tf.Optimizer, Module]>): Promise<boolean> {
  const { optim } = sidecarPaths(weightsPath);
  if (!existsSync(optim)) return false;
  const { tensors } = safetensorsToTensors(await readBytes(optim), optim);
  for (const [role, optimizer, owner] of optimizers) {
    const byKey = new Map(owner.namedSlots().map(([name, s]) => [name, s.variable.name]));
    const prefix = role ? `${role}:` : '';
    const list: Array<{ name: string; tensor: tf.Tensor }> = [];
    for (const [name, tensor] of tensors) {
      if (role ? !name.startsWith(prefix) : name.includes(':')) continue;
      const local = name.slice(prefix.length);
      const slash = local.lastIndexOf('/');
      const varName = slash >= 0 ? byKey.get(local.slice(0, slash)) : undefined;
      list.push({ name: varName ? `${varName}/${local.slice(slash + 1)}` : local, tensor });
    }
    await optimizer.setWeights(list);
  }
  return true;
}

/** Loads the weights of the further trained models (roles other than '') saved beside `weightsPath`. */
export async function loadRoleWeights(weightsPath: string, models: ReadonlyArray<readonly [string, Module]>): Promise<void> {
  const { role } = sidecarPaths(weightsPath);
  for (const [name, model] of models) if (name !== '') loadWeights(model, await readBytes(role(name)), role(name));
}

/** Loads weights into `model` (and optimizer state when given an optimizer and the file exists). */
export async function loadCheckpoint(weightsPath: string, model: Module, optimizer?: tf.Optimizer): Promise<void> {
  loadWeights(model, await readBytes(weightsPath), weightsPath);
  if (optimizer) await loadOptimizerState(weightsPath, [['', optimizer, model]]);
}
