import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, ModelConfigError, resetSeeds, saveWeights } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { videoFixture } from '../test-utils/video-fixture.js';
import { temporalConsistencySetup } from './temporal-consistency-setup.js';

const { tmp, data, teacher } = videoFixture('pixelwise-etc-setup-');

describe('temporalConsistencySetup', () => {
  it('starts the student from the same weights with or without a teacher (it is built before the teacher loads)', async () => {
    const weights = async (o: Parameters<typeof temporalConsistencySetup>[0]) => {
      resetSeeds(1);
      const s = await temporalConsistencySetup(o);
      const w = s.model.trainableVariables().map((v) => Array.from(v.dataSync()));
      expect(s.numClasses).toBe(4);
      s.dispose();
      return w;
    };
    const base = await weights({ model: 'pspnet-lite', data, temporalLoss: 0, validate: false });
    const kd = await weights({ model: 'pspnet-lite', data, distill: { kd: 1, pair: 1 }, teacher, teacherModel: 'pspnet-lite', validate: false });
    expect(kd).toEqual(base);
  });

  it('refuses a non-segmentation model, distillation without a teacher and a teacher of another class count', async () => {
    await expect(temporalConsistencySetup({ model: 'tdnet2-lite', data })).rejects.toThrow('tdnet2-lite is a video model');
    await expect(temporalConsistencySetup({ model: 'pspnet-lite', data, distill: { kd: 1 } })).rejects.toThrow(ModelConfigError);
    const other = join(tmp, 'other.safetensors');
    const m = createModel('pspnet-lite', { numClasses: 6 });
    writeFileSync(other, saveWeights(m));
    m.dispose();
    await expect(temporalConsistencySetup({ model: 'pspnet-lite', data, distill: { kd: 1 }, teacher: other, teacherModel: 'pspnet-lite' })).rejects.toThrow(`--teacher: ${other} predicts 6 classes, ${data} has 4`);
  });
});
