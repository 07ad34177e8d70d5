import type { RunDetail } from '@pixelwise/db';
import { artifactUrl, cascadeViews, STAGE_COLORS } from '../lib/artifacts';
import { num } from '../lib/format';

/** Deep Layer Cascade: image, prediction and stage map side by side, the stage legend and per-stage pixel fractions. */
export function CascadeStageView({ run }: { run: RunDetail }) {
  const views = cascadeViews(run.artifacts);
  const macs = run.extraMetrics.macsFractionOfFull;
  const rho = run.extraMetrics.rho;
  return (
    <section data-testid="stage-view">
      <h2>Stages</h2>
      <div className="legend" data-testid="stage-legend">
        {run.stages.map((s) => (
          <span key={s.stage} className="legend-item">
            <span className="swatch" style={{ background: STAGE_COLORS[s.stage] ?? '#000' }} />
            {s.name ?? `stage ${s.stage}`}: {(s.pixelFraction * 100).toFixed(1)}% of pixels
            {s.multiplyAdds != null ? `, ${(s.multiplyAdds / 1e6).toFixed(1)} M multiply-adds` : ''}
          </span>
        ))}
        <span className="legend-item">
          <span className="swatch" style={{ background: '#000' }} />
          no label
        </span>
      </div>
      <div className="fractions" title="share of pixels labelled by each stage">
        {run.stages.map((s) => (
          <span key={s.stage} style={{ width: `${s.pixelFraction * 100}%`, background: STAGE_COLORS[s.stage] ?? '#000' }} />
        ))}
      </div>
      {(macs != null || rho != null) && (
        <p>
          {macs != null && <>Multiply-adds spent: {(macs * 100).toFixed(1)}% of the full network. </>}
          {rho != null && <>Confidence threshold ρ = {num(rho, 3)}.</>}
        </p>
      )}
      {views.map((v, i) => (
        <div className="triptych" key={i}>
          {(
            [
              ['image', v.image],
              ['prediction', v.prediction],
              ['stage map', v.stageMap],
            ] as const
          ).map(([label, index]) => (
            <figure key={label}>
              {index === undefined ? <div className="missing">no {label}</div> : <img src={artifactUrl(run.id, index)} alt={`${label} ${i + 1}`} data-kind={label} />}
              <figcaption>{label}</figcaption>
            </figure>
          ))}
        </div>
      ))}
    </section>
  );
}
