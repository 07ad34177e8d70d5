'use client';
/** Registers the chart.js pieces the dashboard uses (tree-shaken build, no auto registration). */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);
Chart.defaults.animation = false; // drawn at once: screenshots and tests see the final chart
Chart.defaults.font.family = 'system-ui, sans-serif';

export const COLORS = { bar: '#1f77b4', front: '#d62728', nan: '#7f7f7f', up: '#2ca02c', down: '#d62728', line: '#9467bd' };
