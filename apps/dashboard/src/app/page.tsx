/** `/`: best run per model (sortable, filterable), FPS against mIoU with the Pareto front, recent runs. */
import type { LeaderboardSort } from '@pixelwise/db';
import { FpsMiouScatter } from '../components/scatter-chart';
import { BadRequest, DbError, EmptyState } from '../components/states';
import { readDb } from '../lib/db';
import { commit, num, orDash, pct } from '../lib/format';
import { paretoFront } from '../lib/pareto';
import { parseQuery, querySchemas, type LeaderboardQuery } from '../lib/params';

type Search = Promise<Record<string, string | string[] | undefined>>;

const SORTABLE: Array<{ key: LeaderboardSort; label: string; title: string }> = [
  { key: 'miou', label: 'mIoU %', title: 'best meanIoU first' },
  { key: 'fps', label: 'FPS', title: 'fastest first' },
  { key: 'latency', label: 'p50 ms', title: 'lowest p50 latency first' },
  { key: 'macs', label: 'GMACs', title: 'fewest multiply-adds first' },
];

function href(q: LeaderboardQuery, sort: LeaderboardSort): string {
  const p = new URLSearchParams({ sort });
  for (const k of ['dataset', 'backend', 'family'] as const) if (q[k]) p.set(k, q[k]);
  return `/?${p.toString()}`;
}

export default async function LeaderboardPage({ searchParams }: { searchParams: Search }) {
  const q = parseQuery((await querySchemas()).leaderboardQuery, await searchParams);
  if (!q.ok) return <BadRequest message={q.error} />;
  const query = q.value;
  const r = await readDb(async (db, m) => {
    const [rows, facets, total, recent] = await Promise.all([
      m.leaderboard(db, {
        sort: query.sort,
        limit: query.limit,
        ...(query.dataset ? { dataset: query.dataset } : {}),
        ...(query.backend ? { backend: query.backend } : {}),
        ...(query.family ? { family: query.family } : {}),
      }),
      m.leaderboardFacets(db),
      m.countRuns(db),
      m.listRuns(db, { limit: 15 }),
    ]);
    return { rows, facets, total, recent };
  });
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty' || r.value.total === 0) return <EmptyState database={r.database} />;
  const { rows, facets, total, recent } = r.value;
  const points = rows.filter((x) => x.fps != null && x.meanIoU != null).map((x) => ({ model: x.label ?? '(no model)', runId: x.runId, fps: x.fps ?? 0, miou: x.meanIoU ?? 0, x: x.fps ?? 0, y: x.meanIoU ?? 0 }));
  const front = new Set(paretoFront(points));
  const select = (name: 'dataset' | 'backend' | 'family', values: string[]) => (
    <label>
      {name}
      <select name={name} defaultValue={query[name] ?? ''}>
        <option value="">all</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      <h1>Leaderboard</h1>
      <p className="note">
        Best run per model from {total.toLocaleString('en-US')} run(s) in <code>{r.database}</code>. Accuracy and speed come from each model&apos;s best accuracy run and best speed
        run.
      </p>
      <form className="filters" method="get" action="/">
        <input type="hidden" name="sort" value={query.sort} />
        {select('dataset', facets.datasets)}
        {select('backend', facets.backends)}
        {select('family', facets.families)}
        <button type="submit">Filter</button>
      </form>
      <table data-testid="leaderboard">
        <thead>
          <tr>
            <th className="n">#</th>
            <th>model</th>
            <th>family</th>
            {SORTABLE.map((s) => (
              <th key={s.key} className="n" {...(query.sort === s.key ? { 'aria-sort': s.key === 'miou' || s.key === 'fps' ? ('descending' as const) : ('ascending' as const) } : {})}>
                <a href={href(query, s.key)} title={s.title} data-sort={s.key}>
                  {s.label}
                  {query.sort === s.key ? ' ▼' : ''}
                </a>
              </th>
            ))}
            <th className="n">params M</th>
            <th>backend</th>
            <th>device</th>
            <th>dataset</th>
            <th>runs</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={`${x.model}-${x.runId}`} data-model={x.model ?? ''}>
              <td className="n">{x.rank}</td>
              <td>
                <a href={`/runs/${x.runId}`}>{x.label ?? '(no model)'}</a>
              </td>
              <td>{orDash(x.family)}</td>
              <td className="n">{pct(x.meanIoU)}</td>
              <td className="n">{num(x.fps, 1)}</td>
              <td className="n">{num(x.p50Ms)}</td>
              <td className="n">{num(x.gmacs, 3)}</td>
              <td className="n">{x.params == null ? '–' : (x.params / 1e6).toFixed(2)}</td>
              <td>{orDash(x.backend)}</td>
              <td>{orDash(x.device)}</td>
              <td>{orDash(x.dataset)}</td>
              <td>
                {x.accuracyRunId != null && <a href={`/runs/${x.accuracyRunId}`}>accuracy #{x.accuracyRunId}</a>} {x.speedRunId != null && <a href={`/runs/${x.speedRunId}`}>speed #{x.speedRunId}</a>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>No model matches these filters.</p>}
      <h2>FPS against mIoU</h2>
      {points.length ? (
        <>
          <FpsMiouScatter points={points.map((p) => ({ model: p.model, runId: p.runId, fps: p.fps, miou: p.miou, onFront: front.has(p) }))} />
          <p className="note">
            Pareto front (red): {[...front].sort((a, b) => a.fps - b.fps).map((p) => p.model).join(' → ')}. No other model is both faster and more accurate than these.
          </p>
        </>
      ) : (
        <p className="note">No model has both an accuracy run and a speed run yet.</p>
      )}
      <h2>Recent runs</h2>
      <table data-testid="recent-runs">
        <thead>
          <tr>
            <th className="n">id</th>
            <th>kind</th>
            <th>created</th>
            <th>model</th>
            <th>dataset</th>
            <th>backend</th>
            <th className="n">mIoU %</th>
            <th className="n">FPS</th>
            <th>commit</th>
          </tr>
        </thead>
        <tbody>
          {recent.map((x) => (
            <tr key={x.id}>
              <td className="n">
                <a href={`/runs/${x.id}`}>{x.id}</a>
              </td>
              <td>{x.kind}</td>
              <td>{x.createdAt.slice(0, 19).replace('T', ' ')}</td>
              <td>{orDash(x.model)}</td>
              <td>{orDash(x.dataset)}</td>
              <td>{orDash(x.backend)}</td>
              <td className="n">{pct(x.meanIoU)}</td>
              <td className="n">{num(x.fps, 1)}</td>
              <td>
                <code>{commit(x.gitCommit)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
