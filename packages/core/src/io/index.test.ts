import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { expectBrowserSafe } from '../test-utils/browser-safe.js';
import * as io from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

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
    expectBrowserSafe(here, ['fast-png', 'fflate']);
  });

  it('uses named re-exports only in index.ts', () => {
    expect(readFileSync(join(here, 'index.ts'), 'utf8')).not.toMatch(/export \*/);
  });
});
