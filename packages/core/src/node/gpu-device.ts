/** Whether this machine has a GPU device node for Dawn to open (Linux: /dev/dri render nodes or NVIDIA's). */
import { existsSync, readdirSync } from 'node:fs';

/** Undefined when a device may be there; else why there is none. */
export function hasGpuDevice(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  const nvidia = existsSync('/dev') && readdirSync('/dev').some((f) => /^nvidia\d+$/.test(f));
  return dri || nvidia ? undefined : 'no GPU device (/dev/dri/renderD*, /dev/nvidia*)';
}
