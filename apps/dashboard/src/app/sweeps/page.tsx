/** `/sweeps`: every sweep (pixelwise sweep FILE), newest first, with its jobs per state. */
import { DbError, EmptyState } from '../../components/states';
import { readDb } from '../../lib/db';
import { commit } from '../../lib/format';

export default async function SweepsPage() {
  const r = await readDb((db, m) => m.listSweeps(db, { limit: 200 }));
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty') return <EmptyState database={r.database} />;
  const sweeps = r.value;
  return (
    <>
      <h1>Sweeps</h1>
      {sweeps.length === 0 ? (
        <p data-testid="no-sweeps">
          No sweeps yet: <code>pixelwise sweep FILE.yaml</code> queues one (docs/SWEEPS.md).
        </p>
      ) : (
        <table data-testid="sweeps">
          <thead>
            <tr>
              <th>id</th>
              <th>name</th>
              <th>mode</th>
              <th>commit</th>
              <th>created</th>
              <th className="n">jobs</th>
              <th className="n">done</th>
              <th className="n">failed</th>
              <th className="n">running</th>
              <th className="n">queued</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.map((s) => (
              <tr key={s.id} data-sweep={s.id}>
                <td>
                  <a href={`/sweeps/${s.id}`}>{s.id}</a>
                </td>
                <td>
                  <a href={`/sweeps/${s.id}`}>{s.name}</a>
                </td>
                <td>{s.mode}</td>
                <td>{commit(s.gitCommit)}</td>
                <td>{s.createdAt.slice(0, 19).replace('T', ' ')}</td>
                <td className="n">{s.jobs}</td>
                <td className="n">{s.counts.done}</td>
                <td className="n">{s.counts.failed}</td>
                <td className="n">{s.counts.running}</td>
                <td className="n">{s.counts.queued + s.counts.retry}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
