import { leaderboard, LEADERBOARD_SORTS, type LeaderboardRow } from '@pixelwise/db';
import { defineCommand, flag, type Parsed } from '../flags.js';
import { mdTable } from '../db/markdown.js';
import { fmt, textTable, withDb, writeJson } from '../db/open.js';

const header = ['#', 'model', 'mIoU %', 'fps', 'p50 ms', 'GMACs', 'params M', 'backend', 'device', 'run'];
const cells = (r: LeaderboardRow) => [
  r.rank,
  r.label ?? '(no model)',
  fmt.pct(r.meanIoU),
  fmt.num(r.fps, 1),
  fmt.num(r.p50Ms),
  fmt.num(r.gmacs),
  r.params == null ? null : (r.params / 1e6).toFixed(2),
  r.backend,
  r.device,
  r.accuracyRunId != null && r.speedRunId != null && r.accuracyRunId !== r.speedRunId ? `${r.accuracyRunId}+${r.speedRunId}` : String(r.runId),
];

const FLAGS = {
  dataset: flag.string('only accuracy runs on this dataset', { arg: '<name>' }),
  backend: flag.string('only runs on this backend', { arg: '<name>' }),
  sort: flag.choice('rank by (latency and macs: lowest first)', LEADERBOARD_SORTS, { default: 'miou' }),
  family: flag.string('only models of this family', { arg: '<name>' }),
  format: flag.choice('output format', ['table', 'json', 'md'], { default: 'table' }),
  limit: flag.int('at most this many rows', 1, 1_000_000),
};

/** `pixelwise leaderboard [--dataset D] [--backend B] [--sort miou|fps] [--format table|json|md]` */
async function leaderboardCommand(opts: Parsed<typeof FLAGS>): Promise<void> {
  await withDb(async (db) => {
    const t0 = performance.now();
    const rows = await leaderboard(db, {
      sort: opts.sort,
      ...(opts.dataset ? { dataset: opts.dataset } : {}),
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...(opts.family ? { family: opts.family } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
    });
    const ms = performance.now() - t0;
    if (opts.format === 'json') {
      return writeJson({ sort: opts.sort, dataset: opts.dataset ?? null, backend: opts.backend ?? null, queryMs: Number(ms.toFixed(1)), rows });
    }
    if (opts.format === 'md') {
      process.stdout.write(`${mdTable(header, rows.map(cells), [true, false, true, true, true, true, true])}\n`);
    } else {
      process.stdout.write(`${textTable(header, rows.map(cells))}\n`);
    }
    process.stderr.write(`${rows.length} model(s), ranked by ${opts.sort}, from ${db.location.display} in ${ms.toFixed(0)} ms\n`);
  }, { readOnly: true });
}

export const registerLeaderboardCommand = defineCommand({
  name: 'leaderboard',
  description: 'best run per model from the results database: meanIoU, fps, p50 latency, GMACs, params, backend, device, run id',
  flags: FLAGS,
  run: leaderboardCommand,
});
