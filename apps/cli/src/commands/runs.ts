import type { Command } from 'commander';
import { getRun, listRuns, RUN_KINDS, saveRun } from '@pixelwise/db';
import { CliError } from '../errors.js';
import { fmt, textTable, withDb, writeJson } from '../db/open.js';
import { readRunFile, runInputFromFile } from '../db/run-file.js';
import { flag, parseFlags, registerFlags } from '../flags.js';

/** `--json` given before or after the subcommand (`runs --json show 3` or `runs show 3 --json`). */
const wantsJson = (cmd: Command): boolean => Boolean((cmd.optsWithGlobals() as { json?: boolean }).json);

const LIST_FLAGS = {
  json: flag.bool('print one JSON object'),
  limit: flag.int('at most this many runs', 1, 1_000_000, { default: '50' }),
  kind: flag.choice('only runs of this kind', RUN_KINDS),
};

const IMPORT_FLAGS = {
  kind: flag.choice('run kind (default: eval, or bench for a latency-only file)', RUN_KINDS),
  model: flag.string('model name (overrides the file)', { arg: '<name>' }),
  dataset: flag.string('dataset name (overrides the file)', { arg: '<name>' }),
  backend: flag.string('backend (overrides the file)', { arg: '<name>' }),
  tag: flag.list('tags to attach'),
};

function runId(value: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`run id: expected a positive integer, got '${value}'`);
  return Number(value);
}

/** `pixelwise runs [--json]`, `runs show ID`, `runs import FILE`. */
export function registerRunsCommands(program: Command): void {
  const runs = registerFlags(program.command('runs').description('list saved runs, newest first (runs show ID, runs import FILE)'), LIST_FLAGS).action(
    async (raw: Record<string, unknown>) => {
      const opts = parseFlags(LIST_FLAGS, raw);
      const limit = opts.limit;
      await withDb(async (db) => {
        const rows = await listRuns(db, { limit, ...(opts.kind ? { kind: opts.kind } : {}) });
        if (opts.json) return writeJson({ database: db.location.display, runs: rows });
        process.stdout.write(
          `${textTable(
            ['id', 'kind', 'created', 'model', 'dataset', 'backend', 'mIoU %', 'fps', 'p50 ms', 'commit'],
            rows.map((r) => [r.id, r.kind, r.createdAt.slice(0, 19).replace('T', ' '), r.model, r.dataset, r.backend, fmt.pct(r.meanIoU), fmt.num(r.fps, 1), fmt.num(r.p50Ms), fmt.commit(r.gitCommit)]),
          )}\n`,
        );
        if (rows.length === 0) process.stderr.write(`no runs in ${db.location.display} yet\n`);
      }, { readOnly: true });
    },
  );

  runs
    .command('show <id>')
    .description('one run with everything saved with it (--json for one JSON object)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const n = runId(id);
      const json = wantsJson(cmd);
      await withDb(async (db) => {
        const r = await getRun(db, n);
        if (json) return writeJson(r);
        const lines = [
          `run ${r.id} (${r.kind}) ${r.createdAt}`,
          `model     ${r.model ?? '-'}${r.modelInfo?.family ? ` (${r.modelInfo.family})` : ''}`,
          `dataset   ${r.dataset ?? '-'}`,
          `backend   ${r.backend ?? '-'} on ${r.device ?? '-'}${r.host ? ` (host ${r.host})` : ''}${r.sweepJobId ? `, sweep job #${r.sweepJobId}` : ''}`,
          `git       ${r.gitCommit ?? '-'}${r.gitBranch ? ` (${r.gitBranch})` : ''}${r.gitDirty ? ' dirty' : ''}`,
          `meanIoU   ${fmt.pct(r.meanIoU) ?? '-'} %   pixel accuracy ${fmt.pct(r.pixelAccuracy) ?? '-'} %   fps ${fmt.num(r.fps, 1) ?? '-'}`,
        ];
        if (r.perClass.length) {
          lines.push('', textTable(['id', 'class', 'IoU %', 'acc %'], r.perClass.map((c) => [c.id, c.name, fmt.pct(c.iou), fmt.pct(c.accuracy)])));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }, { readOnly: true });
    });

  registerFlags(runs.command('import <file>').description('save a run from an `eval --json` (or bench) output file'), IMPORT_FLAGS).action(
    async (file: string, raw: Record<string, unknown>, cmd: Command) => {
      const opts = parseFlags(IMPORT_FLAGS, raw);
      const json = wantsJson(cmd);
      const parsed = readRunFile(file); // bad input fails before the database is touched
      const input = runInputFromFile(parsed, {
        ...(opts.kind ? { kind: opts.kind } : {}),
        ...(opts.model ? { model: opts.model } : {}),
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
        ...(opts.backend ? { backend: opts.backend } : {}),
        ...(opts.tag.length ? { tags: opts.tag } : {}),
        command: `pixelwise runs import ${file}`,
      });
      await withDb(async (db) => {
        const { id } = await saveRun(db, input);
        if (json) writeJson({ id });
        else process.stdout.write(`saved run ${id}\n`);
        process.stderr.write(`run ${id} saved to ${db.location.display}\n`);
      });
    },
  );
}
