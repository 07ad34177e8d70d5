import { describeEnvironment, type EnvironmentReport } from '@pixelwise/core/node';
import { describeOnnxRuntime, type EngineAvailability } from '@pixelwise/models/node';

/** `pixelwise env --json`: the environment report with the inference engines and their execution providers. */
export type EnvReport = EnvironmentReport & { engines: EngineAvailability[]; defaultEngine: 'onnx' | 'tfjs' };

const yes = (ok: boolean) => (ok ? 'yes' : 'no ');

/** Human-readable form of `pixelwise env`. */
export function formatEnvironment(r: EnvReport): string {
  const lines = [
    `node        ${r.node} (${r.platform})`,
    `tfjs        ${Object.entries(r.tfjs).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'backends',
    ...r.backends.map((b) => `  ${yes(b.available)} ${b.backend.padEnd(10)} ${b.package}${b.version ? `@${b.version}` : ''}${b.reason ? ` — ${b.reason}` : ''}`),
    `auto picks  ${r.auto.backend} (${r.auto.package})`,
    'engines',
    ...r.engines.flatMap((e) => [
      `  ${yes(e.available)} ${e.engine.padEnd(10)} ${e.runtime}${e.reason ? ` — ${e.reason}` : ''}`,
      ...(e.providers ?? []).map((p) => `      ${yes(p.available)} ${p.name.padEnd(9)} execution provider${p.reason ? ` — ${p.reason}` : ''}`),
    ]),
    `engine      ${r.defaultEngine} by default (--engine onnx|tfjs)`,
    `cpu         ${r.cpu.model}, ${r.cpu.cores} cores, ${r.cpu.memoryGiB} GiB`,
    `gpu         ${r.gpu.length ? r.gpu.join('; ') : 'none detected (nvidia-smi not found or no device)'}`,
  ];
  return lines.join('\n');
}

export async function envCommand(options: { json?: boolean }): Promise<void> {
  const base = await describeEnvironment();
  const onnx = await describeOnnxRuntime();
  const tfjs: EngineAvailability = { engine: 'tfjs', runtime: `tfjs ${base.tfjs['tfjs-core'] ?? ''}`.trim(), available: true };
  const report: EnvReport = { ...base, engines: [tfjs, onnx], defaultEngine: onnx.available ? 'onnx' : 'tfjs' };
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEnvironment(report)}\n`);
}
