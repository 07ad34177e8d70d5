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
