/**
 * Issue 21, files and folders as a careless or hostile user hands them over (built binary): PNG
 * bombs and broken label PNGs in `eval`, database files and folders that cannot be written, a
 * failed `predict` or `flow` that must leave its output folder as it was, `video --save` keeping
 * its frame record with the database, and file names that are not UTF-8.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { setBackend } from '@pixelwise/core';
import { encodeLabelPng, encodePng, writeFlo } from '@pixelwise/core/io';
import { pngBomb, pngFile } from '@pixelwise/core/testing/png';
import { createModel, resetSeeds, saveWeights } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-untrusted-files-'));
chmodSync(dir, 0o755); // readable by the unprivileged user of the read-only tests
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rssFile = join(dir, 'rss.txt');
const preload = join(dir, 'rss.cjs');
writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`);

type Result = { status: number | null; stdout: string; stderr: string };
/** `pixelwise ...` on `db` (relative to the temp dir); `asUser`: run as `nobody` when this is root, so file modes bind. */
function cli(db: string, args: string[], o: { env?: Record<string, string>; asUser?: boolean; node?: string[] } = {}): Result {
  const env = { ...process.env, DATABASE_URL: `file:${join(dir, db)}`, ...o.env };
  const argv = [...(o.node ?? []), bin, ...args];
  const root = process.getuid?.() === 0;
  const r = o.asUser && root ? spawnSync('runuser', ['-u', 'nobody', '-m', '--', process.execPath, ...argv], { encoding: 'utf8', cwd: dir, env, timeout: 300_000 }) : spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: dir, env, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const put = (rel: string, bytes: Uint8Array | string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
  return join(dir, rel);
};
const failsWith = (r: Result, status: number, line: RegExp) => {
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(line);
  expect(r.status).toBe(status);
};
const zeros = (w: number, h: number) => encodeLabelPng({ width: w, height: h, data: new Uint8Array(w * h) });
/** `eval --save` of one ground-truth file against an all-zero prediction of the given size. */
const evalOne = (name: string, gt: Uint8Array, w: number, h: number, o: Parameters<typeof cli>[2] = {}) => {
  put(`${name}/gt/a.png`, gt);
  put(`${name}/pred/a.png`, zeros(w, h));
  return cli(`${name}.db`, ['eval', '--pred', join(dir, name, 'pred'), '--gt', join(dir, name, 'gt'), '--num-classes', '4', '--save'], o);
};

describe('label PNGs in eval', () => {
  it('defect 2: eval --save on a 1 GiB PNG bomb exits 2 in one line, with peak RSS under 300 MB, and saves nothing', () => {
    const r = evalOne('bomb', pngBomb(1024).png, 64, 64, { node: ['--require', preload] });
    failsWith(r, 2, /^pixelwise: .*bomb\/gt\/a\.png: corrupt PNG: too much image data: IHDR 64x64 gray 8-bit implies 4160 bytes, the IDAT stream inflates to more \(stopped after \d+\)$/);
    expect(Number(readFileSync(rssFile, 'utf8'))).toBeLessThan(300e6);
    expect(existsSync(join(dir, 'bomb.db'))).toBe(false);
  });

  it('defect 3: an Adam7-interlaced label PNG cut short (in its last pass) exits 2 naming the pass', () => {
    // 16x16 gray: the non-interlaced size (16 rows of 1 + 16 bytes) is 14 bytes short of Adam7's 286.
    const short = pngFile({ width: 16, height: 16, interlace: 1, idat: deflateSync(Buffer.alloc(16 * 17)) });
    failsWith(evalOne('adam7', short, 16, 16), 2, /adam7\/gt\/a\.png: corrupt PNG: image data is too short for 16x16 gray 8-bit \(Adam7\): it ends in pass 7 of 7, which needs 136 bytes and has 122$/);
  });

  it('defect 10: an IHDR too large to decode is one clear line', () => {
    const huge = pngFile({ width: 100_000, height: 100_000, idat: deflateSync(Buffer.alloc(64)) });
    failsWith(evalOne('huge', huge, 4, 4), 2, /huge\/gt\/a\.png: image too large: IHDR says 100000x100000 gray 8-bit, 9\.3 GiB once decoded, more than the 1\.0 GiB limit$/);
  });

  it('defect 10: a file name that is not UTF-8 is reported as such, not as "no such file"', () => {
    const name = Buffer.concat([Buffer.from(join(dir, 'latin1', 'gt', 'caf')), Buffer.from([0xe9]), Buffer.from('.png')]);
    mkdirSync(join(dir, 'latin1', 'gt'), { recursive: true });
    writeFileSync(name, zeros(4, 4));
    put('latin1/pred/a.png', zeros(4, 4));
    const r = cli('latin1.db', ['eval', '--pred', join(dir, 'latin1', 'pred'), '--gt', join(dir, 'latin1', 'gt'), '--num-classes', '4']);
    failsWith(r, 2, /latin1\/gt\/caf\\xe9\.png: the file name is not valid UTF-8, and pixelwise reads UTF-8 names only; rename it$/);
  });
});

describe('defect 8: database files and folders that cannot be written', () => {
  const importRun = (db: string, o: Parameters<typeof cli>[2] = {}) => cli(db, ['runs', 'import', put('run.json', JSON.stringify({ meanIoU: 0.5 }))], o);

  it('a database in a read-only folder: read commands work (read-only, immutable), and nothing new appears there', () => {
    expect(importRun('rodir/runs.db').status).toBe(0);
    const before = readdirSync(join(dir, 'rodir')).sort();
    chmodSync(join(dir, 'rodir'), 0o555); // and owned by root: read-only for nobody
    try {
      for (const args of [['runs'], ['leaderboard', '--format', 'json'], ['export']]) {
        const r = cli('rodir/runs.db', args, { asUser: true });
        expect(r.status, r.stderr).toBe(0);
      }
      expect(readdirSync(join(dir, 'rodir')).sort()).toEqual(before);
    } finally {
      chmodSync(join(dir, 'rodir'), 0o755);
    }
  });

  it('a read-only database file: saving fails in one line that names the cause', () => {
    expect(importRun('rofile/runs.db').status).toBe(0);
    chmodSync(join(dir, 'rofile'), 0o777);
    chmodSync(join(dir, 'rofile', 'runs.db'), 0o444);
    failsWith(importRun('rofile/runs.db', { asUser: true }), 1, /^pixelwise: could not save the run to .*rofile\/runs\.db: attempt to write a readonly database$/);
  });

  it('a dropped table: one line naming it, not an empty "pixelwise: "', async () => {
    expect(importRun('dropped.db').status).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'dropped.db'));
    db.exec('DROP TABLE "LatencyStat"');
    db.close();
    failsWith(cli('dropped.db', ['runs']), 1, /^pixelwise: .*dropped\.db: The table `main\.LatencyStat` does not exist in the current database\.$/);
  });
});

describe('outputs of failed commands, and the frame record', () => {
  beforeAll(async () => {
    await setBackend('wasm');
    resetSeeds(1);
    const m = createModel('fcn8s-lite', { numClasses: 4 });
    writeFileSync(join(dir, 'fcn8s-lite.safetensors'), saveWeights(m, { model: 'fcn8s-lite' }));
    m.dispose();
  });
  const leftovers = (parent: string) => readdirSync(parent).filter((f) => f.startsWith('.out.'));

  it('defect 9: predict over 4 images whose 3rd is corrupt leaves --out as it was', () => {
    const rgb = encodePng({ width: 32, height: 32, channels: 3, depth: 8, data: new Uint8Array(32 * 32 * 3).fill(90) });
    for (const n of ['a', 'b', 'd']) put(`pin/${n}.png`, rgb);
    put('pin/c.png', rgb.slice(0, 60)); // truncated
    put('pout/out/old.png', 'kept');
    const r = cli('p.db', ['predict', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', '--input', 'pin', '--out', 'pout/out', '--num-classes', '4', '--backend', 'wasm', '--quiet']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^pixelwise: .*pin\/c\.png: truncated PNG/);
    expect(readdirSync(join(dir, 'pout', 'out'))).toEqual(['old.png']);
    expect(leftovers(join(dir, 'pout'))).toEqual([]);
    rmSync(join(dir, 'pin', 'c.png'));
    expect(cli('p.db', ['predict', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', '--input', 'pin', '--out', 'pout/out', '--num-classes', '4', '--backend', 'wasm', '--quiet']).status).toBe(0);
    expect(readdirSync(join(dir, 'pout', 'out')).sort()).toEqual(['a.png', 'b.png', 'd.png', 'old.png']); // new maps beside the old file
  });

  it('defect 9: flow --gt with a wrong-size .flo leaves --out as it was', () => {
    expect(cli('f.db', ['data', 'synth', '--kind', 'video', '--out', 'fv', '--count', '2', '--frames', '3', '--size', '32x32', '--val', '0.5', '--quiet']).status).toBe(0);
    const gt = join(dir, 'fv', 'val', 'flow');
    const video = readdirSync(gt)[0] ?? '';
    const second = readdirSync(join(gt, video)).sort()[1] ?? '';
    put(join('fv', 'val', 'flow', video, second), writeFlo({ width: 8, height: 8, data: new Float32Array(128) }));
    put('fout/out/keep.txt', 'kept');
    const r = cli('f.db', ['flow', '--model', 'lucas-kanade', '--input', join('fv', 'val', 'images'), '--out', 'fout/out', '--gt', gt]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^pixelwise: .*\.flo: size 8x8, but the frames are 32x32$/);
    expect(readdirSync(join(dir, 'fout', 'out'))).toEqual(['keep.txt']);
    expect(leftovers(join(dir, 'fout'))).toEqual([]);
  });

  it("defect 10: video --save keeps its frame record in the database's artifact root, not in ~/.pixelwise", () => {
    expect(cli('v/runs.db', ['data', 'synth', '--kind', 'video', '--out', 'vd', '--count', '2', '--frames', '2', '--size', '40x32', '--classes', '4', '--val', '0.5', '--quiet']).status).toBe(0);
    const home = join(dir, 'home');
    const r = cli('v/runs.db', ['video', '--method', 'per-frame', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', '--data', 'vd', '--backend', 'wasm', '--warmup', '0', '--save', '--json'], { env: { HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { frameRecord: string; runId: number };
    expect(out.frameRecord.startsWith(join(dir, 'v', 'runs-artifacts', 'video-'))).toBe(true);
    const shown = JSON.parse(cli('v/runs.db', ['runs', 'show', String(out.runId), '--json']).stdout) as { artifacts: Array<{ path: string; stored: string }> };
    expect(shown.artifacts[0]?.path).toBe(out.frameRecord);
    expect(existsSync(join(home, '.pixelwise'))).toBe(false);
  });
});

