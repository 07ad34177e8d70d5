import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * Asserts that every source file (not test) in `dir` imports only its own folder's files and
 * the packages in `external`, and uses no Node globals (`Buffer`, `process`, `require`) or
 * dynamic imports: the subpath then bundles for browsers and workers.
 */
export function expectBrowserSafe(dir: string, external: readonly string[] = []): void {
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(sources.length).toBeGreaterThan(5);
  for (const file of sources) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
      const spec = m[1] ?? '';
      expect([file, spec.startsWith('./') || external.includes(spec)]).toEqual([file, true]);
    }
    expect([file, /\b(Buffer|process|require)\b|import\(/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))]).toEqual([file, false]);
  }
}
