/**
 * `pixelwise eval` against the Python way (issue 3): 48 Cityscapes-size (2048x1024) prediction /
 * ground-truth label PNG pairs, evaluated as whole processes:
 *   - `node apps/cli/dist/bin.js eval --json` (worker threads, the default; and `--workers 0`),
 *   - the same library calls without the CLI (eval-process.ts), and `pixelwise --version` (CLI start-up alone),
 *   - `/usr/bin/python3 eval_pillow.py`: Pillow decoding + numpy.bincount (Debian python3-pil, python3-numpy).
 * Rounds are interleaved (node, node single-thread, python, per round) so machine noise hits all alike.
 * Both must report the same mIoU and pixel accuracy.
 *
 * Also the confusion-matrix accumulation alone on one core (decoded maps in memory), against the
 * plain `bins[gt * C + pred]++` loop, and on salt-and-pepper noise (the worst case for run detection).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLabelPng } from '@pixelwise/core/io';
import { ConfusionMatrix, summarizeLatencies, type LatencyStats } from '@pixelwise/eval';
import { readLabelPng } from '@pixelwise/eval/node';
import { os, type BenchReport } from './report.js';

export interface EvalBenchOptions {
  pairs: number;
  width: number;
  height: number;
  numClasses: number;
  rounds: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

/**
 * A street-scene-like label map: nearest of 80 seeds (computed at 1/4 resolution, upsampled),
 * with a void band at the bottom (ego vehicle); the prediction moves the seeds a little and
 * relabels a few regions, so boundaries and some whole segments are wrong.
 */
export function syntheticPair(o: EvalBenchOptions, seed: number): { gt: Uint8Array; pred: Uint8Array } {
  const r = rng(seed);
  const seeds = Array.from({ length: 80 }, () => ({ x: r() * o.width, y: r() * o.height, c: Math.floor(r() * o.numClasses) }));
  const moved = seeds.map((s) => ({ x: s.x + (r() - 0.5) * 40, y: s.y + (r() - 0.5) * 40, c: r() < 0.1 ? Math.floor(r() * o.numClasses) : s.c }));
  const render = (pts: typeof seeds, voidRows: number): Uint8Array => {
    const w4 = o.width / 4;
    const h4 = o.height / 4;
    const small = new Uint8Array(w4 * h4);
    for (let y = 0; y < h4; y++) {
      for (let x = 0; x < w4; x++) {
        let best = 0;
        let bd = Infinity;
        pts.forEach((p, k) => {
          const d = (4 * x - p.x) ** 2 + (4 * y - p.y) ** 2;
          if (d < bd) {
            bd = d;
            best = k;
          }
        });
        small[y * w4 + x] = pts[best]?.c ?? 0;
      }
    }
    const out = new Uint8Array(o.width * o.height);
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) out[y * o.width + x] = y >= o.height - voidRows ? 255 : (small[(y >> 2) * w4 + (x >> 2)] as number);
    }
    return out;
  };
  return { gt: render(seeds, 80), pred: render(moved, 0) };
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

interface Run {
  ms: number;
  meanIoU: number;
  pixelAccuracy: number;
}

function timeProcess(cmd: string, args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  if (!r.stdout.startsWith('{')) return { ms, meanIoU: Number.NaN, pixelAccuracy: Number.NaN };
  const out = JSON.parse(r.stdout) as { meanIoU: number; pixelAccuracy: number };
  return { ms, meanIoU: out.meanIoU, pixelAccuracy: out.pixelAccuracy };
}

/** Mpixel/s of `fn` over the pairs, best of `rounds` passes after one warm-up pass. */
function throughput(pairs: Array<{ gt: Uint8Array; pred: Uint8Array }>, rounds: number, fn: (gt: Uint8Array, pred: Uint8Array) => void): LatencyStats & { mpxPerS: number } {
  const pixels = pairs.reduce((s, p) => s + p.gt.length, 0);
  for (const p of pairs) fn(p.gt, p.pred);
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    for (const p of pairs) fn(p.gt, p.pred);
    ms.push(performance.now() - t0);
  }
  const st = summarizeLatencies(ms, 1);
  return { ...st, mpxPerS: pixels / (st.p50 * 1e3) };
}

/** The textbook loop: `bins[gt * C + pred]++` into a Float64Array, skipping the ignore index. */
function plainBincount(c: number): (gt: Uint8Array, pred: Uint8Array) => void {
  const bins = new Float64Array(c * c);
  return (gt, pred) => {
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i] as number;
      if (g === 255) continue;
      const k = g * c + (pred[i] as number);
      bins[k] = (bins[k] as number) + 1;
    }
  };
}

export async function benchEvalVsPillow(o: EvalBenchOptions): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'pixelwise-eval-bench-'));
  const cli = here('../../apps/cli/dist/bin.js');
  const py = here('../src/eval_pillow.py');
  try {
    mkdirSync(join(dir, 'gt'));
    mkdirSync(join(dir, 'pred'));
    for (let i = 0; i < o.pairs; i++) {
      const { gt, pred } = syntheticPair(o, 1000 + i);
      const name = `frame_${String(i).padStart(4, '0')}.png`;
      writeFileSync(join(dir, 'gt', name), encodeLabelPng({ width: o.width, height: o.height, data: gt }));
      writeFileSync(join(dir, 'pred', name), encodeLabelPng({ width: o.width, height: o.height, data: pred }));
      process.stderr.write(`\reval-vs-pillow: wrote ${i + 1}/${o.pairs} pairs`);
    }
    process.stderr.write('\n');
    const args = ['eval', '--pred', join(dir, 'pred'), '--gt', join(dir, 'gt'), '--num-classes', String(o.numClasses), '--json'];
    const variants: Record<string, () => Run> = {
      node: () => timeProcess(process.execPath, [cli, ...args]),
      'node --workers 0': () => timeProcess(process.execPath, [cli, ...args, '--workers', '0']),
      'node, library only (no CLI)': () => timeProcess(process.execPath, [here('./eval-process.js'), join(dir, 'pred'), join(dir, 'gt'), String(o.numClasses)]),
      python: () => timeProcess('/usr/bin/python3', [py, join(dir, 'pred'), join(dir, 'gt'), String(o.numClasses)]),
      // What the CLI pays before any evaluation starts (module loading of every command).
      'pixelwise --version (startup only)': () => timeProcess(process.execPath, [cli, '--version']),
    };
    const times: Record<string, number[]> = {};
    const results: Record<string, Run> = {};
    for (let round = -1; round < o.rounds; round++) {
      for (const [name, run] of Object.entries(variants)) {
        const r = run();
        results[name] = r;
        if (round >= 0) (times[name] ??= []).push(r.ms);
      }
      process.stderr.write(`\reval-vs-pillow: round ${round + 1}/${o.rounds}`);
    }
    process.stderr.write('\n');
    const node = results.node as Run;
    const python = results.python as Run;
    if (Math.abs(node.meanIoU - python.meanIoU) > 1e-12 || Math.abs(node.pixelAccuracy - python.pixelAccuracy) > 1e-12) {
      throw new Error(`node and python disagree: mIoU ${node.meanIoU} vs ${python.meanIoU}, pixel accuracy ${node.pixelAccuracy} vs ${python.pixelAccuracy}`);
    }
    const stats = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarizeLatencies(v)]));

    // Accumulation alone, one core: decoded maps in memory.
    const decoded = Array.from({ length: Math.min(o.pairs, 16) }, (_, i) => {
      const name = `frame_${String(i).padStart(4, '0')}.png`;
      return { gt: readLabelPng(join(dir, 'gt', name)).data as Uint8Array, pred: readLabelPng(join(dir, 'pred', name)).data as Uint8Array };
    });
    const noisy = decoded.slice(0, 4).map(({ gt, pred }) => {
      const r = rng(7);
      const p = pred.slice();
      for (let i = 0; i < p.length; i++) if (r() < 0.05) p[i] = Math.floor(r() * o.numClasses);
      return { gt, pred: p };
    });
    const cm = new ConfusionMatrix({ numClasses: o.numClasses });
    const acc = {
      'ConfusionMatrix.add, street-like maps': throughput(decoded, o.rounds, (g, p) => cm.add(g, p)),
      'plain bins[gt*C+pred]++, street-like maps': throughput(decoded, o.rounds, plainBincount(o.numClasses)),
      'ConfusionMatrix.add, 5% salt noise on predictions': throughput(noisy, o.rounds, (g, p) => cm.add(g, p)),
      'plain bins[gt*C+pred]++, 5% salt noise': throughput(noisy, o.rounds, plainBincount(o.numClasses)),
    };
    const pyOut = JSON.parse(spawnSync('/usr/bin/python3', [py, join(dir, 'pred'), join(dir, 'gt'), String(o.numClasses)], { encoding: 'utf8' }).stdout) as {
      decodeSeconds: number;
      accumulateSeconds: number;
      numPixels: number;
    };
    const pyAcc = (o.pairs * o.width * o.height) / (pyOut.accumulateSeconds * 1e6);

    const ratio = (a: string) => ((stats[a]?.p50 ?? NaN) / (stats.python?.p50 ?? NaN)).toFixed(2);
    const md = [
      `| whole process (${o.pairs} pairs ${o.width}x${o.height}) | p50 ms | min ms | max ms | / python (p50) |`,
      '| --- | ---: | ---: | ---: | ---: |',
      ...Object.entries(stats).map(([k, s]) => `| ${k} | ${s.p50.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} | ${ratio(k)} |`),
      '',
      `Both report mIoU ${node.meanIoU.toFixed(6)}, pixel accuracy ${node.pixelAccuracy.toFixed(6)} (equal to 1e-12).`,
      `Python split: decoding ${(pyOut.decodeSeconds * 1000).toFixed(0)} ms, numpy.bincount ${(pyOut.accumulateSeconds * 1000).toFixed(0)} ms (${pyAcc.toFixed(0)} Mpixel/s).`,
      '',
      '| accumulation alone, one core | Mpixel/s (p50) |',
      '| --- | ---: |',
      ...Object.entries(acc).map(([k, s]) => `| ${k} | ${s.mpxPerS.toFixed(0)} |`),
    ].join('\n');
    return {
      name: 'eval-vs-pillow',
      config: { ...o },
      backend: 'none (no TensorFlow.js)',
      machine: os(),
      results: { processes: stats, accumulation: acc, python: pyOut, agreement: { meanIoU: node.meanIoU, pixelAccuracy: node.pixelAccuracy } },
      markdown: md,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
