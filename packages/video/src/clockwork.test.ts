import { setBackend, tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { createModel, FCN, resetSeeds } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clockwork, clockworkStageMacs, type StageMacs } from './clockwork.js';
import { scheduledStages, type ClockworkScheduleOptions } from './clockwork-schedule.js';

const SIZE = 40;

/** fcn8s-lite with every parameter random (its score layers start at zero). */
function randomFcn8s(): FCN {
  resetSeeds(3);
  const m = createModel('fcn8s-lite', { numClasses: 3 }) as FCN;
  m.namedSlots().forEach(([, s], i) => s.variable.assign(tf.randomNormal(s.shape, 0, 0.15, 'float32', 200 + i)));
  return m;
}

/** A 20-frame video: a 40x40 window sliding over a random 80x80 image (one pixel right, half down per frame). */
function frames(n: number): Tensor4D[] {
  const base = tf.randomUniform([1, 80, 80, 3], 0, 255, 'int32', 7) as Tensor4D;
  const out = Array.from({ length: n }, (_, t) => tf.slice(base, [0, Math.floor(t / 2), t, 0], [1, SIZE, SIZE, 3]) as Tensor4D);
  base.dispose();
  return out;
}

function same(a: tf.Tensor, b: tf.Tensor): boolean {
  return tf.tidy(() => tf.all(tf.equal(a, b)).dataSync()[0] === 1);
}

describe('Clockwork on fcn8s-lite (wasm)', () => {
  let model: FCN;
  let video: Tensor4D[];
  let macs: StageMacs;
  beforeAll(async () => {
    await setBackend('wasm');
    model = randomFcn8s();
    video = frames(20);
    macs = clockworkStageMacs('fcn8s-lite', { numClasses: 3 }, [SIZE, SIZE]);
  });
  afterAll(() => {
    tf.dispose(video);
    model.dispose();
  });

  /** Runs a schedule over the video; returns per-frame labels (kept tensors), ran lists, macs, changed fractions. */
  async function runSchedule(o: ClockworkScheduleOptions) {
    const cw = new Clockwork(model, o, macs);
    const out: Array<{ labels: Tensor2D; ran: string[]; macs: number; changed: number | undefined }> = [];
    for (const f of video) {
      const r = await cw.step(f);
      out.push({ ...r, labels: r.labels as Tensor2D, changed: cw.lastChangedFraction });
    }
    cw.reset();
    return out;
  }

  it('per-stage multiply-adds are positive and add up to the full model', () => {
    expect(macs.stages.every((m) => m > 0)).toBe(true);
    expect(macs.stages[0] + macs.stages[1] + macs.stages[2] + macs.fusion).toBe(macs.full);
  });

  it('all stages every frame (fixed periods 1,1,1) equals per-frame inference', async () => {
    const res = await runSchedule({ schedule: 'fixed', periods: [1, 1, 1] });
    res.forEach((r, t) => {
      const ref = tf.tidy(() => tf.squeeze(model.predict(video[t] as Tensor4D), [0]));
      expect(same(r.labels, ref)).toBe(true);
      expect(r.ran).toEqual(['stage1', 'stage2', 'stage3']);
      expect(r.macs).toBe(macs.full);
      tf.dispose([r.labels, ref]);
    });
  });

  it('fixed and pipelined frames equal a hand-written fusion of fresh and cached stage outputs', async () => {
    const f0 = video[0] as Tensor4D;
    const f1 = video[1] as Tensor4D;
    const [fixedRef, pipeRef] = tf.tidy(() => {
      const x0 = model.normalize(f0);
      const x1 = model.normalize(f1);
      const p3a = model.stageFeatures(0, x0);
      const p4a = model.stageFeatures(1, p3a);
      const fc7a = model.stageFeatures(2, p4a);
      const p3b = model.stageFeatures(0, x1);
      const s = (k: 0 | 1 | 2, f: Tensor4D) => model.stageScore(k, f) as Tensor4D;
      const label = (scores: Tensor4D[]) => tf.squeeze(tf.argMax(model.fuseScores(scores, x1), 3), [0]) as Tensor2D;
      // fixed 1,2,4 on frame 1: only stage 1 is fresh.
      const fixed = label([s(0, p3b), s(1, p4a), s(2, fc7a)]);
      // pipelined on frame 1: stage 2 reads frame 0's pool3, stage 3 frame 0's pool4.
      const pipe = label([s(0, p3b), s(1, model.stageFeatures(1, p3a)), s(2, model.stageFeatures(2, p4a))]);
      return [fixed, pipe];
    });
    const fixed = await runSchedule({ schedule: 'fixed' });
    const pipe = await runSchedule({ schedule: 'pipelined' });
    expect(same(fixed[1]?.labels as Tensor2D, fixedRef)).toBe(true);
    expect(same(pipe[1]?.labels as Tensor2D, pipeRef)).toBe(true);
    tf.dispose([fixedRef, pipeRef, ...fixed.map((r) => r.labels), ...pipe.map((r) => r.labels)]);
  });

  it.each<ClockworkScheduleOptions>([{ schedule: 'fixed' }, { schedule: 'alternating' }, { schedule: 'pipelined' }, { schedule: 'adaptive', threshold: 0.005 }])(
    '$schedule: the record follows the schedule, multiply-adds follow the record, no tensor leaks over 20 frames',
    async (o) => {
      const before = tf.memory().numTensors;
      const res = await runSchedule(o);
      res.forEach((r, t) => {
        const expected = scheduledStages(o, t, 3, t > 0 ? r.changed : undefined);
        expect(r.ran).toEqual(['stage1', 'stage2', 'stage3'].filter((_, k) => expected[k]));
        expect(r.macs).toBe(macs.fusion + expected.reduce((s, run, k) => s + (run ? (macs.stages[k] ?? 0) : 0), 0));
        expect(r.labels.shape).toEqual([SIZE, SIZE]);
      });
      if (o.schedule === 'adaptive') {
        expect(res.slice(1).every((r) => typeof r.changed === 'number' && r.changed >= 0 && r.changed <= 1)).toBe(true);
        // A sliding window changes stage-1 labels (about 1% per frame here): the deep stages update again.
        const updates = res.filter((r) => r.ran.length === 3).length;
        expect(updates).toBeGreaterThan(1);
      }
      tf.dispose(res.map((r) => r.labels));
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('adaptive extremes: threshold 1 never updates after frame 0; threshold 0 updates whenever a label changed', async () => {
    const never = await runSchedule({ schedule: 'adaptive', threshold: 1 });
    expect(never.map((r) => r.ran.length)).toEqual([3, ...Array.from({ length: 19 }, () => 1)]);
    const always = await runSchedule({ schedule: 'adaptive', threshold: 0 });
    always.slice(1).forEach((r) => expect(r.ran.length).toBe((r.changed ?? 0) > 0 ? 3 : 1));
    tf.dispose([...never, ...always].map((r) => r.labels));
  });

  it('rejects FCN-16s and bad schedules', () => {
    resetSeeds(1);
    const fcn16 = new FCN(16, { numClasses: 3, width: 0.0625 });
    expect(() => new Clockwork(fcn16, { schedule: 'fixed' }, macs)).toThrow(/needs FCN-8s/);
    fcn16.dispose();
    expect(() => new Clockwork(model, { schedule: 'fixed', periods: [1, 2] }, macs)).toThrow(/expected 3 periods/);
    expect(() => clockworkStageMacs('pspnet-lite', {}, [64, 64])).toThrow(/needs an FCN model/);
  });
});
