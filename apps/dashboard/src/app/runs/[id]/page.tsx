/** `/runs/ID`: metrics, per-class IoU, confusion matrix, latency, environment, stage views, artifacts. */
import type { ReactNode } from 'react';
import type { RunDetail } from '@pixelwise/db';
import { notFound } from 'next/navigation';
import { ClassBarChart } from '../../../components/class-iou-chart';
import { ConfusionHeatmap } from '../../../components/confusion-heatmap';
import { FrameTimeline } from '../../../components/frame-timeline';
import { LatencyChart } from '../../../components/latency-chart';
import { CascadeStageView } from '../../../components/stage-view';
import { BadRequest, DbError, EmptyState } from '../../../components/states';
import { artifactName, artifactUrl, readFrameRecord } from '../../../lib/artifacts';
import { readDb } from '../../../lib/db';
import { cappedNote, PAGE_CAPS } from '../../../lib/caps';
import { bytes, commit, iou, num, orDash, pct } from '../../../lib/format';
import { parseValue, runId } from '../../../lib/params';
import { findRun } from '../../../lib/runs';

function Kv({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <table className="kv">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function VideoView({ run }: { run: RunDetail }) {
  const a = run.artifacts.find((x) => x.kind === 'frame-record');
  if (!a) return null;
  const read = await readDb((db) => readFrameRecord(db, a));
  const rec = read.state === 'ok' ? read.value : { ok: false as const, error: read.state === 'error' ? read.message : 'the database is empty' };
  if (!rec.ok) {
    return (
      <section className="error" data-testid="frame-record-error">
        <h2>Per-frame timeline</h2>
        <p>frame-record: {rec.error}</p>
      </section>
    );
  }
  return <FrameTimeline record={rec.value} />;
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const p = parseValue(runId, (await params).id);
  if (!p.ok) return <BadRequest message={`run id: ${p.error.replace(/^parameters: /, '')}`} />;
  const r = await readDb((db) => findRun(db, p.value));
  if (r.state === 'error') return <DbError message={r.message} />;
  if (r.state === 'empty') return <EmptyState database={r.database} />;
  const run = r.value;
  if (!run) notFound();
  const isCascade = run.modelInfo?.family === 'layer-cascade' || run.artifacts.some((a) => a.kind === 'stage-map');
  const extra = Object.entries(run.extraMetrics);
  return (
    <>
      <h1>
        Run {run.id}: {run.model ?? '(no model)'} <span className="note">({run.kind})</span>
      </h1>
      <p>
        <a href={`/api/runs/${run.id}`}>JSON</a> · <a href={`/compare?head=${run.id}`}>compare with…</a>
      </p>
      <div className="grid2">
        <section>
          <h2>Metrics</h2>
          <Kv
            rows={[
              ['mean IoU %', pct(run.meanIoU)],
              ['pixel accuracy %', pct(run.pixelAccuracy)],
              ['mean accuracy %', pct(run.meanAccuracy)],
              ['frequency-weighted IoU %', pct(run.frequencyWeightedIoU)],
              ...(run.vpq != null ? ([['VPQ %', `${pct(run.vpq)} (things ${pct(run.vpqThings)}, stuff ${pct(run.vpqStuff)})`]] as Array<[string, string]>) : []),
              ...(run.temporalConsistency != null ? ([['temporal consistency %', pct(run.temporalConsistency)]] as Array<[string, string]>) : []),
              ['FPS', num(run.fps, 1)],
              ['p50 latency ms', num(run.latency?.p50)],
              ['pixels', run.numPixels == null ? '–' : run.numPixels.toLocaleString('en-US')],
              ['parameters', run.modelInfo?.params == null ? '–' : `${(run.modelInfo.params / 1e6).toFixed(2)} M`],
              ['multiply-adds', run.modelInfo?.multiplyAdds == null ? '–' : `${(run.modelInfo.multiplyAdds / 1e9).toFixed(3)} G`],
              ...extra.map(([k, v]): [string, string] => [k, v == null ? 'NaN' : String(Number(v.toPrecision(6)))]),
            ]}
          />
        </section>
        <section>
          <h2>Environment</h2>
          <Kv
            rows={[
              ['model', `${orDash(run.model)}${run.modelInfo?.family ? ` (${run.modelInfo.family})` : ''}`],
              ['dataset', orDash(run.dataset)],
              ['backend', orDash(run.backend)],
              ['device', orDash(run.device)],
              ['host', orDash(run.host)],
              ['input size', run.inputSize ? `${run.inputSize.width}×${run.inputSize.height}` : '–'],
              ['batch', orDash(run.batch)],
              ['warm-up / iterations', `${orDash(run.warmup)} / ${orDash(run.iterations)}`],
              ['commit', <code key="c">{`${commit(run.gitCommit)}${run.gitBranch ? ` (${run.gitBranch})` : ''}${run.gitDirty ? ' dirty' : ''}`}</code>],
              ['created', run.createdAt.replace('T', ' ').slice(0, 19)],
              ['command', <code key="cmd">{orDash(run.command)}</code>],
              ['tags', run.tags.length ? run.tags.join(', ') : '–'],
            ]}
          />
        </section>
      </div>
      {run.perClass.length > 0 && (
        <section>
          <h2>Per-class IoU</h2>
          {run.perClass.length <= PAGE_CAPS.chartClasses ? (
            <ClassBarChart testId="class-iou" label="IoU %" unit="IoU %" classes={run.perClass.map((c) => ({ id: c.id, name: c.name, value: c.iou == null ? null : c.iou * 100 }))} />
          ) : (
            <p className="note">{`No chart for ${run.perClass.length.toLocaleString('en-US')} classes (at most ${PAGE_CAPS.chartClasses} are drawn).`}</p>
          )}
          <table data-testid="class-table">
            <thead>
              <tr>
                <th className="n">id</th>
                <th>class</th>
                <th className="n">IoU %</th>
                <th className="n">accuracy %</th>
                <th className="n">gt pixels</th>
                <th className="n">pred pixels</th>
              </tr>
            </thead>
            <tbody>
              {run.perClass.slice(0, PAGE_CAPS.tableClasses).map((c) => (
                <tr key={c.id}>
                  <td className="n">{c.id}</td>
                  <td>{c.name}</td>
                  <td className={`n${c.iou == null ? ' nan' : ''}`}>{iou(c.iou)}</td>
                  <td className={`n${c.accuracy == null ? ' nan' : ''}`}>{iou(c.accuracy)}</td>
                  <td className="n">{c.gtPixels.toLocaleString('en-US')}</td>
                  <td className="n">{c.predPixels.toLocaleString('en-US')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {run.perClass.some((c) => c.iou == null) && <p className="note">NaN: the class is absent from both ground truth and prediction, and left out of the means.</p>}
          {cappedNote(PAGE_CAPS.tableClasses, run.perClass.length, 'Per-class table', `/api/runs/${run.id}`) && <p className="note">{cappedNote(PAGE_CAPS.tableClasses, run.perClass.length, 'Per-class table', `/api/runs/${run.id}`)}</p>}
        </section>
      )}
      {run.confusion && (
        <section>
          <h2>Confusion matrix</h2>
          {run.confusion.numClasses <= PAGE_CAPS.heatmapClasses ? (
            <ConfusionHeatmap numClasses={run.confusion.numClasses} counts={run.confusion.counts} names={run.datasetInfo?.classNames.length ? run.datasetInfo.classNames : run.perClass.map((c) => c.name)} />
          ) : (
            <p className="note">{`${run.confusion.numClasses} classes: more than the ${PAGE_CAPS.heatmapClasses} a heatmap shows; the matrix is in /api/runs/${run.id}.`}</p>
          )}
        </section>
      )}
      {run.latency && (
        <section>
          <h2>Latency</h2>
          <LatencyChart latency={run.latency} />
          <p className="note">
            {run.latency.iterations} timed calls after {run.latency.warmup} warm-up; mean {num(run.latency.mean)} ± {num(run.latency.std)} ms; {num(run.latency.fps, 1)} calls/s
            {run.batch && run.batch > 1 ? ` × batch ${run.batch}` : ''}.
          </p>
        </section>
      )}
      {isCascade && run.stages.length > 0 && <CascadeStageView run={run} />}
      <VideoView run={run} />
      {!isCascade && run.stages.length > 0 && (
        <section>
          <h2>Stages</h2>
          <table>
            <thead>
              <tr>
                <th className="n">stage</th>
                <th>name</th>
                <th className="n">share %</th>
                <th className="n">multiply-adds M</th>
                <th className="n">ms</th>
              </tr>
            </thead>
            <tbody>
              {run.stages.map((s) => (
                <tr key={s.stage}>
                  <td className="n">{s.stage}</td>
                  <td>{orDash(s.name)}</td>
                  <td className="n">{pct(s.pixelFraction, 1)}</td>
                  <td className="n">{s.multiplyAdds == null ? '–' : (s.multiplyAdds / 1e6).toFixed(1)}</td>
                  <td className="n">{num(s.latencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section>
        <h2>Artifacts</h2>
        {run.artifacts.length === 0 ? (
          <p className="note">None.</p>
        ) : (
          <table data-testid="artifacts">
            <thead>
              <tr>
                <th>kind</th>
                <th>file</th>
                <th>type</th>
                <th className="n">size</th>
              </tr>
            </thead>
            <tbody>
              {run.artifacts.map((a, i) => (
                <tr key={i}>
                  <td>{a.kind}</td>
                  <td>
                    <a href={artifactUrl(run.id, i)}>{artifactName(a)}</a>
                  </td>
                  <td>{a.mime ?? 'application/octet-stream'}</td>
                  <td className="n">{bytes(a.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
