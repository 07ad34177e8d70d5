import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import * as api from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const src = dirname(here);

/** Every source file `index.ts` reaches through relative imports, with its import specifiers. */
function reachable(): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1] as string);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(join(here, 'index.ts'));
  return seen;
}

describe('@pixelwise/core/onnx', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(api).sort()).toEqual(['IR_VERSION', 'OPSET_VERSION', 'OnnxGraph', 'attr', 'onnx']);
    expect(Object.keys(api.onnx).sort()).toEqual(
      [
        'adaptiveAveragePool', 'add', 'argMax', 'averagePool', 'batchNormalization', 'broadcastDims', 'cast', 'clip', 'concat', 'conv', 'convTranspose',
        'crop', 'foldBatchNorm', 'fromPixelRows', 'gatherRows', 'gatherTaps', 'globalAveragePool', 'greaterOrEqual', 'hardSigmoid', 'hardSwish',
        'indicesToSwitches', 'matMul', 'maxPool', 'maxPoolWithIndices', 'maxUnpool', 'mul', 'onnxPads', 'pad', 'pixelRows', 'reduceMax', 'regionConv',
        'regionConvMatrix', 'regionTaps', 'relu', 'reshape', 'resize', 'scatterRows', 'separable', 'shapeWithSpatial', 'sigmoid', 'slice', 'softmax', 'sub',
        'switchesToIndices', 'topProbability', 'transpose', 'zeroRows',
      ].sort(),
    );
  });

  it('runs in browsers: only relative imports, none of TensorFlow.js, no Node built-ins', () => {
    const files = reachable();
    expect(files.size).toBeGreaterThan(10);
    for (const [file, specs] of files) {
      const name = relative(src, file);
      for (const s of specs) expect([name, s]).toEqual([name, s.startsWith('./') || s.startsWith('../') ? s : 'a relative import']);
      expect([name, specs.some((s) => /(^|\/)tf\.js$|backend/.test(s))]).toEqual([name, false]);
      const code = readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
      expect([name, /\b(Buffer|process|require)\b|import\(/.test(code)]).toEqual([name, false]);
    }
  });
});
