'use client';
import { Chart } from 'react-chartjs-2';
import { COLORS } from './chart-setup';

export interface LatencySummary {
  min: number;
  p50: number;
  mean: number;
  p90: number;
  p99: number;
  max: number;
}

/** The latency distribution as its order statistics (what a benchmark run stores), in ms. */
export function LatencyChart({ latency }: { latency: LatencySummary }) {
  const keys = ['min', 'p50', 'mean', 'p90', 'p99', 'max'] as const;
  return (
    <div className="chart small" data-testid="latency-chart">
      <Chart
        type="bar"
        data={{ labels: [...keys], datasets: [{ type: 'bar', label: 'latency ms', data: keys.map((k) => latency[k]), backgroundColor: COLORS.line }] }}
        options={{ indexAxis: 'y', maintainAspectRatio: false, scales: { x: { min: 0, title: { display: true, text: 'ms per call' } } }, plugins: { legend: { display: false } } }}
      />
    </div>
  );
}
