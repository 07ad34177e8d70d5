/**
 * What the sweep commands share: how a job is started (this CLI's own bin, so a worker runs the
 * pixelwise it was started as), who runs it (host, device, commit), and the status table that
 * `sweep status`, `sweep FILE` on SQLite and `compare --sweep` print.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { detectGit, HOST_ENV, type SweepDetail, type WorkerIdentity } from '@pixelwise/db';
import { textTable } from './open.js';

/** `[node, .../dist/bin.js]`: this pixelwise, whatever its install location. */
export function jobExecutable(): string[] {
  return [process.execPath, fileURLToPath(new URL('../bin.js', import.meta.url))];
}

/** This machine as a job's runner: host (PIXELWISE_HOST or the OS's name), device, commit. */
export function workerIdentity(device: string): WorkerIdentity {
  return { host: process.env[HOST_ENV] || hostname(), device, commit: detectGit()?.commit ?? null };
}

const short = (s: string | null, n: number) => (s == null ? null : s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The sweep as a table: one line per job, the failing line for failed jobs. */
export function sweepStatusText(s: SweepDetail): string {
  const c = s.counts;
  const head = `sweep ${s.id} (${s.name}, ${s.mode}${s.gitCommit ? ` at ${s.gitCommit.slice(0, 7)}${s.gitDirty ? ' dirty' : ''}` : ''}): ${s.jobs} jobs: ${c.done} done, ${c.failed} failed, ${c.running} running, ${c.queued + c.retry} queued${c.cancelled ? `, ${c.cancelled} cancelled` : ''}`;
  const rows = s.jobList.map((j) => [j.index, j.state, `${j.attempts}/${j.maxAttempts}`, j.workerHost, j.runId, short(j.state === 'failed' ? j.error : j.state === 'running' ? (j.progress ?? j.command) : j.command, 100)]);
  return `${head}\n${textTable(['job', 'state', 'tries', 'host', 'run', 'command / error'], rows)}\n`;
}
