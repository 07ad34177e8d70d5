/**
 * The examples in docs/ONNX.md run as written (from packages/models, on the built packages) and
 * check their own results: the writer's example runs its file in ONNX Runtime, the backbone's
 * and the engine's compare ONNX Runtime with TensorFlow.js.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(new URL('../../../../docs/ONNX.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('docs/ONNX.md examples', () => {
  it('has the writer, the backbone and the engine example', () => {
    expect(examples).toHaveLength(3);
  });

  for (const [i, expected] of [/^labels \[ 2, 8, 8 \] \d+ bytes$/m, /^layer4 \[ 1, 128, 8, 8 \] relative difference/m, /^engine onnx \(onnxruntime-node [\d.]+, cpu execution provider, 2 threads\) \d+ bytes imagenet relative difference/m].entries()) {
    it(`example ${i + 1} runs and prints its result`, () => {
      const r = spawnSync(process.execPath, ['--input-type=module'], { cwd: pkgDir, input: examples[i], encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(expected);
    });
  }
});
