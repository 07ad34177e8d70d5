/**
 * Checkpoints: `NAME.safetensors` (weights in PyTorch layouts), `NAME.json` (model, classes,
 * training config and state) and `NAME.optim.safetensors` (optimizer slots, so a run resumes
 * exactly). Each file is written to a temporary name and renamed: a crash leaves the previous
 * checkpoint intact.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { safetensorsToTensors, tensorsToSafetensors, type tf } from '@pixelwise/core';
import { z } from 'zod';
import type { Module } from '../module.js';
import type { TrainConfig, TrainState } from '../train/trainer.js';
import { loadWeights, saveWeights } from '../weights/state-dict.js';

export const checkpointSchema = z.object({
  format: z.literal('pixelwise-checkpoint'),
  version: z.literal(1),
  model: z.string(),
  numClasses: z.number().int().positive(),
  classNames: z.array(z.string()).optional(),
  dataset: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  state: z.object({ epoch: z.number().int(), iteration: z.number().int(), history: z.array(z.record(z.string(), z.unknown())) }).optional(),
});
export type CheckpointInfo = z.infer<typeof checkpointSchema>;

/** `model.safetensors` -> `model.json` (and `.optim.safetensors`). */
export function sidecarPaths(weightsPath: string): { json: string; optim: string } {
  const base = weightsPath.replace(/\.safetensors$/, '');
  return { json: `${base}.json`, optim: `${base}.optim.safetensors` };
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export interface SaveCheckpointOptions {
  model: Module;
  info: Omit<CheckpointInfo, 'format' | 'version'>;
  optimizer?: tf.Optimizer;
}

/** Writes weights, sidecar JSON and (optionally) optimizer state. */
export async function saveCheckpoint(weightsPath: string, o: SaveCheckpointOptions): Promise<void> {
  const info: CheckpointInfo = { format: 'pixelwise-checkpoint', version: 1, ...o.info };
  const { json, optim } = sidecarPaths(weightsPath);
  await writeAtomic(weightsPath, saveWeights(o.model, { model: info.model, numClasses: String(info.numClasses) }));
  if (o.optimizer) {
    // Optimizer slots are keyed by variable names, which differ between processes: store them
    // under the parameters' state-dict names instead.
    const byVar = new Map(o.model.namedSlots().map(([name, s]) => [s.variable.name, name]));
    const weights = await o.optimizer.getWeights();
    const named = new Map<string, tf.Tensor>();
    for (const w of weights) {
      const slash = w.name.lastIndexOf('/');
      const varName = slash >= 0 ? w.name.slice(0, slash) : w.name;
      const key = byVar.get(varName);
      named.set(key ? `${key}/${w.name.slice(slash + 1)}` : w.name, w.tensor);
    }
    await writeAtomic(optim, tensorsToSafetensors(named));
  }
  await writeAtomic(json, `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads a checkpoint's sidecar JSON; undefined when there is none (plain weights file). */
export async function readCheckpointInfo(weightsPath: string): Promise<CheckpointInfo | undefined> {
  const { json } = sidecarPaths(weightsPath);
  if (!existsSync(json)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(json, 'utf8'));
  } catch (e) {
    throw new Error(`${json}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = checkpointSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${json}: not a pixelwise checkpoint (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

/** Loads weights (and optimizer state when given an optimizer and the file exists). */
export async function loadCheckpoint(weightsPath: string, model: Module, optimizer?: tf.Optimizer): Promise<void> {
  loadWeights(model, new Uint8Array(await readFile(weightsPath)), weightsPath);
  const { optim } = sidecarPaths(weightsPath);
  if (!optimizer || !existsSync(optim)) return;
  const { tensors } = safetensorsToTensors(new Uint8Array(await readFile(optim)), optim);
  const byKey = new Map(model.namedSlots().map(([name, s]) => [name, s.variable.name]));
  const list: Array<{ name: string; tensor: tf.Tensor }> = [];
  for (const [name, tensor] of tensors) {
    const slash = name.lastIndexOf('/');
    const varName = slash >= 0 ? byKey.get(name.slice(0, slash)) : undefined;
    list.push({ name: varName ? `${varName}/${name.slice(slash + 1)}` : name, tensor });
  }
  await optimizer.setWeights(list);
}

export type { TrainConfig, TrainState };
