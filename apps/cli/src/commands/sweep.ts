/**
 * `pixelwise sweep FILE [--dry-run] [--json]`, `sweep status ID`, `sweep cancel ID`, `sweep list`
 * (docs/SWEEPS.md). On PostgreSQL the jobs go to the queue for `pixelwise worker`; on SQLite this
 * process runs them itself, one after another, and prints the same status.
 */
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { cancelSweep, detectGit, expandSweep, getSweep, jobCommandLine, listSweeps, readSweepFile, runLocalSweep, submitSweep } from '@pixelwise/db';
import { CliError } from '../errors.js';
import { textTable, withDb, writeJson } from '../db/open.js';
import { jobExecutable, sweepStatusText, workerIdentity } from '../db/sweep-report.js';
import { flag, parseFlags, registerFlags } from '../flags.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const SUBMIT_FLAGS = {
  dryRun: flag.bool('print the jobs the file expands to; record and run nothing'),
  json: flag.bool('print one JSON object: {"sweepId", "jobs", ...}'),
};
const JSON_FLAG = { json: flag.bool('print one JSON object') };

function sweepId(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new CliError(`sweep id: expected a positive integer, got '${value}'`);
  return Number(value);
}

async function submit(file: string, raw: Record<string, unknown>): Promise<void> {
  const o = parseFlags(SUBMIT_FLAGS, raw);
  const spec = readSweepFile(file); // bad input fails before the database is touched
  if (o.dryRun) {
    const jobs = expandSweep(spec);
    if (o.json) return writeJson({ name: spec.name, jobs: jobs.length, commands: jobs.map((j) => ({ index: j.index, argv: j.argv, device: j.device, tags: j.tags })) });
    process.stdout.write(`${jobs.map((j) => `${j.index}\t${jobCommandLine(j.argv)}`).join('\n')}\n`);
    process.stderr.write(`${jobs.length} jobs (dry run: nothing recorded)\n`);
    return;
  }
  const git = detectGit();
  const failed = await withDb(async (db) => {
    const r = await submitSweep(db, spec, { commit: git?.commit ?? null, dirty: git?.dirty ?? false, version });
    const existing = r.existing ? ` (${r.existing} already recorded at this commit: not enqueued again)` : '';
    process.stderr.write(`sweep ${r.sweepId}: ${r.jobs} new job(s)${existing}${r.mode === 'queue' ? `, ${r.enqueued} enqueued for pixelwise worker` : r.refs.some((j) => j.state !== 'done' && j.state !== 'failed' && j.state !== 'cancelled') ? ', running them here' : ''}\n`);
    if (r.mode === 'local') {
      await runLocalSweep(db, r.refs, { who: workerIdentity('cpu'), executable: jobExecutable(), env: process.env, log: (l) => process.stderr.write(`${l}\n`) });
    }
    const s = await getSweep(db, r.sweepId);
    if (o.json) writeJson({ sweepId: r.sweepId, jobs: r.jobs, existing: r.existing, enqueued: r.enqueued, mode: r.mode, counts: s.counts });
    else if (r.mode === 'local') process.stdout.write(sweepStatusText(s));
    else process.stdout.write(`${r.sweepId}\n`);
    return r.mode === 'local' ? s.counts.failed : 0;
  });
  if (failed > 0) throw new CliError(`sweep: ${failed} job(s) failed (pixelwise sweep status shows their error lines)`, 1);
}

/** `pixelwise sweep ...` */
export function registerSweep(program: Command): void {
  const sweep = registerFlags(
    program.command('sweep').argument('<file>', 'sweep file (.json, .yaml or .yml)').description('expand a sweep file into pixelwise command lines and queue them (PostgreSQL) or run them here (SQLite); sweep status|cancel|list'),
    SUBMIT_FLAGS,
  ).action(submit);

  registerFlags(sweep.command('status <id>').description('each job of a sweep: queued, running, done (with its run) or failed (with its error line)'), JSON_FLAG).action(
    async (id: string, _raw: unknown, cmd: Command) => {
      // --json before or after the subcommand (the parent has its own --json).
      const o = parseFlags(JSON_FLAG, cmd.optsWithGlobals());
      await withDb(async (db) => {
        const s = await getSweep(db, sweepId(id));
        if (o.json) writeJson(s);
        else process.stdout.write(sweepStatusText(s));
      }, { readOnly: true });
    },
  );

  sweep
    .command('cancel <id>')
    .description('cancel the unfinished jobs of a sweep (a running job is stopped at its next heartbeat)')
    .action(async (id: string) => {
      await withDb(async (db) => {
        const n = await cancelSweep(db, sweepId(id));
        process.stdout.write(`sweep ${id}: ${n} job(s) cancelled\n`);
      });
    });

  registerFlags(sweep.command('list').description('sweeps, newest first, with their job counts'), JSON_FLAG).action(async (_raw: unknown, cmd: Command) => {
    const o = parseFlags(JSON_FLAG, cmd.optsWithGlobals());
    await withDb(async (db) => {
      const rows = await listSweeps(db);
      if (o.json) return writeJson({ sweeps: rows });
      process.stdout.write(
        `${textTable(
          ['id', 'name', 'mode', 'commit', 'jobs', 'done', 'failed', 'running', 'queued'],
          rows.map((s) => [s.id, s.name, s.mode, s.gitCommit?.slice(0, 7) ?? null, s.jobs, s.counts.done, s.counts.failed, s.counts.running, s.counts.queued + s.counts.retry]),
        )}\n`,
      );
    }, { readOnly: true });
  });
}
