'use client';
import { Chart } from 'react-chartjs-2';
import { COLORS } from './chart-setup';

export interface ClassBar {
  id: number;
  name: string;
  /** IoU (or a change in pp) to draw; null = NaN, marked with a cross at zero and "(NaN)" in the label. */
  value: number | null;
}

/**
 * Per-class bars. NaN classes (absent from ground truth and prediction) get no bar, a grey cross
 * on the axis and "(NaN)" in their label, so they never read as IoU 0.
 */
export function ClassBarChart({ classes, label, unit, signedColors = false, testId }: { classes: ClassBar[]; label: string; unit: string; signedColors?: boolean; testId: string }) {
  const labels = classes.map((c) => `${c.id} ${c.name}${c.value == null ? ' (NaN)' : ''}`);
  const colors = classes.map((c) => (!signedColors ? COLORS.bar : (c.value ?? 0) >= 0 ? COLORS.up : COLORS.down));
  return (
    <div className="chart" data-testid={testId} style={{ height: Math.max(260, Math.min(600, 80 + classes.length * 14)) }}>
      <Chart
        type="bar"
        data={{
          labels,
          datasets: [
            { type: 'bar', label, data: classes.map((c) => c.value), backgroundColor: colors },
            {
              type: 'line',
              label: 'NaN: class absent from ground truth and prediction',
              data: classes.map((c) => (c.value == null ? 0 : null)),
              showLine: false,
              pointStyle: 'crossRot',
              pointRadius: 8,
              pointBorderWidth: 2,
              borderColor: COLORS.nan,
              backgroundColor: COLORS.nan,
            },
          ],
        }}
        options={{
          maintainAspectRatio: false,
          scales: { y: { title: { display: true, text: unit }, ...(signedColors ? {} : { min: 0, max: 100 }) } },
          plugins: {
            legend: { labels: { filter: (item) => item.datasetIndex === 0 || classes.some((c) => c.value == null) } },
            tooltip: {
              callbacks: {
                label: (ctx) => {
                  const c = classes[ctx.dataIndex];
                  return c == null ? '' : c.value == null ? `${c.name}: NaN (no pixels in ground truth or prediction)` : `${c.name}: ${c.value.toFixed(2)} ${unit}`;
                },
              },
            },
          },
        }}
      />
    </div>
  );
}
