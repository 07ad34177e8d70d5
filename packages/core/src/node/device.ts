/** The device a TensorFlow.js backend actually computes on, in words (recorded with every run). */
import { cpus } from 'node:os';
import type { BackendChoice } from '../backend.js';
import { detectGpus } from './environment.js';

/** The CPU model and core count, e.g. `AMD EPYC 7B13 (2 cores)`. */
export function cpuDevice(): string {
  const list = cpus();
  return `${list[0]?.model.trim() ?? 'unknown CPU'} (${list.length} cores)`;
}

/**
 * tfjs-node-gpu computes on the first CUDA GPU (`nvidia-smi`'s name), WebGL on the browser's GPU;
 * every other backend (tfjs-node, wasm, cpu) on the CPU.
 */
export function deviceOf(choice: Pick<BackendChoice, 'backend' | 'package'>): string {
  if (choice.package === '@tensorflow/tfjs-node-gpu') return detectGpus()[0]?.split(',')[0]?.trim() ?? 'CUDA GPU';
  if (choice.backend === 'webgl') return 'WebGL GPU';
  return cpuDevice();
}
