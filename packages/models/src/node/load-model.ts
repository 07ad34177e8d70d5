/**
 * `loadModel(path)`: rebuilds exactly the model a checkpoint holds (safetensors or a PyTorch
 * `.pth`, told apart by their bytes). With a pixelwise sidecar
 * (`NAME.json`) the registry name and construction options come from it; a plain state dict
 * (e.g. torchvision's, exported to safetensors) needs the model name, and its class count and
 * auxiliary heads are read off the tensors' shapes and keys. Every `--weights` goes through here.
 */
import { stat } from 'node:fs/promises';
import { entriesToTensors } from '@pixelwise/core';
import { toFloat32, type SafetensorsEntry } from '@pixelwise/core/io';
import type { FlowNetS } from '../flow/flownets.js';
import { declareShapesOnly, torchShape, type Module } from '../module.js';
import { buildModel, modelEntry, resolveModelOptions, type ModelEntry, type ModelOptions, type ModelTask } from '../registry.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { isForgivableMissing, loadStateDict, readWeightEntries } from '../weights/state-dict.js';
import { CheckpointError, readCheckpointInfo, sidecarPaths, type CheckpointInfo } from './checkpoint.js';
import { readBytes, reason } from './files.js';

export interface LoadModelOptions {
  /** The registry name the caller expects (required for weights without a sidecar). */
  model?: string;
  /** The task the caller can run (`--weights` of a flow model in `predict` is an error). */
  task?: ModelTask;
  /** Options that change behaviour but not weights (e.g. a cascade's `rho` and `mode`). */
  overrides?: ModelOptions;
  /** The flag the path came from (`--weights`), to start error messages with. */
  flag?: string;
}

export interface LoadedModel<M extends Module = Segmentor | FlowNetS> {
  model: M;
  name: string;
  entry: ModelEntry;
  /** The options it was built with (what the sidecar records). */
  options: Record<string, unknown>;
  info?: CheckpointInfo;
  /** Problems worth a warning that do not stop loading (non-finite weights). */
  warnings: string[];
}

/** Torch-layout shapes of a model built with `options`, without allocating it. */
function declaredShapes(name: string, options: ModelOptions): Map<string, number[]> {
  const m = declareShapesOnly(() => buildModel(name, options));
  const shapes = new Map(m.namedSlots().map(([k, s]) => [k, torchShape(s.shape, s.layout)]));
  m.dispose();
  return shapes;
}

/**
 * Construction options of `name` that fit a state dict with these key shapes: the class count
 * from the dimension that follows `numClasses`, `aux` from whether the auxiliary heads' keys are
 * there. Falls back to the defaults (loading then says what does not fit).
 */
export function inferModelOptions(name: string, shapes: ReadonlyMap<string, readonly number[]>): ModelOptions {
  const e = modelEntry(name);
  const auxChoices = 'aux' in e.options.shape ? [false, true] : [undefined];
  for (const aux of auxChoices) {
    const base = aux === undefined ? {} : { aux };
    if (e.task === 'flow') return base;
    const one = declaredShapes(name, { ...base, numClasses: 1 });
    const keys = [...one.keys()].filter((k) => !isForgivableMissing(k));
    if (keys.length !== [...shapes.keys()].filter((k) => !isForgivableMissing(k)).length || !keys.every((k) => shapes.has(k))) continue;
    const two = declaredShapes(name, { ...base, numClasses: 2 });
    for (const [key, a] of one) {
      const b = two.get(key) ?? [];
      const d = a.findIndex((v, i) => v === 1 && b[i] === 2);
      const found = shapes.get(key)?.[d];
      if (d >= 0 && found !== undefined) return { ...base, numClasses: found };
    }
    return base;
  }
  return {};
}

/** Names of float tensors holding NaN or infinity. */
function nonFinite(entries: ReadonlyMap<string, SafetensorsEntry>): string[] {
  const bad: string[] = [];
  for (const [key, t] of entries) {
    if (t.dtype !== 'F32' && t.dtype !== 'F16' && t.dtype !== 'BF16' && t.dtype !== 'F64') continue;
    if (toFloat32(t).some((v) => !Number.isFinite(v))) bad.push(key);
  }
  return bad;
}

/** Loads `path` (safetensors with an optional pixelwise sidecar) into the model it was trained as. */
export async function loadModel(path: string, o: LoadModelOptions = {}): Promise<LoadedModel> {
  const at = o.flag ? `${o.flag}: ${path}` : path;
  const st = await stat(path).catch((e: unknown) => {
    throw new CheckpointError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${at} does not exist` : `${at}: cannot read: ${reason(e)}`);
  });
  if (!st.isFile()) throw new CheckpointError(`${at} is a directory, not a weights file (.safetensors or .pth)`);
  const info = await readCheckpointInfo(path);
  if (info && o.model !== undefined && info.model !== o.model) throw new CheckpointError(`${at} is a ${info.model} checkpoint, not ${o.model}`);
  const name = info?.model ?? o.model;
  if (name === undefined) throw new CheckpointError(`${at} has no pixelwise sidecar (${sidecarPaths(path).json}) to say which model it is; name the model (--model)`);
  const entry = modelEntry(name);
  if (o.task !== undefined && entry.task !== o.task) throw new CheckpointError(`${at} is a ${entry.task} model (${name}), not a ${o.task} model`);
  const { entries } = readWeightEntries(await readBytes(path), path);
  const recorded: ModelOptions = info?.options ?? { ...inferModelOptions(name, new Map([...entries].map(([k, t]) => [k, t.shape]))), ...(info ? { numClasses: info.numClasses } : {}) };
  const options = resolveModelOptions(name, { ...recorded, ...o.overrides });
  const model = buildModel(name, options as ModelOptions);
  const tensors = entriesToTensors(entries, path);
  try {
    loadStateDict(model, tensors, path);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tensors.forEach((t) => t.dispose());
  }
  const bad = nonFinite(entries);
  const warnings = bad.length ? [`${path}: ${bad.length} weight tensor${bad.length === 1 ? '' : 's'} hold NaN or infinity (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', ...' : ''}); predictions will be meaningless`] : [];
  return { model, name, entry, options, ...(info ? { info } : {}), warnings };
}

/** {@link loadModel} for a segmentation or video model. */
export async function loadSegmentor(path: string, o: Omit<LoadModelOptions, 'task'> & { task?: 'segmentation' | 'video' } = {}): Promise<LoadedModel<Segmentor>> {
  const loaded = await loadModel(path, o);
  if (loaded.entry.task === 'flow') {
    loaded.model.dispose();
    throw new CheckpointError(`${o.flag ? `${o.flag}: ` : ''}${path} is a flow model (${loaded.name}), not a segmentation model`);
  }
  return loaded as LoadedModel<Segmentor>;
}
