/** Worker thread of {@link CrfWorkerPool}: runs the CRF jobs it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { DenseCrf, divMBest } from '../crf/index.js';
import type { CrfReply, CrfTask } from './crf-pool.js';

const port = parentPort;
if (port === null) throw new Error('crf-worker must run in a worker thread');
port.on('message', (task: CrfTask) => {
  try {
    const crf = new DenseCrf(task.job, task.options);
    if (task.kind === 'marginals') {
      const marginals = crf.inference(task.job.unary);
      port.postMessage({ id: task.id, marginals } satisfies CrfReply, [marginals.buffer as ArrayBuffer]);
    } else {
      const proposals = divMBest(crf, task.job.unary, task.divmbest);
      const energyOf = (p: Uint8Array | Uint16Array) => {
        const e = crf.energy(task.job.unary, p);
        return e.unary + e.pairwise;
      };
      const energies = task.energies ? proposals.map(energyOf) : undefined;
      port.postMessage({ id: task.id, proposals, ...(energies ? { energies } : {}) } satisfies CrfReply, proposals.map((p) => p.buffer as ArrayBuffer));
    }
  } catch (e) {
    port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) } satisfies CrfReply);
  }
});
