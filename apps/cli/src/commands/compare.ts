import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { compareRuns, getRun, getSweep, latestRunAtCommit, sweepRun, waitForSweep, resolveGitRef, runLikeFromRun, type Database, type RunLike } from '@pixelwise/db';
import { CliError } from '../errors.js';
import { COMMENT_MARKER, comparisonMarkdown } from '../db/compare-report.js';
import { postTargetFromEnv, upsertComment } from '../db/github.js';
import { withDb, writeJson } from '../db/open.js';
import { readRunFile, type RunFile } from '../db/run-file.js';
import { defineCommand, flag, type Parsed } from '../flags.js';

function fromFile(f: RunFile, file: string): RunLike {
  const name = (v: RunFile['model'] | RunFile['dataset']) => (v == null ? null : typeof v === 'string' ? v : v.name);
  return {
    label: basename(file),
    id: null,
    model: name(f.model),
    dataset: name(f.dataset),
    backend: f.backend ?? null,
    metrics: { meanIoU: f.meanIoU ?? null, pixelAccuracy: f.pixelAccuracy ?? null, meanAccuracy: f.meanAccuracy ?? null, frequencyWeightedIoU: f.frequencyWeightedIoU ?? null, vpq: f.vpq ?? null, temporalConsistency: f.temporalConsistency ?? null },
    fps: f.fps ?? (f.latency ? f.latency.fps * (f.batch ?? 1) : null),
    latency: f.latency ?? null,
    perClass: (f.perClass ?? []).map((c) => ({ id: c.id, name: c.name ?? `class ${c.id}`, iou: c.iou })),
    fpsHistory: [],
  };
}

/** REF: a run id, a `--json` output file, or a git ref (latest saved run at that commit); `db` null: files only. */
async function resolveRef(db: Database | null, ref: string, flag: string): Promise<RunLike> {
  if (existsSync(ref)) return fromFile(readRunFile(ref), ref);
  if (db === null) throw new CliError(`${flag} ${ref}: no such file`);
  if (/^\d+$/.test(ref)) return runLikeFromRun(db, await getRun(db, Number(ref)), `run ${ref}`);
  const commit = resolveGitRef(ref) ?? (/^[0-9a-f]{7,40}$/i.test(ref) ? ref : null);
  if (!commit) throw new CliError(`${flag} ${ref}: not a run id, a JSON file, or a git ref`);
  const id = await latestRunAtCommit(db, commit);
  if (id == null) throw new CliError(`${flag} ${ref}: no saved run at commit ${commit.slice(0, 12)} in ${db.location.display}`);
  return runLikeFromRun(db, await getRun(db, id), `${ref} (${commit.slice(0, 7)}, run ${id})`);
}

const FLAGS = {
  base: flag.string('the reference run: run id, git ref, or --json output file', { required: true, arg: '<ref>' }),
  head: flag.string('the run under review (default with --sweep: the sweep\'s run)', { arg: '<ref>' }),
  sweep: flag.int('the sweep that benchmarks the head (pixelwise sweep): its run is the head', 1, 2 ** 31 - 1),
  wait: flag.bool('with --sweep: wait until every job of the sweep has finished (workers run it) before comparing'),
  waitTimeout: flag.int('with --wait: give up after this many seconds', 1, 7 * 24 * 3600, { default: '3600' }),
  format: flag.choice('output format', ['md', 'json'], { default: 'md' }),
  threshold: flag.number('accuracy changes within this many percentage points (and FPS changes within this many percent) are not flagged', 0, 1e6, { closed: true, default: '1' }),
  post: flag.bool('create or update the comment on the pull request (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)'),
  pr: flag.string('pull request number for --post (default: from the GitHub event)', { arg: '<number>' }),
};

/** The run of sweep `id`, once finished (`wait`: polling until then, with progress on stderr). */
async function sweepHead(id: number, wait: boolean, timeoutSeconds: number): Promise<number> {
  return withDb(async (db) => {
    const s = wait
      ? await waitForSweep(db, id, { timeoutMs: timeoutSeconds * 1000, onProgress: (p) => process.stderr.write(`sweep ${id}: ${p.counts.done}/${p.jobs} done, ${p.counts.running} running, ${p.counts.failed} failed\n`) })
      : await getSweep(db, id);
    return sweepRun(s);
  }, { readOnly: true });
}

/** `pixelwise compare --base REF (--head REF | --sweep ID [--wait]) [--format md|json] [--threshold PCT] [--post]` */
async function compareCommand(opts: Parsed<typeof FLAGS>): Promise<void> {
  const threshold = opts.threshold;
  const target = opts.post ? postTargetFromEnv(opts.pr) : null;
  const headRef = opts.head ?? (opts.sweep !== undefined ? String(await sweepHead(opts.sweep, opts.wait === true, opts.waitTimeout)) : null);
  if (headRef === null) throw new CliError('--head: expected a run id, git ref or --json output file (or --sweep ID)');
  const both = async (db: Database | null) => [await resolveRef(db, opts.base, '--base'), await resolveRef(db, headRef, '--head')] as const;
  // Two --json files need no database; anything else reads it, read-only.
  const [base, head] = existsSync(opts.base) && existsSync(headRef) ? await both(null) : await withDb(both, { readOnly: true });
  const comparison = compareRuns(base, head, threshold, process.env.PIXELWISE_DASHBOARD_URL ?? 'http://localhost:3000');
  const md = comparisonMarkdown(comparison);
  if (opts.format === 'json') writeJson({ ...comparison, markdown: md });
  else process.stdout.write(md);
  if (target) {
    const r = await upsertComment(target, COMMENT_MARKER, md);
    process.stderr.write(`${r.action} comment on ${target.repository}#${target.pr}${r.url ? `: ${r.url}` : ''}\n`);
  }
}

export const registerCompareCommand = defineCommand({ name: 'compare', description: 'compare two runs as a pull-request comment (REF: run id, git ref, or --json output file)', flags: FLAGS, run: compareCommand });
