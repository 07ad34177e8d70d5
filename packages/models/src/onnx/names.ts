/**
 * State-dict names for ONNX node and initializer names: `backbone.layer1.0.conv1.weight` in the
 * file, as `torch.onnx` writes them, so a node can be traced to its module. Names are assigned by
 * {@link nameModules} before an export; a module exported outside one falls back to its kind.
 */
import type { Module } from '../module.js';

const names = new WeakMap<Module, string>();

/** Records the dotted name of every module below `root` (the root itself as `prefix` or `fallback`). */
export function nameModules(root: Module, prefix = ''): void {
  for (const [name, m] of root.namedModules(prefix ? `${prefix}.` : '')) if (name !== '') names.set(m, name);
}

/** The module's dotted name when known, else `fallback`. */
export function onnxName(module: Module, fallback: string): string {
  return names.get(module) ?? fallback;
}
