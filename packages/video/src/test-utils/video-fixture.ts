/** Test helper: a small synthetic video data set and an untrained pspnet-lite teacher checkpoint in a temporary folder (removed after the file's tests). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@pixelwise/core';
import { createModel, saveWeights } from '@pixelwise/models';
import { afterAll, beforeAll } from 'vitest';
import { writeSynthVideo } from '../node/synth-video.js';

/** 2 videos of 3 frames, 32x32, 4 classes (one train, one val), and `teacher.safetensors` (no sidecar), written before the tests run. */
export function videoFixture(prefix: string): { tmp: string; data: string; teacher: string } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const data = join(tmp, 'v');
  const teacher = join(tmp, 'teacher.safetensors');
  beforeAll(async () => {
    await setBackend('wasm');
    await writeSynthVideo({ out: data, count: 2, frames: 3, width: 32, height: 32, classes: 4, seed: 3, split: { val: 0.5 } });
    const m = createModel('pspnet-lite', { numClasses: 4 });
    writeFileSync(teacher, saveWeights(m));
    m.dispose();
  });
  return { tmp, data, teacher };
}
