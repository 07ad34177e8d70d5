import { readFileSync } from 'node:fs';
import { readNpy } from '@pixelwise/core/io';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix, MAX_DENSE_CLASSES, type LabelArray } from './confusion-matrix.js';
import { LabelError } from './label-error.js';
import { formatMetricsTable, segmentationMetrics } from './segmentation-metrics.js';

/** Independent reference: a Map keyed by "gt,pred", written the obvious way. */
function naive(gt: ArrayLike<number>, pred: ArrayLike<number>, c: number, ignore: number | null): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i] as number;
    if (g === ignore) continue;
    const p = pred[i] === ignore ? c : (pred[i] as number);
    m.set(`${g},${p}`, (m.get(`${g},${p}`) ?? 0) + 1);
  }
  return m;
}

function cellsOf(cm: ConfusionMatrix): Map<string, number> {
  return new Map(cm.toData().cells.map(([g, p, n]) => [`${g},${p}`, n]));
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

/** Piecewise-constant rows with occasional single-pixel noise: exercises runs and run breaks. */
function labelPair(n: number, c: number, seed: number, ignore: number): [Uint8Array, Uint8Array] {
  const r = rng(seed);
  const gt = new Uint8Array(n);
  const pred = new Uint8Array(n);
  let g = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (r() < 0.08) g = r() < 0.1 ? ignore : Math.floor(r() * c);
    if (r() < 0.1) p = r() < 0.05 ? ignore : Math.floor(r() * c);
    gt[i] = g;
    pred[i] = r() < 0.03 ? Math.floor(r() * c) : p;
  }
  return [gt, pred];
}

describe('ConfusionMatrix: hand-computed cases', () => {
  it('counts a 2x3 image into the right cells and derives every metric', () => {
    // gt   0 0 1      pred 0 1 1
    //      1 2 255         1 0 2
    const cm = new ConfusionMatrix({ numClasses: 3 });
    expect(cm.add(Uint8Array.of(0, 0, 1, 1, 2, 255), Uint8Array.of(0, 1, 1, 1, 0, 2))).toBe(5);
    expect(cm.toDense()).toEqual(Float64Array.of(1, 1, 0, 0, 2, 0, 1, 0, 0));
    const m = segmentationMetrics(cm, ['a', 'b', 'c']);
    expect(m.numPixels).toBe(5);
    expect(m.pixelAccuracy).toBeCloseTo(3 / 5, 15);
    // IoU: a = 1/(2+2-1) = 1/3, b = 2/(2+3-2) = 2/3, c = 0/(1+0-0) = 0
    expect(m.perClass.map((c) => c.iou)).toEqual([1 / 3, 2 / 3, 0]);
    expect(m.meanIoU).toBeCloseTo(1 / 3, 15);
    // accuracy (recall): a 1/2, b 2/2, c 0/1; precision: a 1/2, b 2/3, c NaN (never predicted)
    expect(m.perClass.map((c) => c.accuracy)).toEqual([0.5, 1, 0]);
    expect(m.meanAccuracy).toBeCloseTo(0.5, 15);
    expect(m.perClass[1]?.precision).toBeCloseTo(2 / 3, 15);
    expect(m.perClass[2]?.precision).toBeNaN();
    expect(m.meanPrecision).toBeCloseTo((0.5 + 2 / 3) / 2, 15);
    // Dice: 2*1/4, 2*2/5, 0
    expect(m.perClass.map((c) => c.dice)).toEqual([0.5, 0.8, 0]);
    // fwIoU: 2/5 * 1/3 + 2/5 * 2/3 + 1/5 * 0
    expect(m.frequencyWeightedIoU).toBeCloseTo(0.4, 15);
    expect(m.perClass.map((c) => [c.gtPixels, c.predPixels])).toEqual([[2, 2], [2, 3], [1, 0]]);
  });

  it('absent classes: NaN when absent from both, 0 when only predicted; left out of the means', () => {
    const cm = new ConfusionMatrix({ numClasses: 4 });
    cm.add(Uint8Array.of(0, 0, 1, 1), Uint8Array.of(0, 3, 1, 1));
    const m = segmentationMetrics(cm);
    expect(m.perClass[2]?.iou).toBeNaN(); // absent from both
    expect(m.perClass[2]?.dice).toBeNaN();
    expect(m.perClass[3]?.iou).toBe(0); // predicted, never in ground truth
    expect(m.perClass[3]?.accuracy).toBeNaN();
    expect(m.meanIoU).toBeCloseTo((1 / 2 + 1 + 0) / 3, 15);
    expect(m.meanAccuracy).toBeCloseTo((1 / 2 + 1) / 2, 15);
    const json = JSON.parse(JSON.stringify(m)) as { perClass: Array<{ iou: number | null }> };
    expect(json.perClass[2]?.iou).toBeNull();
  });

  it('an all-ignore image counts nothing; metrics are NaN, not 0', () => {
    const cm = new ConfusionMatrix({ numClasses: 2, ignoreIndex: 255 });
    expect(cm.add(new Uint8Array(64).fill(255), new Uint8Array(64).fill(1))).toBe(0);
    const m = segmentationMetrics(cm);
    expect(m.numPixels).toBe(0);
    expect(m.pixelAccuracy).toBeNaN();
    expect(m.meanIoU).toBeNaN();
    expect(m.perClass.every((c) => Number.isNaN(c.iou))).toBe(true);
  });

  it('a single pixel', () => {
    const right = new ConfusionMatrix({ numClasses: 2 });
    right.add(Uint8Array.of(1), Uint8Array.of(1));
    expect(segmentationMetrics(right)).toMatchObject({ pixelAccuracy: 1, meanIoU: 1, numPixels: 1 });
    const wrong = new ConfusionMatrix({ numClasses: 2 });
    wrong.add(Uint8Array.of(1), Uint8Array.of(0));
    const m = segmentationMetrics(wrong);
    expect(m.pixelAccuracy).toBe(0);
    expect(m.perClass.map((c) => c.iou)).toEqual([0, 0]);
  });

  it('a prediction equal to the ignore index is a miss for the ground-truth class only', () => {
    const cm = new ConfusionMatrix({ numClasses: 2 });
    cm.add(Uint8Array.of(0, 0, 1, 1), Uint8Array.of(0, 255, 1, 1));
    expect(cm.count(0, 2)).toBe(1);
    const m = segmentationMetrics(cm);
    expect(m.perClass[0]).toMatchObject({ gtPixels: 2, predPixels: 1, iou: 0.5, accuracy: 0.5, precision: 1 });
    expect(m.pixelAccuracy).toBe(0.75);
    expect(m.unpredictedPixels).toBe(1);
  });

  it('16-bit labels with 300 classes and ignore index 65535', () => {
    const cm = new ConfusionMatrix({ numClasses: 300, ignoreIndex: 65535 });
    cm.add(Uint16Array.of(299, 299, 256, 65535), Uint16Array.of(299, 256, 256, 3));
    expect(cm.count(299, 299)).toBe(1);
    expect(cm.count(299, 256)).toBe(1);
    expect(cm.count(256, 256)).toBe(1);
    const m = segmentationMetrics(cm);
    expect(m.perClass[299]?.iou).toBe(0.5);
    expect(m.perClass[256]?.iou).toBe(0.5);
    expect(m.meanIoU).toBe(0.5); // the other 298 classes are absent
  });

  it('65535 classes (sparse storage) agree with the definition', () => {
    const cm = new ConfusionMatrix({ numClasses: 65535, ignoreIndex: null });
    cm.add(Uint16Array.of(65534, 65534, 0, 7), Uint16Array.of(65534, 0, 0, 65534));
    expect(cm.numPixels).toBe(4);
    const m = segmentationMetrics(cm);
    expect(m.perClass[65534]?.iou).toBeCloseTo(1 / 3, 15); // 1 / (2 + 2 - 1)
    expect(m.perClass[0]?.iou).toBe(0.5);
    expect(m.perClass[7]?.iou).toBe(0);
    expect(() => cm.toDense()).toThrow(/too large/);
  });
});

describe('ConfusionMatrix: input checks', () => {
  it('a label id >= numClasses names the file, the pixel and the id; nothing is counted', () => {
    const cm = new ConfusionMatrix({ numClasses: 21 });
    const gt = new Uint8Array(40).fill(3);
    const pred = new Uint8Array(40).fill(3);
    gt[13] = 37;
    const add = () => cm.add(gt, pred, { width: 8, gtSource: 'gt/a.png', predSource: 'pred/a.png' });
    expect(add).toThrow(LabelError);
    expect(add).toThrow('gt/a.png: ground-truth label 37 at pixel (5, 1) is not a class id (0..20) nor the ignore index 255');
    gt[13] = 3;
    pred[39] = 21;
    expect(add).toThrow('pred/a.png: predicted label 21 at pixel (7, 4) is not a class id (0..20) nor the ignore index 255');
    expect(cm.numPixels).toBe(0);
    expect(cm.toData().cells).toEqual([]);
    pred[39] = 3;
    expect(add()).toBe(40); // the scratch space was cleaned after the errors
    expect(cm.toData().cells).toEqual([[3, 3, 40]]);
  });

  it('16-bit and negative ids are checked too', () => {
    const cm = new ConfusionMatrix({ numClasses: 10, ignoreIndex: -1 });
    expect(() => cm.add(Int16Array.of(-1, 10), Int16Array.of(0, 0))).toThrow(/ground-truth label 10 at index 1/);
    expect(() => cm.add(Int16Array.of(-1, 2), Int16Array.of(0, -2))).toThrow(/predicted label -2/);
    expect(cm.add(Int16Array.of(-1, 2), Int16Array.of(0, -1))).toBe(1);
  });

  it('sizes must match', () => {
    const cm = new ConfusionMatrix({ numClasses: 2 });
    expect(() => cm.add(new Uint8Array(4), new Uint8Array(5), { predSource: 'p.png' })).toThrow(
      'p.png: size mismatch: ground truth has 4 pixels, prediction has 5',
    );
  });

  it('rejects bad options', () => {
    expect(() => new ConfusionMatrix({ numClasses: 0 })).toThrow(/1\.\.65535/);
    expect(() => new ConfusionMatrix({ numClasses: 65536 })).toThrow(/1\.\.65535/);
    expect(() => new ConfusionMatrix({ numClasses: 300 })).toThrow(/ignoreIndex 255 is a class id/);
  });
});

describe('ConfusionMatrix: against an independent implementation', () => {
  it('the 8-bit fast path equals a naive count, for aligned and unaligned views of many lengths', () => {
    for (const [seed, n, offset] of [[1, 5000, 0], [2, 4099, 1], [3, 7, 2], [4, 10_001, 3], [5, 64, 1]] as const) {
      const [g, p] = labelPair(n + 4, 21, seed, 255);
      // gt and pred views at different alignments force both the word loop and the scalar loop.
      const gt = g.subarray(offset, offset + n);
      for (const predOffset of [offset, (offset + 1) % 4]) {
        const pred = p.subarray(predOffset, predOffset + n);
        const cm = new ConfusionMatrix({ numClasses: 21 });
        cm.add(gt, pred);
        expect(cellsOf(cm)).toEqual(naive(gt, pred, 21, 255));
        const wide = new ConfusionMatrix({ numClasses: 21 });
        wide.add(Uint16Array.from(gt), Uint16Array.from(pred));
        expect(wide.toData()).toEqual(cm.toData());
      }
    }
  });

  it('long constant runs (the word path) are counted exactly', () => {
    const gt = new Uint8Array(1 << 16).fill(4);
    const pred = new Uint8Array(1 << 16).fill(4);
    pred.fill(2, 1000, 1003);
    gt.fill(255, 5000, 5001);
    const cm = new ConfusionMatrix({ numClasses: 5 });
    expect(cm.add(gt, pred)).toBe(65535);
    expect(cellsOf(cm)).toEqual(naive(gt, pred, 5, 255));
  });

  it('merging per-image matrices (as workers do) equals accumulating them in one', () => {
    const one = new ConfusionMatrix({ numClasses: 21 });
    const merged = new ConfusionMatrix({ numClasses: 21 });
    for (let s = 0; s < 4; s++) {
      const [g, p] = labelPair(999, 21, 10 + s, 255);
      one.add(g, p);
      const part = new ConfusionMatrix({ numClasses: 21 });
      part.add(g, p);
      merged.merge(JSON.parse(JSON.stringify(part.toData())) as ReturnType<ConfusionMatrix['toData']>);
    }
    expect(merged.toData()).toEqual(one.toData());
    expect(merged.numPixels).toBe(one.numPixels);
    expect(() => merged.merge(new ConfusionMatrix({ numClasses: 20 }))).toThrow(/cannot merge/);
  });

  interface SklearnFixture {
    numClasses: number;
    ignoreIndex: number;
    numPixels: number;
    cells: Array<[number, number, number]>;
    accuracy: number;
    present: boolean[];
    gtPresent: boolean[];
    predPresent: boolean[];
    jaccard: number[];
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    meanIoU: number;
    frequencyWeightedIoU: number;
  }
  const fixture = (name: string) => new URL(`../fixtures/cm-${name}`, import.meta.url);

  for (const name of ['voc', 'cityscapes', 'u16-300', 'u16-2000']) {
    it(`matches scikit-learn's confusion_matrix and scores (${name})`, () => {
      const f = JSON.parse(readFileSync(fixture(`${name}.json`), 'utf8')) as SklearnFixture;
      const gt = readNpy(readFileSync(fixture(`${name}-gt.npy`))).data as LabelArray;
      const pred = readNpy(readFileSync(fixture(`${name}-pred.npy`))).data as LabelArray;
      const cm = new ConfusionMatrix({ numClasses: f.numClasses, ignoreIndex: f.ignoreIndex });
      cm.add(gt, pred);
      expect(cm.toData().cells).toEqual(f.cells);
      expect(cm.numPixels).toBe(f.numPixels);
      const m = segmentationMetrics(cm);
      expect(m.pixelAccuracy).toBeCloseTo(f.accuracy, 12);
      m.perClass.forEach((c, i) => {
        // scikit-learn scores 0/0 as 0 (zero_division=0); DESIGN.md asks for NaN there.
        const expectOrNaN = (ours: number, theirs: number | undefined, defined: boolean | undefined) =>
          defined ? expect(ours).toBeCloseTo(theirs as number, 12) : expect(ours).toBeNaN();
        expectOrNaN(c.iou, f.jaccard[i], f.present[i]);
        expectOrNaN(c.dice, f.f1[i], f.present[i]);
        expectOrNaN(c.recall, f.recall[i], f.gtPresent[i]);
        expectOrNaN(c.precision, f.precision[i], f.predPresent[i]);
        expect(c.gtPixels).toBe(f.support[i]);
      });
      expect(m.meanIoU).toBeCloseTo(f.meanIoU, 12);
      expect(m.frequencyWeightedIoU).toBeCloseTo(f.frequencyWeightedIoU, 12);
      expect(f.numClasses <= MAX_DENSE_CLASSES || name === 'u16-2000').toBe(true);
    });
  }
});

describe('formatMetricsTable', () => {
  it('prints one row per class and the summary, with - for undefined values', () => {
    const cm = new ConfusionMatrix({ numClasses: 3 });
    cm.add(Uint8Array.of(0, 1), Uint8Array.of(0, 0));
    const table = formatMetricsTable(segmentationMetrics(cm, ['road', 'sidewalk', 'building']));
    expect(table).toMatch(/^ 0 {2}road {6}\s+50\.00\s+100\.00/m);
    expect(table).toMatch(/^ 2 {2}building\s+-\s+-\s+-\s+-\s+0\s+0$/m);
    expect(table).toMatch(/^mean IoU {16}25\.00%$/m);
  });
});
