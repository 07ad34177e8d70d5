'use client';
import { Chart } from 'react-chartjs-2';
import { COLORS } from './chart-setup';

export interface FramePoint {
  label: string;
  ms: number;
  meanIoU: number | null;
}

/** Per frame: milliseconds (bars, left axis) and mIoU % (line, right axis; gaps where a frame has no ground truth). */
export function FrameChart({ frames }: { frames: FramePoint[] }) {
  return (
    <div className="chart" data-testid="frame-chart">
      <Chart
        type="bar"
        data={{
          labels: frames.map((f) => f.label),
          datasets: [
            { type: 'bar', label: 'ms', data: frames.map((f) => f.ms), backgroundColor: COLORS.bar, yAxisID: 'y' },
            { type: 'line', label: 'mIoU %', data: frames.map((f) => (f.meanIoU == null ? null : f.meanIoU * 100)), borderColor: COLORS.front, backgroundColor: COLORS.front, yAxisID: 'y1', spanGaps: false },
          ],
        }}
        options={{
          maintainAspectRatio: false,
          scales: {
            y: { position: 'left', min: 0, title: { display: true, text: 'ms' } },
            y1: { position: 'right', min: 0, max: 100, title: { display: true, text: 'mIoU %' }, grid: { drawOnChartArea: false } },
          },
        }}
      />
    </div>
  );
}
