import type { FrameRecord } from '../lib/artifacts';
import { num } from '../lib/format';
import { FrameChart } from './frame-chart';

/** Clockwork / TDNet: which stages or sub-networks ran on each frame, with ms and mIoU per frame. */
export function FrameTimeline({ record }: { record: FrameRecord }) {
  const frames = record.frames;
  const multiVideo = new Set(frames.map((f) => f.video)).size > 1;
  const label = (f: FrameRecord['frames'][number]) => (multiVideo ? `${f.video}:${f.frame}` : String(f.frame));
  return (
    <section data-testid="frame-timeline">
      <h2>
        Per-frame timeline: {record.method}
        {record.schedule ? ` (${record.schedule} schedule)` : ''}
      </h2>
      <div className="scroll">
        <table className="timeline">
          <thead>
            <tr>
              <th>frame</th>
              {frames.map((f, i) => (
                <th key={i} title={`${f.video} frame ${f.frame}`}>
                  {label(f)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {record.units.map((u, k) => (
              <tr key={u}>
                <th>{u}</th>
                {frames.map((f, i) => {
                  const ran = f.ran.includes(u);
                  return <td key={i} className={ran ? `ran u${k % 6}` : 'idle'} title={`${f.video} frame ${f.frame}: ${u} ${ran ? 'ran' : 'reused'}`} />;
                })}
              </tr>
            ))}
            <tr>
              <th>ms</th>
              {frames.map((f, i) => (
                <td key={i} className="val">
                  {num(f.ms, 1)}
                </td>
              ))}
            </tr>
            <tr>
              <th>mIoU %</th>
              {frames.map((f, i) => (
                <td key={i} className="val">
                  {f.meanIoU == null ? '–' : (f.meanIoU * 100).toFixed(1)}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <FrameChart frames={frames.map((f) => ({ label: label(f), ms: f.ms, meanIoU: f.meanIoU }))} />
    </section>
  );
}
