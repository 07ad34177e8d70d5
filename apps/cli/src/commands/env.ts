import { describeEnvironment, type EnvironmentReport } from '@pixelwise/core/node';

/** Human-readable form of `pixelwise env`. */
export function formatEnvironment(r: EnvironmentReport): string {
  const lines = [
    `node        ${r.node} (${r.platform})`,
    `tfjs        ${Object.entries(r.tfjs).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'backends',
    ...r.backends.map((b) => `  ${b.available ? 'yes' : 'no '} ${b.backend.padEnd(10)} ${b.package}${b.version ? `@${b.version}` : ''}${b.reason ? ` — ${b.reason}` : ''}`),
    `auto picks  ${r.auto.backend} (${r.auto.package})`,
    `cpu         ${r.cpu.model}, ${r.cpu.cores} cores, ${r.cpu.memoryGiB} GiB`,
    `gpu         ${r.gpu.length ? r.gpu.join('; ') : 'none detected (nvidia-smi not found or no device)'}`,
  ];
  return lines.join('\n');
}

export async function envCommand(options: { json?: boolean }): Promise<void> {
  const report = await describeEnvironment();
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEnvironment(report)}\n`);
}
