'use client';
import { Chart } from 'react-chartjs-2';
import { COLORS } from './chart-setup';

export interface ScatterPoint {
  model: string;
  runId: number;
  fps: number;
  miou: number;
  onFront: boolean;
}

/** FPS (x) against mIoU % (y), one point per model; the Pareto front drawn as a line. Click opens the run. */
export function FpsMiouScatter({ points }: { points: ScatterPoint[] }) {
  const front = points.filter((p) => p.onFront).sort((a, b) => a.fps - b.fps);
  const xy = (p: ScatterPoint) => ({ x: p.fps, y: p.miou * 100 });
  return (
    <div className="chart" data-testid="pareto-chart">
      <Chart
        type="scatter"
        data={{
          datasets: [
            { label: 'Pareto front', data: front.map(xy), borderColor: COLORS.front, backgroundColor: COLORS.front, showLine: true, pointRadius: 6 },
            { label: 'models', data: points.map(xy), borderColor: COLORS.bar, backgroundColor: COLORS.bar, pointRadius: 4 },
          ],
        }}
        options={{
          maintainAspectRatio: false,
          scales: { x: { title: { display: true, text: 'FPS' } }, y: { title: { display: true, text: 'mIoU %' } } },
          plugins: {
            tooltip: {
              callbacks: {
                label: (ctx) => {
                  const p = (ctx.datasetIndex === 0 ? front : points)[ctx.dataIndex];
                  return p ? `${p.model}: ${p.fps.toFixed(1)} FPS, ${(p.miou * 100).toFixed(2)}% mIoU` : '';
                },
              },
            },
          },
          onClick: (_e, elements) => {
            const el = elements[0];
            const p = el ? (el.datasetIndex === 0 ? front : points)[el.index] : undefined;
            if (p) window.location.assign(`/runs/${p.runId}`);
          },
        }}
      />
    </div>
  );
}
