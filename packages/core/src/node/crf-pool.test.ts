/**
 * The worker pool runs compiled JavaScript in its threads, so this test imports the build
 * (`pnpm build` runs before `pnpm test`).
 */
import { describe, expect, it } from 'vitest';
import { crfScene } from '../test-utils/crf-scenes.js';
import { DenseCrf, divMBest, refineLogits, unaryFromProbabilities } from '../crf/index.js';
import { CrfWorkerPool } from '../../dist/node/index.js';

describe('CrfWorkerPool', () => {
  const scenes = [1, 2, 3].map((seed) => crfScene(20 + seed * 4, 16, 3, seed));
  const jobs = scenes.map((s) => ({ width: s.width, height: s.height, numClasses: 3, image: s.image, unary: unaryFromProbabilities(s.probabilities) }));
  const options = { iterations: 5, bilateral: { weight: 4, xy: 10, rgb: 13 } };

  it('gives, for several images in parallel, what DenseCrf gives on this thread', async () => {
    const pool = new CrfWorkerPool({ workers: 2, crf: options });
    try {
      const results = await Promise.all(jobs.map((j) => pool.marginals(j)));
      results.forEach((q, i) => expect(q).toEqual(new DenseCrf(jobs[i] as (typeof jobs)[number], options).inference((jobs[i] as (typeof jobs)[number]).unary)));
      // The inputs were copied, not moved.
      expect(jobs[0]?.unary.length).toBe(3 * 24 * 16);
      const proposals = await pool.proposals(jobs[1] as (typeof jobs)[number], { count: 3, lambda: 0.3 });
      const job = jobs[1] as (typeof jobs)[number];
      const crf = new DenseCrf(job, options);
      expect(proposals).toEqual(divMBest(crf, job.unary, { count: 3, lambda: 0.3 }));
      // With energies: the same label maps, each with E(y) of the CRF (no diversity terms).
      const scored = await pool.scoredProposals(job, { count: 3, lambda: 0.3 });
      expect(scored.labels).toEqual(proposals);
      expect(scored.energies).toEqual(proposals.map((p) => {
        const e = crf.energy(job.unary, p);
        return e.unary + e.pairwise;
      }));
      // From network scores: what refineLogits gives here.
      const logits = job.unary.map((u) => -u);
      const refined = await pool.refine({ ...job, logits });
      expect(refined).toEqual(refineLogits({ ...job, logits }, options));
    } finally {
      await pool.close();
    }
  });

  it('rejects a bad job with its one-line message and keeps working', async () => {
    const pool = new CrfWorkerPool({ workers: 1 });
    try {
      const job = jobs[0] as (typeof jobs)[number];
      await expect(pool.marginals({ ...job, image: new Uint8Array(5) })).rejects.toThrow(`DenseCrf: image has 5 bytes, expected ${job.width}x${job.height}x3 = ${job.width * job.height * 3}`);
      expect((await pool.marginals(job, { iterations: 0 })).length).toBe(job.unary.length);
      const logits = new Float32Array(job.unary.length);
      logits[5] = Number.NaN;
      await expect(pool.refine({ ...job, logits })).rejects.toThrow('logits: NaN at class 0, pixel (5, 0); expected finite scores');
    } finally {
      await pool.close();
    }
    await expect(pool.marginals(jobs[0] as (typeof jobs)[number])).rejects.toThrow('CrfWorkerPool: closed');
    expect(() => new CrfWorkerPool({ workers: 0 })).toThrow('CrfWorkerPool: workers must be a positive integer, found 0');
  });
});
