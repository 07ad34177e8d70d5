/** `/sweeps/ID`: a sweep's jobs: state, attempts, the machine that ran each, its run (linked) or its error line. */
import { notFound } from 'next/navigation';
import { BadRequest, DbError, EmptyState } from '../../../components/states';
import { readDb } from '../../../lib/db';
import { commit, orDash } from '../../../lib/format';
import { parseValue, sweepId } from '../../../lib/params';
import { findSweep } from '../../../lib/runs';

export default async function SweepPage({ params }: { params: Promise<{ id: string }> }) {
  const p = parseValue(sweepId, (await params).id);
  if (!p.ok) return <BadRequest message={`sweep id: ${p.error.replace(/^parameters: /, '')}`} />;
  const r = await readDb((db) => findSweep(db, p.value));
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty') return <EmptyState database={r.database} />;
  const s = r.value;
  if (!s) notFound();
  const c = s.counts;
  return (
    <>
      <h1>
        Sweep {s.id}: {s.name} <span className="note">({s.mode})</span>
      </h1>
      <p data-testid="sweep-summary">
        {s.jobs} jobs: {c.done} done, {c.failed} failed, {c.running} running, {c.queued + c.retry} queued{c.cancelled ? `, ${c.cancelled} cancelled` : ''} · commit {commit(s.gitCommit)}
        {s.gitDirty ? ' (dirty)' : ''} · created {s.createdAt.slice(0, 19).replace('T', ' ')}
      </p>
      <table data-testid="sweep-jobs">
        <thead>
          <tr>
            <th className="n">job</th>
            <th>state</th>
            <th className="n">tries</th>
            <th>host</th>
            <th>device</th>
            <th>run</th>
            <th>command / error</th>
          </tr>
        </thead>
        <tbody>
          {s.jobList.map((j) => (
            <tr key={j.id} data-job={j.index} data-state={j.state}>
              <td className="n">{j.index}</td>
              <td>{j.state}</td>
              <td className="n">
                {j.attempts}/{j.maxAttempts}
              </td>
              <td>{orDash(j.workerHost)}</td>
              <td>{orDash(j.workerDevice ?? j.device)}</td>
              <td>{j.runId !== null ? <a href={`/runs/${j.runId}`}>run {j.runId}</a> : '–'}</td>
              <td>
                <code>{j.command}</code>
                {j.state === 'failed' && j.error ? <div className="error-line">{j.error}</div> : null}
                {j.state === 'running' && j.progress ? <div className="note">{j.progress}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
