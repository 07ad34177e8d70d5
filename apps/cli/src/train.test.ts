/**
 * `pixelwise train` end to end on a tiny synthetic set: checkpoint files (weights, JSON sidecar,
 * optimizer state), `--resume` continuing where it stopped, `--save` writing a train run whose
 * meanIoU is the final validation mIoU, and `predict` reading the class count from the sidecar.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeLabelPng } from '@pixelwise/core/io';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });

interface TrainJson {
  epochs: number;
  numClasses: number;
  history: Array<{ epoch: number; loss: number; val?: { meanIoU: number } }>;
  runId?: number;
}

describe('pixelwise train', () => {
  it('trains, checkpoints, resumes, saves the run, and the checkpoint predicts', () => {
    expect(cli('data', 'synth', '--out', 'data', '--count', '10', '--size', '48x48', '--classes', '4', '--val', '0.2', '--quiet').status).toBe(0);
    const common = ['train', '--model', 'hypercolumn-lite', '--data', 'data', '--batch', '4', '--size', '32x32', '--out', 'ck/h.safetensors', '--seed', '1', '--json'];
    const first = cli(...common, '--epochs', '1');
    expect(first.status, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as TrainJson;
    expect(a).toMatchObject({ epochs: 1, numClasses: 4 });
    for (const f of ['h.safetensors', 'h.json', 'h.optim.safetensors']) expect(existsSync(join(dir, 'ck', f))).toBe(true);
    const sidecar = JSON.parse(readFileSync(join(dir, 'ck', 'h.json'), 'utf8')) as { model: string; numClasses: number; state: { epoch: number } };
    expect(sidecar).toMatchObject({ model: 'hypercolumn-lite', numClasses: 4, state: { epoch: 1 } });

    const second = cli(...common, '--epochs', '2', '--resume', '--save');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resuming ck\/h\.safetensors after epoch 1/);
    const b = JSON.parse(second.stdout) as TrainJson;
    expect(b.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(b.history[0]).toEqual(a.history[0]);
    expect(typeof b.runId).toBe('number');

    const runs = JSON.parse(cli('runs', '--json').stdout) as { runs: Array<{ id: number; kind: string; model: string | null; meanIoU: number | null }> };
    expect(runs.runs).toEqual([expect.objectContaining({ id: b.runId, kind: 'train', model: 'hypercolumn-lite', meanIoU: b.history[1]?.val?.meanIoU })]);

    const pred = cli('predict', '--model', 'hypercolumn-lite', '--weights', 'ck/h.safetensors', '--input', 'data/val/images', '--out', 'pred', '--quiet');
    expect(pred.status, pred.stderr).toBe(0);
    const files = readdirSync(join(dir, 'pred'));
    expect(files.length).toBe(2);
    const labels = decodeLabelPng(readFileSync(join(dir, 'pred', files[0] as string)));
    expect(labels.width).toBe(48);
    expect(Math.max(...labels.data)).toBeLessThan(4);
  });

  it('--loss iou and --loss lovasz train (the loss falls), recorded in the sidecar; --loss is for segmentation models', () => {
    for (const loss of ['iou', 'lovasz']) {
      const r = cli('train', '--model', 'hypercolumn-lite', '--data', 'data', '--epochs', '4', '--batch', '3', '--size', '32x32', '--optimizer', 'adam', '--lr', '0.001', '--loss', loss, '--seed', '1', '--no-val', '--out', `ck/${loss}.safetensors`, '--json');
      expect(r.status, r.stderr).toBe(0);
      const losses = (JSON.parse(r.stdout) as TrainJson).history.map((h) => h.loss);
      // Both losses are 1 - (a mean IoU) in [0, 1]; four epochs of eight images lower them.
      expect(losses.every((l) => l > 0 && l < 1)).toBe(true);
      expect(losses[3]).toBeLessThan((losses[0] as number) - 0.03);
      const sidecar = JSON.parse(readFileSync(join(dir, 'ck', `${loss}.json`), 'utf8')) as { config: { loss: string } };
      expect(sidecar.config.loss).toBe(loss);
    }
    // Shards would each be their own corpus: only on request, and said.
    const sharded = cli('train', '--model', 'hypercolumn-lite', '--data', 'data', '--epochs', '1', '--batch', '4', '--size', '32x32', '--loss', 'iou', '--workers', '2', '--no-val', '--out', 'ck/sharded.safetensors');
    expect(sharded.status, sharded.stderr).toBe(0);
    expect(sharded.stderr).toContain('train: warning: --loss iou over 2 shards: each is its own corpus (the IoU of the whole batch does not split)');
    const resume = cli('train', '--model', 'hypercolumn-lite', '--data', 'data', '--epochs', '5', '--batch', '3', '--size', '32x32', '--loss', 'ce', '--no-val', '--out', 'ck/iou.safetensors', '--resume');
    expect([resume.status, resume.stderr.trim().split('\n').at(-1)]).toEqual([2, 'pixelwise: ck/iou.safetensors: trained with --loss iou, not ce; resume with the same loss']);
    const flow = cli('train', '--model', 'flownets-lite', '--data', 'data', '--loss', 'iou');
    expect([flow.status, flow.stderr.trim()]).toEqual([2, 'pixelwise: --loss: applies to segmentation models only; flownets-lite is a flow model']);
  });

  it('explains an unknown model, a data directory of no known layout, and a bad flag', () => {
    expect(cli('train', '--model', 'fcn4s', '--data', 'data').stderr).toMatch(/^pixelwise: --model: unknown model 'fcn4s'/);
    const r = cli('train', '--model', 'fcn8s-lite', '--data', 'ck');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli('train', '--model', 'fcn8s-lite', '--data', 'data', '--epochs', 'many').stderr).toMatch(/--epochs: expected an integer/);
    const mode = cli('train', '--model', 'fcn8s-lite', '--data', 'data', '--mode', 'full');
    expect(mode.status).toBe(2);
    expect(mode.stderr.trim()).toBe('pixelwise: --mode applies to layer-cascade models only, not fcn8s-lite');
    const grid = cli('train', '--model', 'hypercolumn-lite', '--data', 'data', '--grid', '3');
    expect([grid.status, grid.stderr.trim()]).toEqual([2, "pixelwise: model 'hypercolumn-lite' option 'grid': grid applies to the grid classifier (classifier: grid) (its options: classifier, grid)"]);
  });

  it('--classifier grid --grid 3: the hypercolumn options go into the sidecar, and predict builds the same head from it', () => {
    const r = cli('train', '--model', 'hypercolumn-lite', '--classifier', 'grid', '--grid', '3', '--data', 'data', '--epochs', '1', '--batch', '4', '--size', '32x32', '--no-val', '--out', 'ck/grid.safetensors', '--json');
    expect(r.status, r.stderr).toBe(0);
    const sidecar = JSON.parse(readFileSync(join(dir, 'ck', 'grid.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(sidecar.options).toMatchObject({ classifier: 'grid', grid: 3 });
    const pred = cli('predict', '--model', 'hypercolumn-lite', '--weights', 'ck/grid.safetensors', '--input', 'data/val/images', '--out', 'pred-grid', '--quiet');
    expect(pred.status, pred.stderr).toBe(0);
    expect(readdirSync(join(dir, 'pred-grid'))).toHaveLength(2);
  });
});
