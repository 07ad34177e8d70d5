/**
 * Deep Layer Cascade speed-up (issue 5): the same trained layer-cascade weights in full mode and in
 * cascade mode at several exit thresholds rho, through `pixelwise bench --data` (timed on the data's
 * val images, mIoU and stage fractions over the whole val split). The configurations run in
 * interleaved rounds and each reports its median FPS, so the ratios come from one run on one
 * machine under the same load.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, os, type BenchReport } from './report.js';

const cliBin = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url));

export interface CascadeBenchOptions {
  model: string;
  weights: string;
  data: string;
  size: [number, number];
  rhos: number[];
  iterations: number;
  rounds: number;
  backend: string;
  /** Inference engine: tfjs (the documented wasm numbers) or onnx (ONNX Runtime's stage sessions). */
  engine: 'onnx' | 'tfjs';
  /** ONNX Runtime threads (onnx only). */
  threads?: number;
}

interface BenchJson {
  fps: number;
  latencyMs: { p50: number };
  meanIoU: number;
  stageFractions: [number, number, number];
  macsFraction: number;
  gmacsSpent: number;
  backend: string;
}

export async function benchCascade(o: CascadeBenchOptions): Promise<BenchReport> {
  const configs: { label: string; args: string[]; rho?: number }[] = [
    { label: 'full', args: ['--mode', 'full'] },
    ...o.rhos.map((rho) => ({ label: `cascade rho=${rho}`, args: ['--mode', 'cascade', '--rho', String(rho)], rho })),
  ];
  const runs = new Map<string, BenchJson[]>();
  for (let round = 0; round < o.rounds; round++) {
    // Alternate the order between rounds so no configuration always runs first or last.
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    for (const c of order) {
      const args = [cliBin, 'bench', '--model', o.model, '--weights', o.weights, '--data', o.data, '--size', `${o.size[0]}x${o.size[1]}`, '--backend', o.backend, '--engine', o.engine, ...(o.engine === 'onnx' && o.threads ? ['--threads', String(o.threads)] : []), '--iters', String(o.iterations), '--warmup', '3', '--json', ...c.args];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`pixelwise bench ${c.label} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
      runs.set(c.label, [...(runs.get(c.label) ?? []), JSON.parse(r.stdout) as BenchJson]);
      process.stderr.write(`cascade bench: round ${round + 1}/${o.rounds} ${c.label} done\n`);
    }
  }
  const fullFps = median((runs.get('full') ?? []).map((r) => r.fps));
  const fullIoU = runs.get('full')?.[0]?.meanIoU ?? NaN;
  const results = configs.map((c) => {
    const rs = runs.get(c.label) ?? [];
    const first = rs[0] as BenchJson;
    const fps = median(rs.map((r) => r.fps));
    return {
      config: c.label,
      fps,
      speedup: fps / fullFps,
      msP50: median(rs.map((r) => r.latencyMs.p50)),
      meanIoU: first.meanIoU,
      deltaIoUPoints: (first.meanIoU - fullIoU) * 100,
      stageFractions: first.stageFractions,
      macsFraction: first.macsFraction,
      gmacsSpent: first.gmacsSpent,
    };
  });
  const pct = (v: number) => (v * 100).toFixed(1);
  const rows = results.map(
    (r) =>
      `| ${r.config} | ${r.fps.toFixed(2)} | ${r.speedup.toFixed(2)}x | ${r.msP50.toFixed(1)} | ${pct(r.meanIoU)} | ${r.deltaIoUPoints >= 0 ? '+' : ''}${r.deltaIoUPoints.toFixed(2)} | ${r.stageFractions.map(pct).join(' / ')} | ${pct(r.macsFraction)}% |`,
  );
  return {
    name: 'cascade',
    config: { ...o },
    backend: runs.get('full')?.[0]?.backend ?? o.backend,
    machine: os(),
    results,
    markdown: [
      '| mode | FPS (median) | vs full | p50 ms | mIoU % | ΔmIoU (points) | pixels by stage 1 / 2 / 3 % | multiply-adds spent |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  };
}
