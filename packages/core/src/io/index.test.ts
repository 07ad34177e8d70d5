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
        'bf16ToF32',
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
        'toFloat32',
        'vocPalette',
        'writeFlo',
        'writeNpy',
        'writeSafetensors',
      ].sort(),
    );
  });

  it('runs in browsers: no Node built-ins, no TensorFlow.js, only fast-png from outside', () => {
    expectBrowserSafe(here, ['fast-png']);
  });

  it('uses named re-exports only in index.ts', () => {
    expect(readFileSync(join(here, 'index.ts'), 'utf8')).not.toMatch(/export \*/);
  });
});
