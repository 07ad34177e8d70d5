/**
 * Where a training step's gradients come from. The loop (`fit`) asks a {@link GradientSource} for
 * the gradients of objective k on some samples, combines the answers weighted by their sample
 * counts (micro-batches, workers) and applies them. The local source computes them in this thread;
 * `@pixelwise/models/node` adds one that shares a step's samples with worker threads.
 */
import { tf } from '@pixelwise/core';
import type { Module } from '../module.js';
import type { SampleRng, TrainingTask } from './fit.js';

/** Mean-loss gradients of one objective over `count` samples, in `trainableVariables()` order. */
export interface Gradients {
  grads: tf.Tensor[];
  loss: number;
  count: number;
}

export interface GradientSource {
  /** Threads a step's samples are shared among (each holds about `batch / shards` at once). */
  readonly shards?: number;
  /** Gradients of objective `k` on the samples `indices` at the current weights. */
  compute(k: number, indices: readonly number[], at: { seed: number; epoch: number; rngOf: SampleRng }): Promise<Gradients>;
  /** The weights changed (an optimizer step): anything holding a copy must refresh it. */
  weightsChanged?(): void;
  /** A step is over: batches kept for its other objectives can go. */
  endStep(): void;
  close?(): Promise<void>;
}

/**
 * Gradients computed here: each batch is loaded once per step and shared by the objectives that
 * step on it (a teacher's forward pass, say, runs once).
 */
export function localGradients<B>(task: TrainingTask<B>): GradientSource {
  const cache = new Map<string, B>();
  return {
    async compute(k, indices, at) {
      const key = indices.join(',');
      let batch = cache.get(key);
      if (batch === undefined) {
        batch = await task.loadBatch(indices, at.rngOf);
        cache.set(key, batch);
      }
      const objective = task.objectives[k];
      if (!objective) throw new Error(`fit: no objective ${k}`);
      const b = batch;
      return gradientsOf(objective.model, () => objective.loss(b), indices.length);
    },
    endStep() {
      cache.forEach((b) => task.disposeBatch(b));
      cache.clear();
    },
  };
}

/** Gradients of `loss` with respect to every trainable variable of `model` (zeros where it does not reach). */
export function gradientsOf(model: Module, loss: () => tf.Scalar, count: number): Gradients {
  const vars = model.trainableVariables();
  const { value, grads } = tf.variableGrads(loss, vars);
  const out = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
  const l = value.dataSync()[0] ?? NaN;
  value.dispose();
  return { grads: out, loss: l, count };
}

/** The count-weighted mean of several gradients (disposes them). */
export function combineGradients(parts: readonly Gradients[]): Gradients {
  const total = parts.reduce((a, p) => a + p.count, 0);
  const first = parts[0];
  if (!first) throw new Error('combineGradients: nothing to combine');
  if (parts.length === 1) return first;
  const grads = tf.tidy(() => first.grads.map((_, i) => tf.addN(parts.map((p) => tf.mul(p.grads[i] as tf.Tensor, p.count / total)))));
  parts.forEach((p) => tf.dispose(p.grads));
  return { grads, loss: parts.reduce((a, p) => a + (p.loss * p.count) / total, 0), count: total };
}
