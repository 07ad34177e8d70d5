import { decodeRgbPng, encodePng } from '@pixelwise/core/io';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synthClasses } from './classes.js';
import { previewSheet } from './preview.js';
import { generateScene } from './synth.js';

/** `PIXELWISE_WRITE_PREVIEW=1 pnpm exec vitest run src/data/preview.test.ts` refreshes the README picture. */
const docsPreview = fileURLToPath(new URL('../../../../docs/images/synth-preview.png', import.meta.url));

describe('previewSheet', () => {
  it('tiles images above their colourised labels', () => {
    const classes = synthClasses(8);
    const samples = [1, 2, 3, 4].map((seed) => generateScene({ width: 168, height: 168, classes: 8, seed }));
    const sheet = previewSheet(samples, classes);
    expect([sheet.width, sheet.height]).toEqual([4 * 168 + 3 * 4, 2 * 168 + 4]);
    const png = encodePng({ width: sheet.width, height: sheet.height, channels: 3, depth: 8, data: sheet.data });
    expect(Buffer.compare(decodeRgbPng(png).data, sheet.data)).toBe(0);
    // Bottom-left pixel is the colour of the class at the first sample's bottom-left.
    const first = samples[0]!;
    const id = first.labels[(first.height - 1) * first.width] as number;
    const p = ((sheet.height - 1) * sheet.width) * 3;
    expect([...sheet.data.subarray(p, p + 3)]).toEqual(classes[id]!.color);
    if (process.env.PIXELWISE_WRITE_PREVIEW === '1') {
      mkdirSync(new URL('.', `file://${docsPreview}`), { recursive: true });
      writeFileSync(docsPreview, png);
      console.log(`wrote ${docsPreview} (${png.length} bytes)`);
    }
  });

  it('rejects samples of different sizes', () => {
    const a = generateScene({ width: 16, height: 16, classes: 4, seed: 1 });
    const b = generateScene({ width: 16, height: 20, classes: 4, seed: 1 });
    expect(() => previewSheet([a, b], synthClasses(4))).toThrow(/sample 1 is 16x20, expected 16x16/);
  });
});
