/**
 * The counting kernels of {@link ConfusionMatrix}: histograms of (ground truth, prediction) pairs
 * over typed label arrays, fast for the common 8-bit case. Internal to @pixelwise/eval.
 */
/** Any integer label array: one class id per pixel, row-major `[H, W]`. */
export type LabelArray = Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

/**
 * The hot loop for 8-bit maps, counting into `bins` = 4 sub-histograms of `span` cells (the
 * matrix cells, then a trash bin for ignored and one for invalid pixels), looked up in `lut` by
 * `(gt << 8) | pred`.
 *
 * Label maps are piecewise constant, so it reads 4 pixels of each map at a time as 32-bit words:
 * a word pair equal to the last pixel repeated extends a run held in a register. Other words are
 * counted pixel by pixel into four sub-histograms, so repeated increments of one cell do not wait
 * on each other through memory. No branch depends on a single pixel.
 */
export function accumulate8(gt: Uint8Array, pred: Uint8Array, lut: Int32Array, bins: Float64Array, span: number): void {
  const n = gt.length;
  let i = 0;
  if (((gt.byteOffset ^ pred.byteOffset) & 3) === 0 && n >= 8) {
    const head = (4 - (gt.byteOffset & 3)) & 3;
    for (; i < head; i++) bump(bins, lut[((gt[i] as number) << 8) | (pred[i] as number)] as number);
    const words = (n - i) >> 2;
    const g32 = new Int32Array(gt.buffer, gt.byteOffset + i, words);
    const p32 = new Int32Array(pred.buffer, pred.byteOffset + i, words);
    const s2 = 2 * span;
    const s3 = 3 * span;
    let repG = ~(g32[0] as number); // matches no first word
    let repP = 0;
    let key = 0;
    let run = 0;
    for (let j = 0; j < words; j++) {
      const gw = g32[j] as number;
      const pw = p32[j] as number;
      if (gw === repG && pw === repP) {
        run += 4;
        continue;
      }
      const k0 = lut[key] as number;
      bins[k0] = (bins[k0] as number) + run;
      run = 0;
      const b0 = lut[((gw & 255) << 8) | (pw & 255)] as number;
      bins[b0] = (bins[b0] as number) + 1;
      const b1 = (lut[(gw & 0xff00) | ((pw >> 8) & 255)] as number) + span;
      bins[b1] = (bins[b1] as number) + 1;
      const b2 = (lut[((gw >> 8) & 0xff00) | ((pw >> 16) & 255)] as number) + s2;
      bins[b2] = (bins[b2] as number) + 1;
      const g3 = gw >>> 24;
      const p3 = pw >>> 24;
      key = (g3 << 8) | p3;
      const b3 = (lut[key] as number) + s3;
      bins[b3] = (bins[b3] as number) + 1;
      repG = Math.imul(g3, 0x01010101);
      repP = Math.imul(p3, 0x01010101);
    }
    const k0 = lut[key] as number;
    bins[k0] = (bins[k0] as number) + run;
    i += 4 * words;
  }
  for (; i < n; i++) bump(bins, lut[((gt[i] as number) << 8) | (pred[i] as number)] as number);
}

function bump(bins: Float64Array, b: number): void {
  bins[b] = (bins[b] as number) + 1;
}

/** Any integer labels: one histogram; ignored pixels are skipped, an invalid one stops the loop. */
export function accumulateAny(gt: LabelArray, pred: LabelArray, c: number, ignore: number, bins: Float64Array): void {
  const n = gt.length;
  const stride = c + 1;
  const invalid = c * stride + 1;
  for (let i = 0; i < n; i++) {
    const g = gt[i] as number;
    if (g === ignore) continue;
    const p = pred[i] as number;
    let b: number;
    if (!(g >= 0 && g < c)) b = -1;
    else if (p >= 0 && p < c) b = g * stride + p;
    else if (p === ignore) b = g * stride + c;
    else b = -1;
    if (b < 0) {
      bins[invalid] = 1;
      return;
    }
    bins[b] = (bins[b] as number) + 1;
  }
}

/** Moves the sub-histograms into the totals (zeroing them); returns the pixels counted. */
export function flush(bins: Float64Array, cells: number, into: Float64Array): number {
  const span = cells + 2;
  let total = 0;
  for (let k = 0; k < cells; k++) {
    const n = (bins[k] as number) + (bins[k + span] as number) + (bins[k + 2 * span] as number) + (bins[k + 3 * span] as number);
    if (n !== 0) {
      into[k] = (into[k] as number) + n;
      total += n;
    }
  }
  bins.fill(0);
  return total;
}
