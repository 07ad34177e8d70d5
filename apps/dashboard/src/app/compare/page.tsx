/** `/compare?base=ID&head=ID[&threshold=PCT]`: two runs side by side, per-class IoU deltas, the `pixelwise compare` verdict. */
import type { Comparison, RunLike } from '@pixelwise/db';
import { ClassBarChart } from '../../components/class-iou-chart';
import { BadRequest, DbError, EmptyState } from '../../components/states';
import { compareById } from '../../lib/compare';
import { loadDbModule, readDb } from '../../lib/db';
import { cappedNote, PAGE_CAPS } from '../../lib/caps';
import { iou, num, orDash, pct } from '../../lib/format';
import { compareQuery, parseQuery } from '../../lib/params';

type Search = Promise<Record<string, string | string[] | undefined>>;

async function Picker({ base, head }: { base?: string; head?: string }) {
  const r = await readDb((db, m) => m.listRuns(db, { limit: 500 }));
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty' || r.value.length === 0) return <EmptyState database={r.database} />;
  const options = r.value.map((x) => (
    <option key={x.id} value={x.id}>
      {`#${x.id} ${x.kind} ${x.model ?? ''} ${x.meanIoU != null ? `mIoU ${pct(x.meanIoU)}` : ''} ${x.fps != null ? `${x.fps.toFixed(1)} FPS` : ''}`}
    </option>
  ));
  return (
    <>
      <h1>Compare two runs</h1>
      <form className="filters" method="get" action="/compare">
        <label>
          base
          <select name="base" defaultValue={base ?? String(r.value[1]?.id ?? r.value[0]?.id ?? '')}>
            {options}
          </select>
        </label>
        <label>
          head
          <select name="head" defaultValue={head ?? String(r.value[0]?.id ?? '')}>
            {options}
          </select>
        </label>
        <label>
          threshold (pp)
          <input name="threshold" defaultValue="1" size={4} />
        </label>
        <button type="submit">Compare</button>
      </form>
    </>
  );
}

function Side({ run, title }: { run: RunLike; title: string }) {
  return (
    <section data-testid={`side-${title}`}>
      <h2>
        {title}: {run.id != null ? <a href={`/runs/${run.id}`}>{run.label}</a> : run.label}
      </h2>
      <table className="kv">
        <tbody>
          <tr>
            <th>model</th>
            <td>{orDash(run.model)}</td>
          </tr>
          <tr>
            <th>dataset</th>
            <td>{orDash(run.dataset)}</td>
          </tr>
          <tr>
            <th>backend</th>
            <td>{orDash(run.backend)}</td>
          </tr>
          <tr>
            <th>mean IoU %</th>
            <td>{pct(run.metrics.meanIoU)}</td>
          </tr>
          <tr>
            <th>FPS</th>
            <td>{num(run.fps, 1)}</td>
          </tr>
          <tr>
            <th>p50 latency ms</th>
            <td>{num(run.latency?.p50)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function Verdict({ c }: { c: Comparison }) {
  return (
    <p className={`verdict ${c.verdict.replace(/ /g, '-')}`} data-testid="verdict">
      <strong>{c.verdict[0]?.toUpperCase() + c.verdict.slice(1)}</strong>: <span data-testid="verdict-summary">{c.summary}</span>.
    </p>
  );
}

export default async function ComparePage({ searchParams }: { searchParams: Search }) {
  const raw = await searchParams;
  if (raw.base === undefined || raw.head === undefined) {
    return <Picker {...(typeof raw.base === 'string' ? { base: raw.base } : {})} {...(typeof raw.head === 'string' ? { head: raw.head } : {})} />;
  }
  const q = parseQuery(compareQuery, raw);
  if (!q.ok) return <BadRequest message={q.error} />;
  const { base, head, threshold } = q.value;
  const r = await readDb((db) => compareById(db, base, head, threshold));
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty') return <EmptyState database={r.database} />;
  if ('missing' in r.value) return <BadRequest message={`no run with id ${r.value.missing}`} />;
  const c = r.value.comparison;
  const { classDeltas, signed } = await loadDbModule();
  const deltas = classDeltas(c.base, c.head);
  return (
    <>
      <h1>
        Compare run {base} → run {head}
      </h1>
      <Verdict c={c} />
      <p className="note">
        The verdict of <code>{`pixelwise compare --base ${base} --head ${head} --threshold ${threshold}`}</code>: metrics beyond {threshold} pp are flagged; FPS beyond the measured noise band.
      </p>
      <div className="grid2">
        <Side run={c.base} title="base" />
        <Side run={c.head} title="head" />
      </div>
      <h2>Metrics</h2>
      <table data-testid="compare-metrics">
        <thead>
          <tr>
            <th>metric</th>
            <th className="n">base</th>
            <th className="n">head</th>
            <th className="n">Δ</th>
          </tr>
        </thead>
        <tbody>
          {c.metrics.map((m) => (
            <tr key={m.name}>
              <td>{m.name} %</td>
              <td className="n">{pct(m.base)}</td>
              <td className="n">{pct(m.head)}</td>
              <td className={`n ${m.significant ? ((m.deltaPp ?? 0) < 0 ? 'down' : 'up') : ''}`}>{m.deltaPp == null ? '–' : `${signed(m.deltaPp)} pp${m.significant ? ' ⚠' : ''}`}</td>
            </tr>
          ))}
          {c.speed && (
            <tr>
              <td>FPS</td>
              <td className="n">{c.speed.baseFps.toFixed(1)}</td>
              <td className="n">{c.speed.headFps.toFixed(1)}</td>
              <td className={`n ${c.speed.significant ? (c.speed.deltaPct < 0 ? 'down' : 'up') : ''}`}>
                {signed(c.speed.deltaPct, 1)}%{c.speed.significant ? ' ⚠' : ' (noise)'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {c.speed && (
        <p className="note">
          FPS changes within ±{c.speed.noisePct.toFixed(1)}% are treated as noise ({c.speed.noiseSource}).
        </p>
      )}
      {deltas.length > 0 && (
        <>
          <h2>Per-class IoU change (head − base)</h2>
          {deltas.length <= PAGE_CAPS.chartClasses && <ClassBarChart testId="class-deltas" label="Δ IoU pp" unit="pp" signedColors classes={deltas.map((d) => ({ id: d.id, name: d.name, value: d.deltaPp }))} />}
          <table data-testid="class-delta-table">
            <thead>
              <tr>
                <th className="n">id</th>
                <th>class</th>
                <th className="n">base IoU %</th>
                <th className="n">head IoU %</th>
                <th className="n">Δ pp</th>
              </tr>
            </thead>
            <tbody>
              {deltas.slice(0, PAGE_CAPS.tableClasses).map((d) => (
                <tr key={d.id}>
                  <td className="n">{d.id}</td>
                  <td>{d.name}</td>
                  <td className="n">{iou(d.base)}</td>
                  <td className="n">{iou(d.head)}</td>
                  <td className={`n ${d.deltaPp != null && Math.abs(d.deltaPp) > threshold ? (d.deltaPp < 0 ? 'down' : 'up') : ''}`}>{d.deltaPp == null ? '–' : signed(d.deltaPp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {cappedNote(PAGE_CAPS.tableClasses, deltas.length, 'Per-class changes', `/api/compare?base=${base}&head=${head}`) && (
            <p className="note">{cappedNote(PAGE_CAPS.tableClasses, deltas.length, 'Per-class changes', `/api/compare?base=${base}&head=${head}`)}</p>
          )}
        </>
      )}
    </>
  );
}
