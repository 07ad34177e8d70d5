import { cpus, totalmem } from 'node:os';

export interface BenchReport {
  name: string;
  config: Record<string, unknown>;
  backend: string;
  machine: string;
  results: unknown;
  markdown: string;
}

/** Short machine description recorded with every benchmark. */
export function os(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** The median of `v` (the mean of the middle two for an even count; NaN when empty). */
export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}
