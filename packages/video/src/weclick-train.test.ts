import { setBackend, tf } from '@pixelwise/core';
import { createModel, fit, ModelConfigError, sampleRng, type Segmentor } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { sampleClicks } from './clicks.js';
import { renderVideoFrame, sampleVideoSpec, videoFlow } from './data/synth-video.js';
import type { PairVideo } from './frame-pairs.js';
import { memoryFrames } from './memory-frames.js';
import { trainingLabel, trainingMethodOf } from './training-method.js';
import { weclickTask, type WeClickLossConfig } from './weclick-train.js';
import { createRng } from '@pixelwise/models';

const [W, H] = [48, 32];
const spec = sampleVideoSpec({ width: W, height: H, classes: 4, frames: 4, seed: 11 });
const frames = Array.from({ length: 4 }, (_, t) => renderVideoFrame(spec, t));
const clicks = frames.map((f, t) => sampleClicks({ width: W, height: H, semantic: f.labels, instance: f.instances }, createRng(t)).labels);
const video: PairVideo = {
  name: 'v',
  frames: 4,
  read: async (t) => ({ name: `f${t}`, image: { width: W, height: H, data: frames[t]!.image }, labels: { width: W, height: H, data: clicks[t]! } }),
  flow: async (t, d) => videoFlow(spec, t, d === 'forward' ? t + 1 : t - 1, frames[t]),
};

const weightsOf = (m: Segmentor) => m.trainableVariables().map((v) => Array.from(v.dataSync()));
const changed = (a: number[][], b: number[][]) => a.some((x, i) => x.some((v, j) => v !== b[i]?.[j]));

describe('WeClick training (wasm)', () => {
  it('memory frames: k-1, k-2 with the composed backward flow; placeholders (no flow) before the first frame', async () => {
    const src = memoryFrames([video], 3);
    expect(src.count).toBe(4);
    expect(src.memory).toBe(2);
    const at0 = await src.read(0);
    expect(at0.every((p) => p.flow.data.every((v) => v > 1e9))).toBe(true);
    const at3 = await src.read(3);
    expect(at3.map((p) => p.offset)).toEqual([-1, -2]);
    expect(at3[1]?.neighbour.data).toEqual(frames[1]!.image);
    // On the synthetic video the composed flow 3 -> 1 is the exact one within 0.05 px on most known pixels.
    const exact = videoFlow(spec, 3, 1, frames[3]);
    const f = at3[1]!.flow.data;
    let close = 0;
    let known = 0;
    for (let i = 0; i < f.length; i += 2) {
      if (!((f[i] as number) < 1e9 && (exact.data[i] as number) < 1e9)) continue;
      known++;
      if (Math.abs((f[i] as number) - (exact.data[i] as number)) < 0.05 && Math.abs((f[i + 1] as number) - (exact.data[i + 1] as number)) < 0.05) close++;
    }
    expect(known).toBeGreaterThan(0);
    expect(close / known).toBeGreaterThan(0.9);
  });

  it('click-only, +MFD and +MFD+KD train through the one loop; the teacher stays frozen; nothing leaks', async () => {
    await setBackend('wasm');
    const teacher = createModel('pspnet-lite', { numClasses: 4 });
    const configs: WeClickLossConfig[] = [{}, { mfd: 1 }, { mfd: 1, kd: 1 }];
    for (const loss of configs) {
      const student = createModel('pspnet-lite', { numClasses: 4, aux: true });
      const task = weclickTask(student, memoryFrames([video], 3), { loss, numClasses: 4, ...(loss.mfd ? { teacher } : {}) });
      const batch = await task.loadBatch([0, 3], sampleRng(1, 0));
      expect(batch.memory !== undefined).toBe(loss.mfd !== undefined);
      expect(batch.teacher !== undefined).toBe(loss.kd !== undefined);
      if (batch.memory) {
        // Frame 0 has no previous frame: confidence 0 everywhere; frame 3 has memory on most pixels.
        const c = batch.memory.confidence.dataSync();
        const per = H * W;
        expect(c.slice(0, per).every((v) => v === 0)).toBe(true);
        expect(c.slice(per).filter((v) => v > 0.5).length).toBeGreaterThan(per / 2);
      }
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

  it('every run draws the same crops: the click-only and +MFD batches hold the same frames and labels', async () => {
    await setBackend('wasm');
    const teacher = createModel('pspnet-lite', { numClasses: 4 });
    const student = createModel('pspnet-lite', { numClasses: 4 });
    const crop: [number, number] = [24, 32];
    const a = weclickTask(student, memoryFrames([video], 3), { loss: {}, numClasses: 4, crop });
    const b = weclickTask(student, memoryFrames([video], 3), { loss: { mfd: 1, kd: 1 }, numClasses: 4, crop, teacher });
    const [ba, bb] = [await a.loadBatch([1, 2], sampleRng(4, 1)), await b.loadBatch([1, 2], sampleRng(4, 1))];
    expect(Array.from(ba.x.dataSync())).toEqual(Array.from(bb.x.dataSync()));
    expect(Array.from(ba.labels.dataSync())).toEqual(Array.from(bb.labels.dataSync()));
    a.disposeBatch(ba);
    b.disposeBatch(bb);
    student.dispose();
    teacher.dispose();
  }, 60_000);

  it('refuses distillation without a teacher', () => {
    const student = createModel('pspnet-lite', { numClasses: 4 });
    expect(() => weclickTask(student, memoryFrames([video], 3), { loss: { mfd: 1 }, numClasses: 4 })).toThrow(ModelConfigError);
    student.dispose();
  });

  it('records the method: one display name per variant', () => {
    const base = { kind: 'weclick', labels: 'clicks', memoryFlow: 3, mfd: 0, kd: 0 } as const;
    expect(trainingLabel(trainingMethodOf({ training: base }))).toBe(' clicks');
    expect(trainingLabel(trainingMethodOf({ training: { ...base, mfd: 1 } }))).toBe(' clicks+mfd');
    expect(trainingLabel(trainingMethodOf({ training: { ...base, mfd: 1, kd: 1 } }))).toBe(' clicks+mfd+kd');
    expect(trainingLabel(trainingMethodOf({ training: { ...base, labels: 'full' } }))).toBe(' full-labels');
    expect(trainingMethodOf({ training: { ...base, mfd: -1 } })).toBeUndefined();
  });
});
