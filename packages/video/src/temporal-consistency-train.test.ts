import { setBackend, tf } from '@pixelwise/core';
import { createModel, fit, sampleRng, ModelConfigError, type Segmentor } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { renderVideoFrame, sampleVideoSpec, videoFlow } from './data/synth-video.js';
import { framePairs, type PairVideo } from './frame-pairs.js';
import type { VideoInput } from './run-video.js';
import { temporalConsistencyTask, validateVideos, type TemporalConsistencyLossConfig } from './temporal-consistency-train.js';
import { parseDistillList, trainingLabel, trainingMethodOf } from './training-method.js';

const [W, H] = [48, 32];
const spec = sampleVideoSpec({ width: W, height: H, classes: 4, frames: 4, seed: 11 });
const frames = Array.from({ length: 4 }, (_, t) => renderVideoFrame(spec, t));
const video: PairVideo = {
  name: 'v',
  frames: 4,
  read: async (t) => ({ name: `f${t}`, image: { width: W, height: H, data: frames[t]!.image }, labels: { width: W, height: H, data: frames[t]!.labels } }),
  flow: async (t, d) => videoFlow(spec, t, d === 'forward' ? t + 1 : t - 1, frames[t]),
};
const valVideo: VideoInput = {
  name: 'v',
  frames: 4,
  frame: async (t) => ({ name: `f${t}`, image: { width: W, height: H, data: frames[t]!.image }, labels: frames[t]!.labels, ...(t < 3 ? { flowToNext: videoFlow(spec, t, t + 1, frames[t]) } : {}) }),
};

const weightsOf = (m: Segmentor) => m.trainableVariables().map((v) => Array.from(v.dataSync()));
const changed = (a: number[][], b: number[][]) => a.some((x, i) => x.some((v, j) => v !== b[i]?.[j]));

describe('temporal-consistency training (wasm)', () => {
  it('baseline, +temporal and +temporal+distillation train through the one loop; the teacher stays frozen; nothing leaks', async () => {
    await setBackend('wasm');
    const configs: TemporalConsistencyLossConfig[] = [{ temporal: 0 }, { temporal: 0.1 }, { temporal: 0.1, distill: { kd: 1, pair: 1, temporal: 1 } }];
    const teacher = createModel('pspnet-lite', { numClasses: 4 });
    for (const loss of configs) {
      const student = createModel('pspnet-lite', { numClasses: 4, aux: true });
      const task = temporalConsistencyTask(student, framePairs([video]), { loss, numClasses: 4, ...(loss.distill ? { teacher } : {}) });
      const batch = await task.loadBatch([0, 2], sampleRng(1, 0));
      expect(batch.neighbour !== undefined).toBe((loss.temporal ?? 0) > 0);
      expect(batch.teacher !== undefined).toBe(loss.distill !== undefined);
      const before = tf.memory().numTensors;
      const value = tf.tidy(() => task.objectives[0]!.loss(batch).dataSync()[0] as number);
      expect(Number.isFinite(value) && value > 0).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      task.disposeBatch(batch);
      const w0 = weightsOf(student);
      const t0 = weightsOf(teacher);
      const state = await fit(task, { epochs: 1, batchSize: 2, lr: 1e-3, optimizer: 'adam', seed: 1 });
      expect(state.history[0]?.loss).toBeGreaterThan(0);
      expect(changed(w0, weightsOf(student))).toBe(true);
      expect(changed(t0, weightsOf(teacher))).toBe(false);
      student.dispose();
    }
    teacher.dispose();
  }, 120_000);

  it('validation reports mIoU and temporal consistency of per-frame inference without disposing the model', async () => {
    await setBackend('wasm');
    const model = createModel('pspnet-lite', { numClasses: 4 });
    const v = await validateVideos(model, [valVideo], 4);
    expect(v.meanIoU).toBeGreaterThanOrEqual(0);
    expect(v.temporalConsistency).toBeGreaterThan(0);
    expect(v.temporalConsistency).toBeLessThanOrEqual(1);
    expect(model.trainableVariables()[0]?.isDisposed).toBe(false);
    model.dispose();
  }, 60_000);

  it('refuses feature distillation for a model without a decode head, and distillation without a teacher', async () => {
    await setBackend('wasm');
    const fcn = createModel('fcn8s-lite', { numClasses: 4 });
    const psp = createModel('pspnet-lite', { numClasses: 4 });
    expect(() => temporalConsistencyTask(fcn, framePairs([video]), { loss: { distill: { pair: 1 } }, numClasses: 4, teacher: psp })).toThrow(ModelConfigError);
    expect(() => temporalConsistencyTask(fcn, framePairs([video]), { loss: { distill: { pair: 1 } }, numClasses: 4, teacher: psp })).toThrow('the student (FCN) is not an encoder-decoder model');
    expect(() => temporalConsistencyTask(psp, framePairs([video]), { loss: { distill: { kd: 1 } }, numClasses: 4 })).toThrow('needs a teacher');
    // Pixel-wise KD alone reads only the outputs: any student.
    expect(() => temporalConsistencyTask(fcn, framePairs([video]), { loss: { distill: { kd: 1 } }, numClasses: 4, teacher: psp })).not.toThrow();
    fcn.dispose();
    psp.dispose();
  });
});

describe('training method records', () => {
  it('parses --distill lists, labels methods and reads them back from a sidecar config', () => {
    expect(parseDistillList('kd,pair,temporal')).toEqual({ kd: 1, pair: 10, temporal: 1 });
    expect(parseDistillList('kd=2,temporal=0.05')).toEqual({ kd: 2, temporal: 0.05 });
    expect(() => parseDistillList('kd,hd')).toThrow("'hd' is not a distillation term; expected a comma-separated list of kd, pair, temporal");
    expect(() => parseDistillList('kd,kd')).toThrow("'kd' is listed twice");
    expect(() => parseDistillList('kd=0')).toThrow('positive');
    const method = { kind: 'temporal-consistency' as const, temporalLoss: 0.1, distill: { kd: 1, temporal: 1 }, teacher: 'pspnet-lite' };
    expect(trainingLabel(method)).toBe(' +temporal+kd+td');
    expect(trainingLabel({ kind: 'temporal-consistency', temporalLoss: 0 })).toBe('');
    expect(trainingLabel(undefined)).toBe('');
    expect(trainingMethodOf({ training: method, crop: [1, 2] })).toEqual(method);
    expect(trainingMethodOf({ training: { kind: 'other' } })).toBeUndefined();
  });
});
