import { Option, type Command } from 'commander';
import { leaderboard, LEADERBOARD_SORTS, type LeaderboardRow, type LeaderboardSort } from '@pixelwise/db';
import { mdTable } from '../db/markdown.js';
import { fmt, textTable, withDb, writeJson } from '../db/open.js';

const header = ['#', 'model', 'mIoU %', 'fps', 'p50 ms', 'GMACs', 'params M', 'backend', 'device', 'run'];
const cells = (r: LeaderboardRow) => [
  r.rank,
  r.model ?? '(no model)',
  fmt.pct(r.meanIoU),
  fmt.num(r.fps, 1),
  fmt.num(r.p50Ms),
  fmt.num(r.gmacs),
  r.params == null ? null : (r.params / 1e6).toFixed(2),
  r.backend,
  r.device,
  r.accuracyRunId != null && r.speedRunId != null && r.accuracyRunId !== r.speedRunId ? `${r.accuracyRunId}+${r.speedRunId}` : String(r.runId),
];

/** `pixelwise leaderboard [--dataset D] [--backend B] [--sort miou|fps] [--format table|json|md]` */
export function registerLeaderboardCommand(program: Command): void {
  program
    .command('leaderboard')
    .description('best run per model from the results database: meanIoU, fps, p50 latency, GMACs, params, backend, device, run id')
    .option('--dataset <name>', 'only accuracy runs on this dataset')
    .option('--backend <name>', 'only runs on this backend')
    .addOption(new Option('--sort <key>', 'rank by (latency and macs: lowest first)').choices([...LEADERBOARD_SORTS]).default('miou'))
    .option('--family <name>', 'only models of this family')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'md']).default('table'))
    .option('--limit <n>', 'at most this many rows')
    .action(async (opts: { dataset?: string; backend?: string; family?: string; sort: LeaderboardSort; format: 'table' | 'json' | 'md'; limit?: string }) => {
      await withDb(async (db) => {
        const t0 = performance.now();
        const rows = await leaderboard(db, {
          sort: opts.sort,
          ...(opts.dataset ? { dataset: opts.dataset } : {}),
          ...(opts.backend ? { backend: opts.backend } : {}),
          ...(opts.family ? { family: opts.family } : {}),
          ...(opts.limit ? { limit: Number(opts.limit) } : {}),
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
    });
}
