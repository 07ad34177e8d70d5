/** What `pixelwise bench` prints: its JSON result and the human-readable lines. */
export interface BenchResult {
  model: string;
  /** Inference engine: onnx (ONNX Runtime) or tfjs (TensorFlow.js). */
  engine: 'onnx' | 'tfjs';
  /** `onnx-cpu`, `onnx-webgpu`, or the TensorFlow.js backend. */
  backend: string;
  /** ONNX Runtime's execution provider. */
  executionProvider?: string;
  /** Threads of one inference (ONNX Runtime's intra-op threads; TensorFlow.js wasm: 1). */
  threads: number;
  device: string;
  /** `[width, height]` (as `--size` is written). */
  size: [number, number];
  batch: number;
  params: number;
  gmacs: number;
  fps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number };
  warmup: number;
  iterations: number;
  meanIoU?: number;
  /** Deep Layer Cascade: inference mode and exit threshold. */
  mode?: 'cascade' | 'full';
  rho?: number;
  /** Share of pixels labelled by stage 1, 2, 3 (with --data: over its val split). */
  stageFractions?: number[];
  /** Multiply-adds actually spent per image (cascade: the regions that ran), and its share of `gmacs`. */
  gmacsSpent?: number;
  macsFraction?: number;
  runId?: number | string;
}

export function formatBench(res: BenchResult, previews: string | undefined): string {
  const [w, h] = res.size;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const lines = [
    `${res.model} on ${res.backend}${res.engine === 'onnx' ? ` (${res.threads} thread${res.threads === 1 ? '' : 's'})` : ''}, ${w}x${h} batch ${res.batch}: p50 ${res.latencyMs.p50.toFixed(1)} ms, p90 ${res.latencyMs.p90.toFixed(1)} ms, ${res.fps.toFixed(2)} FPS; ${(res.params / 1e6).toFixed(2)} M params, ${res.gmacs.toFixed(2)} GMACs${res.meanIoU !== undefined ? `; mIoU ${(res.meanIoU * 100).toFixed(2)}` : ''}`,
  ];
  if (res.stageFractions) {
    lines.push(`${res.mode} mode, rho ${res.rho ?? ''}: pixels labelled by stage 1/2/3 ${res.stageFractions.map(pct).join(' / ')}; ${res.gmacsSpent?.toFixed(2) ?? ''} GMACs spent (${pct(res.macsFraction ?? 1)} of full)`);
  }
  if (previews !== undefined) lines.push(`previews written to ${previews}`);
  if (res.runId !== undefined) lines.push(`saved run ${res.runId}`);
  return `${lines.join('\n')}\n`;
}
