import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import * as io from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('@pixelwise/core/io', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(io).sort()).toEqual(
      [
        'FormatError',
        'PyDict',
        'PyObject',
        'TorchTensor',
        'bf16ToF32',
        'checkpointMetadata',
        'decodeLabelPng',
        'decodePng',
        'decodeRgbPng',
        'encodeLabelPng',
        'encodePng',
        'f16ToF32',
        'f32ToBf16',
        'f32ToF16',
        'readFlo',
        'readNpy',
        'readSafetensors',
        'readTorchCheckpoint',
        'stateDictOf',
        'toFloat32',
        'torchToSafetensors',
        'vocPalette',
        'weightsFormat',
        'writeFlo',
        'writeNpy',
        'writeSafetensors',
      ].sort(),
    );
  });

  it('runs in browsers: no Node built-ins, no TensorFlow.js, only fast-png and fflate from outside', () => {
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(join(here, file), 'utf8');
      const imports = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect([file, spec]).toEqual([file, spec?.startsWith('./') || spec === 'fflate' ? spec : 'fast-png']);
      expect([file, /\b(Buffer|process|require)\b|import\(/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))]).toEqual([file, false]);
    }
  });

  it('uses named re-exports only in index.ts', () => {
    expect(readFileSync(join(here, 'index.ts'), 'utf8')).not.toMatch(/export \*/);
  });
});
