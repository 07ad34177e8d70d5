/**
 * Sweep files: matrix expansion (cartesian product, first key slowest, excludes), the command
 * line of each job, the singleton key (same configuration + commit = same key), and one error
 * line naming the file for bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSweepFile, parseSweepSpec } from './file.js';
import { expandSweep, jobKey, queueJobId, queueName } from './spec.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-sweep-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The example file. */
const EXAMPLE = {
  command: 'bench',
  args: { iters: 2, warmup: 0 },
  matrix: { model: ['fcn8s-lite', 'pspnet-lite'], size: ['64x64', '96x96'] },
  exclude: [{ model: 'pspnet-lite', size: '64x64' }],
};

describe('expandSweep', () => {
  it('expands the matrix in order, less the excluded combinations, into pixelwise command lines ending in --save', () => {
    const jobs = expandSweep(parseSweepSpec(EXAMPLE, 'example'));
    expect(jobs.map((j) => j.argv.join(' '))).toEqual([
      'bench --iters 2 --warmup 0 --model fcn8s-lite --size 64x64 --save',
      'bench --iters 2 --warmup 0 --model fcn8s-lite --size 96x96 --save',
      'bench --iters 2 --warmup 0 --model pspnet-lite --size 96x96 --save',
    ]);
    expect(jobs.map((j) => j.index)).toEqual([1, 2, 3]);
    expect(jobs.every((j) => j.device === 'cpu' && j.tags.length === 0)).toBe(true);
  });

  it('agrees with a naive nested-loop expansion on a 3-key matrix with two excludes', () => {
    const spec = parseSweepSpec({ command: 'bench', matrix: { model: ['a', 'b'], size: ['8x8', '16x16', '32x32'], engine: ['onnx', 'tfjs'] }, exclude: [{ model: 'b', engine: 'onnx' }, { size: '16x16' }] }, 'x');
    const naive: string[] = [];
    for (const model of ['a', 'b']) for (const size of ['8x8', '16x16', '32x32']) for (const engine of ['onnx', 'tfjs']) {
      if ((model === 'b' && engine === 'onnx') || size === '16x16') continue;
      naive.push(`bench --model ${model} --size ${size} --engine ${engine} --save`);
    }
    expect(expandSweep(spec).map((j) => j.argv.join(' '))).toEqual(naive);
  });

  it('writes camelCase flags in kebab case, switches without a value, false switches not at all; a device axis picks the worker device', () => {
    const [job] = expandSweep(parseSweepSpec({ command: 'eval', args: { numClasses: 3, json: true, verbose2: false }, matrix: { device: ['webgpu'] } }, 'x'));
    expect(job?.argv).toEqual(['eval', '--num-classes', '3', '--json', '--device', 'webgpu', '--save']);
    expect(job?.device).toBe('webgpu');
  });
});

describe('singleton keys', () => {
  const [a, b] = expandSweep(parseSweepSpec(EXAMPLE, 'example'));
  const at = { commit: 'abc123', dirty: false };
  it('are equal for the same configuration at the same commit, and differ by configuration, commit or dirtiness', () => {
    if (!a || !b) throw new Error('expected jobs');
    expect(jobKey(a, at, '0.1.0')).toBe(jobKey({ ...a, argv: [...a.argv] }, at, '0.2.0'));
    expect(jobKey(a, at, '0.1.0')).not.toBe(jobKey(b, at, '0.1.0'));
    expect(jobKey(a, at, '0.1.0')).not.toBe(jobKey(a, { commit: 'abc124', dirty: false }, '0.1.0'));
    expect(jobKey(a, at, '0.1.0')).not.toBe(jobKey(a, { ...at, dirty: true }, '0.1.0'));
    expect(jobKey(a, { commit: null, dirty: false }, '0.1.0')).not.toBe(jobKey(a, { commit: null, dirty: false }, '0.2.0'));
  });
  it('give pg-boss a UUID job id and a valid queue name per device and tag set', () => {
    expect(queueJobId(jobKey(a!, at, '0.1.0'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(queueName('cpu', [])).toBe('pixelwise_cpu');
    expect(queueName('webgpu', ['b', 'a'])).toBe(queueName('webgpu', ['a', 'b']));
    expect(queueName('webgpu', ['gpu-box'])).toMatch(/^pixelwise_webgpu_[0-9a-f]{16}$/);
  });
});

describe('readSweepFile', () => {
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('reads YAML and JSON alike; the name defaults to the file name', () => {
    const y = readSweepFile(file('grid.yaml', 'command: bench\nargs: {iters: 2, warmup: 0}\nmatrix:\n  model: [fcn8s-lite, pspnet-lite]\n  size: ["64x64", "96x96"]\nexclude:\n  - {model: pspnet-lite, size: "64x64"}\n'));
    const j = readSweepFile(file('grid.json', JSON.stringify(EXAMPLE)));
    expect(y.name).toBe('grid');
    expect(expandSweep(y)).toEqual(expandSweep(j));
  });
  it.each([
    ['missing.json', null, /missing\.json: no such file/],
    ['bad.json', '{"command": ', /bad\.json: not valid JSON/],
    ['cmd.json', '{"command": "rm"}', /cmd\.json: command: /],
    ['extra.json', '{"command": "bench", "matrix": {}, "jobs": 3}', /extra\.json: unknown field\(s\) jobs/],
    ['save.json', '{"command": "bench", "args": {"save": true}}', /save\.json: args\.save: .*not set by a sweep/],
    ['excl.json', '{"command": "bench", "matrix": {"size": ["8x8"]}, "exclude": [{"model": "a"}]}', /excl\.json: exclude\.0\.model: not a matrix key/],
    ['both.json', '{"command": "bench", "args": {"size": "8x8"}, "matrix": {"size": ["8x8"]}}', /both\.json: args\.size: --size is in both args and matrix/],
    ['line.json', '{"command": "bench", "args": {"model": "a\\nb"}}', /line\.json: args\.model: expected one line/],
  ])('%s: one DbError line naming the file', (name, text, message) => {
    const p = text === null ? join(dir, name) : file(name, text);
    expect(() => readSweepFile(p)).toThrow(message);
    try {
      readSweepFile(p);
    } catch (e) {
      expect((e as Error).name).toBe('DbError');
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });
});
